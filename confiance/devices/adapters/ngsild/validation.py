"""Entities checked against the Smart Data Models JSON Schemas shipped in `schemas/`, with no network.

The schemas (draft 2020-12) refer to each other by absolute URL; every URL is mapped to its local copy in a
`referencing.Registry`, and any other reference is unresolvable (never fetched). The schemas describe the
key-values form: a normalized entity is first turned into key-values (`notification.key_values`). Formats are
checked for `date-time` only (RFC 3339: a date, a time and a zone offset), as the platform needs an unambiguous
observation time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

SCHEMAS = Path(__file__).parent / "schemas"
ENTITY_TYPES = ("AirQualityObserved", "NoiseLevelObserved", "WaterObserved", "FloodMonitoring", "DeviceMeasurement")
# Absolute URLs the schemas use -> local file names.
ALIASES = {
    "https://smart-data-models.github.io/data-models/common-schema.json": "common-schema.json",
    "https://smart-data-models.github.io/dataModel.Environment/Environment-schema.json": "Environment-schema.json",
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/Environment-schema.json":
        "Environment-schema.json",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """Why an entity does not conform: the attribute (JSON path), the rule (JSON Schema keyword), a detail."""

    attribute: str
    rule: str
    detail: str

    def describe(self) -> str:
        return f"attribut « {self.attribute} », règle « {self.rule} » : {self.detail}"[:300]


def _load(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _no_network(uri: str):
    raise NoSuchResource(ref=uri)


@cache
def _registry() -> Registry:
    resources = [(uri, Resource.from_contents(_load(name))) for uri, name in ALIASES.items()]
    for entity_type in ENTITY_TYPES:
        contents = _load(f"{entity_type}.json")
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry(retrieve=_no_network).with_resources(resources)


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # the "type" keyword reports it
    text = value.strip()
    if "T" not in text.upper() or len(text) > 40:
        return False
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return False
    return moment.utcoffset() is not None


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("date-time")(_date_time)
    return checker


@cache
def validator(entity_type: str) -> Draft202012Validator:
    """The validator of one of ENTITY_TYPES (built once per process)."""
    schema = _load(f"{entity_type}.json")
    return Draft202012Validator(schema, registry=_registry(), format_checker=_format_checker())


def check(entity_type: str, document: dict[str, Any]) -> Problem | None:
    """The most relevant violation of the entity's schema (key-values form), or None when it conforms."""
    error = best_match(validator(entity_type).iter_errors(document))
    if error is None:
        return None
    attribute = ".".join(str(part) for part in error.absolute_path) or "(entité)"
    return Problem(attribute=attribute[:80], rule=str(error.validator), detail=error.message[:200])
