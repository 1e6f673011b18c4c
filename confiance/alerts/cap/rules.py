"""The CAP rules the XSD does not check (after OASIS CAP 1.2 section 3 and the checks of public CAP validators)."""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree
from shapely.geometry import Polygon
from shapely.validation import explain_validity

from confiance.alerts.cap import CAP_NAMESPACE

NS = {"cap": CAP_NAMESPACE}
_ZONED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
_FORBIDDEN_IN_IDS = re.compile(r"[\s,<&]")
ReferenceExists = Callable[[str, str, str], bool]


def _text(node: etree._Element, path: str) -> str:
    found = node.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def polygon_problems(text: str) -> list[str]:
    """A CAP polygon: at least 4 "lat,lon" pairs, closed, not self-intersecting."""
    try:
        pairs = [tuple(float(value) for value in pair.split(",")) for pair in text.split()]
    except ValueError:
        return [f"polygone illisible : {text[:60]}"]
    if any(len(pair) != 2 or not (-90 <= pair[0] <= 90 and -180 <= pair[1] <= 180) for pair in pairs):
        return ["polygone : couples latitude,longitude WGS84 attendus"]
    if len(pairs) < 4:
        return ["polygone de moins de 4 points"]
    if pairs[0] != pairs[-1]:
        return ["polygone ouvert (le dernier point doit être le premier)"]
    polygon = Polygon([(lon, lat) for lat, lon in pairs])
    if not polygon.is_valid:
        return [f"polygone qui se recoupe ({explain_validity(polygon)})"]
    return []


def circle_problems(text: str) -> list[str]:
    try:
        centre, radius = text.split()
        lat, lon = (float(value) for value in centre.split(","))
        radius_km = float(radius)
    except ValueError:
        return [f"cercle illisible : {text[:60]}"]
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or radius_km < 0:
        return ["cercle : centre WGS84 et rayon positif attendus"]
    return []


def _time_problems(root: etree._Element) -> list[str]:
    problems = []
    for tag in ("sent", "info/effective", "info/onset", "info/expires"):
        for node in root.iterfind("cap:" + tag.replace("/", "/cap:"), NS):
            if not _ZONED.match((node.text or "").strip()):
                problems.append(f"{tag} sans décalage horaire explicite : {node.text}")
    for info in root.iterfind("cap:info", NS):
        onset, expires = _text(info, "cap:onset"), _text(info, "cap:expires")
        effective = _text(info, "cap:effective") or _text(root, "cap:sent")
        start = onset or effective
        if expires and start and _ZONED.match(start) and _ZONED.match(expires) and _iso(expires) <= _iso(start):
            problems.append("expires ne vient pas après le début de validité")
    return problems


def _iso(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text)


def _reference_problems(root: etree._Element, exists: ReferenceExists | None) -> list[str]:
    msg_type = _text(root, "cap:msgType")
    references = _text(root, "cap:references").split()
    if msg_type in ("Update", "Cancel", "Ack", "Error") and not references:
        return [f"un message {msg_type} doit nommer les messages qu'il remplace (references)"]
    problems = []
    for reference in references:
        parts = reference.split(",")
        if len(parts) != 3 or not all(parts) or not _ZONED.match(parts[2]):
            problems.append(f"référence illisible (émetteur,identifiant,envoi attendus) : {reference[:80]}")
        elif exists is not None and not exists(*parts):
            problems.append(f"référence à un message inconnu : {reference[:80]}")
    return problems


def cap_rule_problems(root: etree._Element, *, reference_exists: ReferenceExists | None = None) -> list[str]:
    """Every problem the XSD cannot see: identifiers, times, references, polygons and circles."""
    problems = []
    for tag in ("identifier", "sender"):
        value = _text(root, "cap:" + tag)
        if not value or _FORBIDDEN_IN_IDS.search(value):
            problems.append(f"{tag} vide ou avec espace, virgule, < ou &")
    problems += _time_problems(root)
    problems += _reference_problems(root, reference_exists)
    for node in root.iterfind("cap:info/cap:area/cap:polygon", NS):
        problems += polygon_problems(node.text or "")
    for node in root.iterfind("cap:info/cap:area/cap:circle", NS):
        problems += circle_problems(node.text or "")
    return problems
