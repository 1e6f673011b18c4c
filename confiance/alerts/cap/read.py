"""Incoming CAP: one message, or an Atom feed of CAP entries (inline or linked), read into plain records.

Everything here reads untrusted XML through `cap.xml.parse_untrusted` (no DTD, no entity, no network, bounded
size and depth); a message that fails the CAP 1.2 schema is refused whole, with the schema's words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from confiance.alerts.cap import CAP_NAMESPACE
from confiance.alerts.cap.rules import circle_problems, polygon_problems
from confiance.alerts.cap.xml import MAX_FEED_BYTES, parse_untrusted, schema_errors
from confiance.alerts.errors import AlertsError, AlertsErrorCode
from confiance.core.parsing import ParseError, check_datetime

NS = {"cap": CAP_NAMESPACE, "atom": "http://www.w3.org/2005/Atom"}
CAP_ROOT = f"{{{CAP_NAMESPACE}}}alert"
ATOM_ROOT = "{http://www.w3.org/2005/Atom}feed"
MAX_ENTRIES = 200


@dataclass
class IncomingCap:
    """What one received CAP message says (its first French <info>, else its first <info>)."""

    sender: str
    identifier: str
    sent: datetime
    status: str
    msg_type: str
    references: str = ""
    sender_name: str = ""
    language: str = ""
    event: str = ""
    category: str = ""
    urgency: str = ""
    severity: str = ""
    certainty: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    web: str = ""
    onset: datetime | None = None
    expires: datetime | None = None
    area_description: str = ""
    polygons: list[list[tuple[float, float]]] = field(default_factory=list)  # (lat, lon) rings
    circles: list[tuple[float, float, float]] = field(default_factory=list)  # (lat, lon, radius_km)
    insee_codes: list[str] = field(default_factory=list)
    raw_xml: str = ""


def _text(node, path: str, limit: int = 4000) -> str:
    found = node.find(path, NS)
    return (found.text or "").strip()[:limit] if found is not None else ""


def _moment(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return check_datetime(datetime.fromisoformat(text))
    except (ValueError, ParseError) as exc:
        raise AlertsError(AlertsErrorCode.CAP_INVALID, f"Date CAP illisible : {text[:40]}") from exc


def _pick_info(root):
    infos = root.findall("cap:info", NS)
    for info in infos:
        if _text(info, "cap:language").lower().startswith("fr"):
            return info
    return infos[0] if infos else None


def _areas(record: IncomingCap, info) -> None:
    for area in info.findall("cap:area", NS):
        record.area_description = record.area_description or _text(area, "cap:areaDesc", 500)
        for polygon in area.findall("cap:polygon", NS):
            text = polygon.text or ""
            if not polygon_problems(text):
                record.polygons.append([tuple(float(v) for v in pair.split(",")) for pair in text.split()])
        for circle in area.findall("cap:circle", NS):
            text = circle.text or ""
            if not circle_problems(text):
                centre, radius = text.split()
                lat, lon = (float(value) for value in centre.split(","))
                record.circles.append((lat, lon, float(radius)))
        for geocode in area.findall("cap:geocode", NS):
            if _text(geocode, "cap:valueName").upper() in ("INSEE", "INSEE_COM", "CODE_INSEE"):
                record.insee_codes.append(_text(geocode, "cap:value", 5))


def read_message(root) -> IncomingCap:
    """A CAP <alert> element as a record, once the schema accepts it."""
    problems = schema_errors(root)
    if problems:
        raise AlertsError(AlertsErrorCode.CAP_INVALID, "Message CAP invalide : " + "; ".join(problems[:3]),
                          details={"problems": problems})
    record = IncomingCap(sender=_text(root, "cap:sender", 200), identifier=_text(root, "cap:identifier", 200),
                         sent=_moment(_text(root, "cap:sent")), status=_text(root, "cap:status", 10),
                         msg_type=_text(root, "cap:msgType", 10), references=_text(root, "cap:references"),
                         raw_xml=etree.tostring(root, encoding="unicode"))
    info = _pick_info(root)
    if info is not None:
        record.sender_name = _text(info, "cap:senderName", 200)
        record.language = _text(info, "cap:language", 20)
        record.event = _text(info, "cap:event", 200)
        record.category = _text(info, "cap:category", 12)
        for name in ("urgency", "severity", "certainty"):
            setattr(record, name, _text(info, f"cap:{name}", 12))
        record.headline = _text(info, "cap:headline", 300)
        record.description = _text(info, "cap:description")
        record.instruction = _text(info, "cap:instruction")
        web = _text(info, "cap:web", 500)
        record.web = web if web.startswith(("http://", "https://")) else ""
        record.onset = _moment(_text(info, "cap:onset"))
        record.expires = _moment(_text(info, "cap:expires"))
        _areas(record, info)
    return record


@dataclass
class ReadResult:
    messages: list[IncomingCap] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # CAP messages an Atom feed links to (fetched by the caller)
    errors: list[str] = field(default_factory=list)


def read_document(data: bytes) -> ReadResult:
    """One CAP message, or an Atom feed whose entries embed CAP messages or link to them."""
    root = parse_untrusted(data, max_bytes=MAX_FEED_BYTES)
    if root.tag == CAP_ROOT:
        return ReadResult(messages=[read_message(root)])
    if root.tag != ATOM_ROOT:
        raise AlertsError(AlertsErrorCode.CAP_INVALID, "Ni message CAP 1.2 ni flux Atom.")
    result = ReadResult()
    for entry in root.findall("atom:entry", NS)[:MAX_ENTRIES]:
        inline = entry.find(".//cap:alert", NS)
        if inline is not None:
            try:
                result.messages.append(read_message(inline))
            except AlertsError as error:
                result.errors.append(error.message)
            continue
        for link in entry.findall("atom:link", NS):
            href = link.get("href", "")
            if href and ("cap" in (link.get("type") or "") or href.endswith(".xml")):
                result.links.append(href[:500])
                break
    return result
