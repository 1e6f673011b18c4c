"""Shared by the benchmarks: Django set-up on a throwaway database, JSON-lines output."""

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def emit(bench: str, metric: str, value, unit: str, **extra) -> None:
    """One result line: {"bench", "metric", "value", "unit"} plus context."""
    print(json.dumps({"bench": bench, "metric": metric, "value": value, "unit": unit, **extra}), flush=True)


def setup_django(data_dir: str, env: dict | None = None) -> None:
    os.environ.setdefault("CONFIANCE_ENV", "test")
    os.environ["CONFIANCE_DATA_DIR"] = data_dir
    os.environ.update(env or {})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


SMOKE = os.environ.get("BENCH_SMOKE") == "1"  # `make bench-smoke`: small sizes, every code path, failures fatal


def smoke_check(ok: bool, message: str) -> None:
    """A failed request or a wrong count: fatal in smoke mode, a warning on stderr in the full run."""
    if ok:
        return
    if SMOKE:
        raise SystemExit(f"bench smoke: {message}")
    print(f"bench warning: {message}", file=sys.stderr, flush=True)


def bench_databases(bench: str, default: str) -> list[str]:
    """BENCH_DATABASES, else `default`; in smoke mode SQLite only outside CI, and PostgreSQL always under CI=true."""
    chosen = os.environ.get("BENCH_DATABASES")
    if not SMOKE:
        return [name.strip() for name in (chosen or default).split(",")]
    ci = os.environ.get("CI") == "true"
    engines = [name.strip() for name in (chosen or ("sqlite,postgres" if ci else "sqlite")).split(",")]
    if ci and "postgres" not in engines:
        engines.append("postgres")
    if "postgres" not in engines:
        emit(bench, "postgres", None, "", skipped="smoke mode outside CI (CI=true measures PostgreSQL too)")
    return engines


PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


@contextmanager
def engine_database_url(engine: str):
    """DATABASE_URL naming the engine's server while the block runs (PG_URL for "postgres", none for SQLite), as
    the throwaway databases read it; the previous value back afterwards."""
    previous = os.environ.get("DATABASE_URL")
    if engine == "postgres":
        os.environ["DATABASE_URL"] = PG_URL
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous
