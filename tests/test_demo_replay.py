"""`confiance demo load` is replayable: a second run after the simulator has worked changes nothing it loaded."""

import sqlite3
import subprocess
from pathlib import Path

from confiance.core.testing import CONFIANCE, PROJECT_ROOT, throwaway_database


def _count(folder: Path, table: str) -> int:
    with sqlite3.connect(folder / "confiance.sqlite3") as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)


def test_demo_load_twice_with_the_simulator_in_between(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)  # the demo's own embedded database
    extra = {"CONFIANCE_DEMO_INTERVENTIONS": "8", "CONFIANCE_DEMO_REPORTS": "10"}
    with throwaway_database(tmp_path, extra) as env:
        run = {"env": env, "cwd": PROJECT_ROOT, "capture_output": True, "text": True}
        simulated = subprocess.run([CONFIANCE, "simulate", "--interval", "0", "--steps", "40", "--seed", "3"], **run)
        assert simulated.returncode == 0, simulated.stderr[-2000:]
        before = {table: _count(tmp_path, table) for table in
                  ("operations_intervention", "reports_report", "operations_unit", "territory_commune")}
        again = subprocess.run([CONFIANCE, "demo", "load"], **run)
        assert again.returncode == 0, again.stderr[-2000:]
        assert "déjà" in again.stdout
        assert {table: _count(tmp_path, table) for table in before} == before
