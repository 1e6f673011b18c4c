"""An NGSI-LD notification (ETSI GS CIM 009, `{"type": "Notification", "data": [entities]}`) turned into readings.

Each entity is read in either form: normalized (`{"pm10": {"type": "Property", "value": 12, "observedAt": ...}}`)
or key-values (`{"pm10": 12}`, subscription `"format": "keyValues"`). It is brought to key-values and validated
against its Smart Data Model (`validation.check`). A notification is taken whole or refused whole: one entity that
does not conform (or whose type is not one of the five supported) refuses it, with every such entity's reason, and
nothing of it is stored. A conforming entity becomes readings (`mapping`), which the store checks like any other
(unknown device, another commune's device, time ahead...).

Device: `refDevice`, else the entity id; `urn:ngsi-ld:<Type>:<identifier>` names the device `<identifier>`.
Time: the attribute's `observedAt`, else the entity's observation time (`mapping.TIME_ATTRIBUTES`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from confiance.devices.adapters.ngsild.mapping import ATTRIBUTES, CONTROLLED_PROPERTIES, TIME_ATTRIBUTES, UNIT_CODES
from confiance.devices.adapters.ngsild.validation import ENTITY_TYPES, Problem, check
from confiance.devices.choices import DeadLetterReason
from confiance.devices.drafts import Parsed, Reading, Rejected
from confiance.devices.readings import finite, load_json, parse_time

MAX_ENTITIES = 1000
NGSI_ATTRIBUTE_TYPES = frozenset({"Property", "Relationship", "GeoProperty", "LanguageProperty", "ListProperty",
                                  "VocabProperty", "JsonProperty", "ListRelationship"})
_MEMBER = {"Relationship": "object", "ListRelationship": "objectList", "LanguageProperty": "languageMap",
           "ListProperty": "valueList", "VocabProperty": "vocab", "JsonProperty": "json"}
_URN = "urn:ngsi-ld:"


@dataclass(frozen=True, slots=True)
class Refused:
    """An entity refused as a whole (not conforming to its model): which one and why."""

    entity: str
    entity_type: str
    problem: Problem


@dataclass
class Notification:
    parsed: Parsed = field(default_factory=Parsed)
    refused: list[Refused] = field(default_factory=list)
    malformed: bool = False  # the document is not a notification at all (parsed.rejected says why)


def _short(name: str) -> str:
    """A compacted attribute or type name: an expanded IRI keeps its last segment."""
    if "://" in name:
        return name.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return name


def device_identifier(reference: Any) -> str:
    """The registry identifier named by an NGSI-LD id or relationship object."""
    if isinstance(reference, list) and len(reference) == 1:
        reference = reference[0]
    if not isinstance(reference, str):
        return ""
    if reference.lower().startswith(_URN):
        rest = reference[len(_URN):]
        reference = rest.split(":", 1)[1] if ":" in rest else rest
    return reference[:64]


def _is_normalized(entity: dict) -> bool:
    for name, attribute in entity.items():
        if name in ("id", "type", "@context"):
            continue
        first = attribute[0] if isinstance(attribute, list) and attribute else attribute
        if isinstance(first, dict) and first.get("type") in NGSI_ATTRIBUTE_TYPES:
            return True
    return False


def key_values(entity: dict) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(key-values form, per attribute its `observedAt` and `unitCode`) of a normalized or key-values entity."""
    normalized = _is_normalized(entity)
    document: dict[str, Any] = {}
    meta: dict[str, dict[str, Any]] = {}
    for name, attribute in entity.items():
        if name == "@context":
            continue
        key = _short(name) if isinstance(name, str) else name
        if name in ("id", "type") or not normalized:
            document[key] = _short(attribute) if name == "type" and isinstance(attribute, str) else attribute
            continue
        if isinstance(attribute, list) and attribute and isinstance(attribute[0], dict):
            default = [item for item in attribute if isinstance(item, dict) and "datasetId" not in item]
            attribute = (default or attribute)[0]  # a multi-attribute: its default instance
        if isinstance(attribute, dict) and ("value" in attribute or attribute.get("type") in _MEMBER):
            member = _MEMBER.get(attribute.get("type"), "value")
            document[key] = attribute.get(member)
            meta[key] = {"observedAt": attribute.get("observedAt"), "unitCode": attribute.get("unitCode")}
        else:
            document[key] = attribute
    return document, meta


def _entity_time(entity_type: str, document: dict[str, Any]):
    for name in TIME_ATTRIBUTES.get(entity_type, ()):
        if name in document:
            return parse_time(document[name]), document[name]
    return None, None


