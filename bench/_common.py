"""Shared by the benchmarks: Django set-up on a throwaway database, JSON-lines output."""

import json
import os
import sys
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
