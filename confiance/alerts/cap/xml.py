"""Reading XML that may come from anywhere: no DTD, no entity, no network, bounded size and depth."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _
from lxml import etree

from confiance.alerts.errors import AlertsError, AlertsErrorCode

MAX_BYTES = 512 * 1024  # a CAP message is a few kilobytes; a feed of them stays well under this
MAX_FEED_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 24  # CAP nests 4 levels (alert/info/area/geocode/value), Atom adds 3
SCHEMA_PATH = Path(__file__).with_name("cap12.xsd")
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def _depth(root: etree._Element) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            return depth
        stack.extend((child, depth + 1) for child in node)
    return deepest


def parse_untrusted(data: bytes, *, max_bytes: int = MAX_BYTES) -> etree._Element:
    """The root element of untrusted XML, or a clear refusal: too large, a DTD or entity, malformed, too deep."""
    if not isinstance(data, bytes | bytearray):
        raise AlertsError(AlertsErrorCode.CAP_INVALID, _("Message CAP illisible."))
    if len(data) > max_bytes:
        raise AlertsError(AlertsErrorCode.CAP_TOO_LARGE, _("Message trop volumineux (%(max)s octets au plus).")
                          % {"max": max_bytes}, details={"size": len(data), "max": max_bytes})
    if _DECLARATION.search(data):
        raise AlertsError(AlertsErrorCode.CAP_UNSAFE,
                          _("Message refusé : les déclarations DTD et les entités XML ne sont pas acceptées."))
    try:
        root = etree.fromstring(bytes(data), _parser())
    except etree.XMLSyntaxError as exc:
        raise AlertsError(AlertsErrorCode.CAP_INVALID, _("XML mal formé : %(error)s") % {"error": str(exc)[:200]}) \
            from exc
    if root is None:
        raise AlertsError(AlertsErrorCode.CAP_INVALID, _("Message CAP vide."))
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise AlertsError(AlertsErrorCode.CAP_UNSAFE, _("Message refusé : DTD non acceptée."))
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise AlertsError(AlertsErrorCode.CAP_UNSAFE, _("Message refusé : entité XML non acceptée."))
    if _depth(root) > MAX_DEPTH:
        raise AlertsError(AlertsErrorCode.CAP_INVALID, _("Message refusé : imbrication trop profonde."),
                          details={"max_depth": MAX_DEPTH})
    return root


@lru_cache(maxsize=1)
def cap_schema() -> etree.XMLSchema:
    """The OASIS CAP 1.2 schema, read from the package (no network)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), _parser()))


def schema_errors(root: etree._Element) -> list[str]:
    """What the XSD refuses in a CAP message (empty when valid)."""
    schema = cap_schema()
    if schema.validate(root):
        return []
    return [f"ligne {error.line} : {error.message}" for error in list(schema.error_log)[:20]]
