"""The OpenAPI document is part of the contract: a change must update the snapshot on purpose.

Regenerate with: CONFIANCE_UPDATE_SNAPSHOT=1 .venv/bin/pytest tests/test_openapi_snapshot.py
"""

import json
import os
from pathlib import Path

from config.api import api

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"


def test_openapi_document_matches_snapshot():
    document = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), sort_keys=True))
    if os.environ.get("CONFIANCE_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    assert SNAPSHOT.exists(), "no snapshot: run with CONFIANCE_UPDATE_SNAPSHOT=1"
    expected = json.loads(SNAPSHOT.read_text())
    assert document == expected, "the API changed: review, then regenerate the snapshot (see module docstring)"


def test_every_operation_documents_its_summary():
    document = api.get_openapi_schema(path_prefix="/api/v1/")
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
