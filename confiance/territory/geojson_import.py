"""Parsing and checking a GeoJSON FeatureCollection of communes or sectors, before any write."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from confiance.core.geo import GeometryError, polygon_from_geojson
from confiance.territory.models import INSEE_CODE_PATTERN

MAX_FEATURES = 100_000
INSEE_RE = re.compile(INSEE_CODE_PATTERN)


@dataclass
class ParsedFeature:
    """A feature that passed every check."""

    index: int
    code: str
    name: str
    geometry: BaseGeometry
    parent_code: str = ""

    def geojson(self) -> dict[str, Any]:
        return mapping(self.geometry)


@dataclass
class ParseResult:
    features: list[ParsedFeature] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, index: int | None, code: str, message: str) -> None:
        self.errors.append({"feature": index, "code": code, "message": message})


def load_collection(raw: bytes | str | dict) -> tuple[list[Any] | None, str]:
    """The features of a FeatureCollection, or (None, reason)."""
    if isinstance(raw, bytes | str):
        try:
            raw = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            return None, f"le fichier n'est pas du JSON lisible ({exc})"
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        return None, "une FeatureCollection GeoJSON est attendue (\"type\": \"FeatureCollection\")"
    features = raw.get("features")
    if not isinstance(features, list):
        return None, "la FeatureCollection n'a pas de liste \"features\""
    if not features:
        return None, "la FeatureCollection est vide"
    if len(features) > MAX_FEATURES:
        return None, f"trop d'entités ({len(features)} > {MAX_FEATURES})"
    return features, ""


def parse_features(raw: bytes | str | dict, *, level: str) -> ParseResult:
    """Check every feature and collect every fault, naming the feature (index and code)."""
    result = ParseResult()
    features, reason = load_collection(raw)
    if features is None:
        result.fail(None, "collection", reason)
        return result
    seen: dict[tuple[str, str], int] = {}
    for index, feature in enumerate(features):
        parsed = _parse_one(result, index, feature, level=level)
        if parsed is None:
            continue
        key = (parsed.parent_code, parsed.code)  # sector codes are unique within their commune
        if key in seen:
            result.fail(index, parsed.code, f"code {parsed.code} en double (déjà à l'entité n° {seen[key]})")
            continue
        seen[key] = index
        result.features.append(parsed)
    return result


def _parse_one(result: ParseResult, index: int, feature: Any, *, level: str) -> ParsedFeature | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        result.fail(index, "", "entité GeoJSON (\"type\": \"Feature\") attendue")
        return None
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        result.fail(index, "", "propriétés absentes")
        return None
    code = str(properties.get("code") or "").strip()
    name = str(properties.get("nom") or "").strip()
    label = code or "?"
    faults = []
    if not code:
        faults.append("propriété \"code\" manquante")
    elif level == "communes" and not INSEE_RE.match(code):
        faults.append(f"code INSEE {code!r} invalide (5 caractères, ex. 91386)")
    if not name:
        faults.append("propriété \"nom\" manquante")
    try:
        geometry = polygon_from_geojson(feature.get("geometry"))
    except GeometryError as exc:
        faults.append(str(exc))
        geometry = None
    for fault in faults:
        result.fail(index, label, fault)
    if faults or geometry is None:
        return None
    parent = str(properties.get("commune") or properties.get("code_commune") or "").strip()
    return ParsedFeature(index=index, code=code, name=name[:200], geometry=geometry, parent_code=parent)