def _readings(entity_type: str, document: dict[str, Any], meta: dict[str, dict[str, Any]],
              excerpt: str) -> Parsed:
    parsed = Parsed()
    device = device_identifier(document.get("refDevice")) or device_identifier(document.get("id"))

    def refuse(reason: str, detail: str) -> None:
        parsed.rejected.append(Rejected(reason=reason, detail=detail[:300], device=device, payload=excerpt))

    if entity_type == "DeviceMeasurement":
        prop = document.get("controlledProperty")
        quantity = CONTROLLED_PROPERTIES.get(prop) if isinstance(prop, str) else None
        if "numValue" not in document:
            refuse(DeadLetterReason.WRONG_TYPE, "DeviceMeasurement sans numValue")
            return parsed
        if quantity is None:
            refuse(DeadLetterReason.UNKNOWN_QUANTITY, f"controlledProperty {prop!r}"[:300])
            return parsed
        unit = document.get("unit") if isinstance(document.get("unit"), str) else None
        meta = {"numValue": {**meta.get("numValue", {}),
                             "unitCode": meta.get("numValue", {}).get("unitCode") or unit}}
        candidates = [("numValue", quantity, lambda value: value)]
    else:
        candidates = ATTRIBUTES[entity_type]
    entity_time, raw_time = _entity_time(entity_type, document)
    taken: set[str] = set()
    for attribute, quantity, default in candidates:
        if attribute not in document or quantity in taken:
            continue
        taken.add(quantity)
        value = document[attribute]
        if not finite(value):
            refuse(DeadLetterReason.WRONG_TYPE, f"{attribute}: {value!r}")
            continue
        info = meta.get(attribute, {})
        observed = parse_time(info["observedAt"]) if info.get("observedAt") is not None else entity_time
        if observed is None:
            shown = info.get("observedAt") if info.get("observedAt") is not None else raw_time
            refuse(DeadLetterReason.TIME_INVALID, f"{attribute}: horodatage {shown!r}" if shown is not None
                   else f"{attribute}: aucun horodatage d'observation")
            continue
        unit = info.get("unitCode")
        if unit is None:
            converted = default(float(value))
        else:
            convert = UNIT_CODES.get(quantity, {}).get(unit) if isinstance(unit, str) else None
            if convert is None:
                expected = ", ".join(UNIT_CODES.get(quantity, {}))
                refuse(DeadLetterReason.WRONG_TYPE,
                       f"{attribute}: unité {unit!r} incompatible avec {quantity} (attendu : {expected})")
                continue
            converted = convert(float(value))
        if not finite(converted):
            refuse(DeadLetterReason.WRONG_TYPE, f"{attribute}: valeur hors limites")
            continue
        parsed.readings.append(Reading(device=device, quantity=quantity, observed_at=observed, value=converted))
    if not taken:
        refuse(DeadLetterReason.UNKNOWN_QUANTITY, f"{entity_type} sans attribut mesuré pris en charge")
    return parsed


def _entities(document: Any) -> list | None:
    if isinstance(document, dict) and document.get("type") == "Notification":
        return document.get("data") if isinstance(document.get("data"), list) else None
    if isinstance(document, dict) and "id" in document and "type" in document:
        return [document]  # a bare entity (a test, a relay)
    if isinstance(document, list):
        return document
    return None


def parse_notification(raw: bytes | str) -> Notification:
    """Readings of a notification body; `refused` lists the entities that do not conform (refusing it all)."""
    result = Notification()
    document, refused = load_json(raw)
    if refused is not None:
        result.parsed.rejected.append(refused)
        result.malformed = True
        return result
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    entities = _entities(document)
    if not entities or len(entities) > MAX_ENTITIES:
        reason = DeadLetterReason.OVERSIZE if entities else DeadLetterReason.MALFORMED
        detail = (f"{len(entities)} entités (au plus {MAX_ENTITIES})" if entities
                  else "notification NGSI-LD attendue (type Notification, data : [entités])")
        result.parsed.rejected.append(Rejected(reason=reason, detail=detail, payload=text[:500]))
        result.malformed = True
        return result
    readable: list[tuple[str, dict, dict, str]] = []
    for entity in entities:
        if not isinstance(entity, dict):
            problem = Problem("(entité)", "type", "une entité est un objet JSON")
            result.refused.append(Refused("", "", problem))
            result.parsed.rejected.append(Rejected(reason=DeadLetterReason.SCHEMA_INVALID, detail=problem.describe(),
                                                   payload=json.dumps(entity, default=str)[:500]))
            continue
        document_kv, meta = key_values(entity)
        entity_type = document_kv.get("type")
        entity_id = str(document_kv.get("id", ""))[:120]
        excerpt = json.dumps(entity, default=str)[:500]
        if entity_type not in ENTITY_TYPES:
            problem = Problem("type", "enum", f"type {str(entity_type)[:60]!r} non pris en charge "
                                              f"(attendus : {', '.join(ENTITY_TYPES)})")
            result.refused.append(Refused(entity_id, str(entity_type)[:60], problem))
            result.parsed.rejected.append(Rejected(reason=DeadLetterReason.SCHEMA_INVALID,
                                                   detail=problem.describe(), payload=excerpt,
                                                   device=device_identifier(entity_id)))
            continue
        problem = check(entity_type, document_kv)
        if problem is not None:
            result.refused.append(Refused(entity_id, entity_type, problem))
            device = device_identifier(document_kv.get("refDevice")) or device_identifier(entity_id)
            result.parsed.rejected.append(Rejected(reason=DeadLetterReason.SCHEMA_INVALID,
                                                   detail=f"{entity_type} : {problem.describe()}"[:300],
                                                   device=device, payload=excerpt))
            continue
        readable.append((entity_type, document_kv, meta, excerpt))
    if result.refused:
        return result  # refused whole: only the schema dead letters are kept
    for entity_type, document_kv, meta, excerpt in readable:
        result.parsed.extend(_readings(entity_type, document_kv, meta, excerpt))
    return result
