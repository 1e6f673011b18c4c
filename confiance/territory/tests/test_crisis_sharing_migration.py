"""Crisis sharing moved from operations to territory: a database migrated before the move keeps its sharings and
their communes (SQLite, and PostgreSQL when it answers), in a fresh database migrated step by step."""

import json
import os
import subprocess
import sys
import uuid
from urllib.parse import urlparse, urlunparse

from confiance.core.testing import PROJECT_ROOT
from conftest import require_service

BEFORE = r"""
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("INSERT INTO territory_commune (insee_code, name, geometry, centroid_lat, centroid_lon, h3_cell, "
                   "created_at, updated_at) VALUES ('91386', 'Mennecy', '{}', 48.56, 2.43, 'x', %s, %s)",
                   ["2026-11-30 10:00:00+00:00", "2026-11-30 10:00:00+00:00"])
    cursor.execute("SELECT id FROM territory_commune")
    commune = cursor.fetchone()[0]
    cursor.execute("INSERT INTO operations_crisissharing (name, started_at) VALUES ('Crue', %s)",
                   ["2026-11-30 10:00:00+00:00"])
    cursor.execute("SELECT id FROM operations_crisissharing")
    sharing = cursor.fetchone()[0]
    cursor.execute("INSERT INTO operations_crisissharing_communes (crisissharing_id, commune_id) VALUES (%s, %s)",
                   [sharing, commune])
"""

AFTER = r"""
import json
import django
django.setup()
from django.db import connection
from confiance.territory.models import CrisisSharing
from confiance.territory.selectors import crisis_shared_with
sharing = CrisisSharing.objects.get()
tables = set(connection.introspection.table_names())
print(json.dumps({"name": sharing.name, "communes": [c.insee_code for c in sharing.communes.all()],
                  "ended": sharing.ended_at is not None, "shared": sorted(crisis_shared_with(set())),
                  "old_tables": sorted(t for t in tables if t.startswith("operations_crisis")),
                  "new_tables": sorted(t for t in tables if t.startswith("territory_crisis"))}))
"""


def _run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _migrate_across_the_move(env: dict[str, str]) -> dict:
    _run(env, "manage.py", "migrate", "operations", "0001", "--noinput")
    _run(env, "-c", BEFORE)
    _run(env, "manage.py", "migrate", "--noinput")
    return json.loads(_run(env, "-c", AFTER).strip().splitlines()[-1])


def _environment(tmp_path) -> dict[str, str]:
    env = {**os.environ, "CONFIANCE_ENV": "demo", "CONFIANCE_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    return env


EXPECTED = {"name": "Crue", "communes": ["91386"], "ended": False, "shared": [],
            "old_tables": [], "new_tables": ["territory_crisissharing", "territory_crisissharing_communes"]}


def test_sharings_survive_the_move_on_sqlite(tmp_path):
    assert _migrate_across_the_move(_environment(tmp_path)) == EXPECTED


def test_sharings_survive_the_move_on_postgresql(tmp_path):
    require_service("postgresql")
    import psycopg

    base = os.environ.get("DATABASE_URL") or ""
    base = urlunparse(urlparse(base)._replace(path="/postgres")) if base.startswith("postgres") else \
        "postgres://postgres@127.0.0.1:5432/postgres"
    name = f"confiance_migration_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {**_environment(tmp_path), "DATABASE_URL": urlunparse(urlparse(base)._replace(path=f"/{name}"))}
        assert _migrate_across_the_move(env) == EXPECTED
    finally:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
