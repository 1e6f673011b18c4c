# Confiance: `make demo` runs the platform, `make test` runs every test, `make bench` prints the figures.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/postgres
VENDOR := confiance/static/vendor

.PHONY: install vendor migrate demo demo-load serve test lint test-sqlite test-postgres browser-deps bench bench-smoke clean messages

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

install: $(BIN)/.installed vendor

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR)/.copied: node_modules/.package-lock.json
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/leaflet $(VENDOR)/htmx $(VENDOR)/chartjs
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/chartjs/
	touch $@

vendor: $(VENDOR)/.copied

migrate: install
	$(BIN)/confiance migrate --noinput

# The demo: embedded SQLite, demo territory and accounts, served on http://127.0.0.1:$(PORT).
demo: export CONFIANCE_ENV = demo
demo: install
	$(BIN)/confiance migrate --noinput
	$(BIN)/confiance demo load
	@echo "Comptes : policier, operateur, chef, technicien, elu, dpo, rssi, admin — mot de passe : confiance-demo"
	@echo "Open311 : clé d'API de démonstration $${CONFIANCE_DEMO_OPEN311_KEY:-demo-open311-key}"
	@# One supervisor for the simulator, the sweeps and the server: Ctrl-C stops them all and ends with status 0.
	$(BIN)/confiance demo run --port $(PORT)

browser-deps:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Installez Chromium : sudo apt-get install -y chromium" >&2; exit 1; fi; }

# Typed layers: every app's services, selectors, access and schemas (modules or packages), and the actor protocol.
TYPED := $(wildcard confiance/*/services.py confiance/*/services confiance/*/selectors.py confiance/*/selectors confiance/*/access.py \
	confiance/*/schemas.py confiance/*/drafts.py confiance/*/sql.py confiance/*/payloads.py confiance/core/actors.py \
	confiance/core/revisions.py confiance/core/transactions.py confiance/core/numbers.py confiance/core/live_rules.py confiance/core/figures.py confiance/core/pdf.py confiance/devices/registry.py \
	confiance/devices/readings.py confiance/devices/rules.py confiance/devices/adapters/mqtt)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	CONFIANCE_ENV=test $(BIN)/mypy $(TYPED)

# Two test processes (pytest-xdist); each module stays on one, the broker tests together (see conftest.py).
PYTEST_PARALLEL ?= -n 2 --dist loadgroup

test-sqlite: install browser-deps
	CONFIANCE_ENV=test $(BIN)/pytest -q $(PYTEST_PARALLEL)

# On PostgreSQL when CI=true or when DATABASE_URL is given.
test-postgres: install
	@if [ -n "$$DATABASE_URL" ] || [ "$$CI" = "true" ]; then \
	  CONFIANCE_ENV=test DATABASE_URL="$${DATABASE_URL:-$(PG_TEST_URL)}" $(BIN)/pytest -q $(PYTEST_PARALLEL) -m "not browser"; \
	else echo "PostgreSQL : ignoré (ni CI=true ni DATABASE_URL)"; fi

test: lint test-sqlite test-postgres bench-smoke

# pointpats, the reference the Knox benchmark compares with, lives in its own environment.
.venv-ref/.installed:
	$(PYTHON) -m venv .venv-ref
	.venv-ref/bin/pip install --quiet "pointpats==2.5.5"
	touch $@

bench: install .venv-ref/.installed browser-deps
	@for script in $(filter-out bench/_common.py bench/sse_clients.py,$(wildcard bench/*.py)); do \
	  echo "# $$script"; $(BIN)/python $$script || exit 1; done

# Every benchmark at a small size (BENCH_SMOKE=1), so that a broken one fails `make test`; PostgreSQL when CI=true.
# Two at a time, the longest first (they wait on servers and brokers more than they compute): each has its own
# databases, ports, MQTT topics or broker, and Redis database (11 to 14), so that none sees another's traffic; each
# one's output is printed whole when it ends.
BENCH_SMOKE_FIRST := bench/devices_ingest.py bench/soak.py bench/reports_open311.py bench/field_page.py bench/live_events.py
BENCH_SMOKE_ALL := $(BENCH_SMOKE_FIRST) $(filter-out bench/_common.py bench/sse_clients.py $(BENCH_SMOKE_FIRST),$(wildcard bench/*.py))
bench-smoke: install .venv-ref/.installed browser-deps
	@printf '%s\n' $(BENCH_SMOKE_ALL) | xargs -P 2 -I{} bash -c \
	  'out=$$(BENCH_SMOKE=1 $(BIN)/python {} 2>&1); status=$$?; printf "# %s (smoke)\n%s\n" {} "$$out"; \
	   [ $$status = 0 ] || echo "# {} (smoke) FAILED with status $$status"; exit $$status'

# Refresh the English catalogue after changing interface strings (needs GNU gettext); commit the .po and .mo.
messages: install
	$(BIN)/python manage.py makemessages -l en --ignore ".venv/*" --ignore "node_modules/*" --ignore "tests/*" --ignore "bench/*"
	msgfmt -o confiance/locale/en/LC_MESSAGES/django.mo confiance/locale/en/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) .venv-ref node_modules $(VENDOR) staticfiles var
