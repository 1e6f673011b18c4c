"""An alert as a CAP 1.2 message (lxml): one <info> in French, a second in English when it was written."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from lxml import etree
from shapely.geometry import MultiPolygon, Polygon, shape

from confiance.alerts.cap import CAP_NAMESPACE
from confiance.alerts.choices import MessageType
from confiance.alerts.geometry import drawn_circles, drawn_polygons
from confiance.alerts.models import Alert

PARIS = ZoneInfo("Europe/Paris")
MAX_POLYGON_POINTS = 300  # sector and commune outlines are simplified to keep messages short (FR-Alert, SMS cells)
NS = f"{{{CAP_NAMESPACE}}}"


def cap_datetime(moment: datetime) -> str:
    """CAP dateTime: seconds, no fraction, an explicit offset (never "Z"), in Paris time."""
    return moment.astimezone(PARIS).replace(microsecond=0).isoformat()


def reference_of(alert: Alert) -> str:
    """The CAP reference naming a published message: "sender,identifier,sent"."""
    return f"{alert.sender},{alert.identifier},{cap_datetime(alert.published_at)}"


def polygon_text(polygon: Polygon) -> str:
    """CAP polygon: "lat,lon" pairs separated by spaces, the first repeated last."""
    ring = list(polygon.exterior.coords)
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return " ".join(f"{lat:.6f},{lon:.6f}" for lon, lat in ring)


def _outline_polygons(geometry: dict) -> list[Polygon]:
    outline = shape(geometry)
    parts = list(outline.geoms) if isinstance(outline, MultiPolygon) else [outline]
    result = []
    for part in parts:
        tolerance = 0.00005
        simple = part
        while len(simple.exterior.coords) > MAX_POLYGON_POINTS:
            simple = part.simplify(tolerance, preserve_topology=True)
            tolerance *= 2
        result.append(Polygon(simple.exterior.coords))
    return result


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, NS + tag)
    if text is not None:
        node.text = text
    return node


def _area(info: etree._Element, alert: Alert) -> None:
    area = _sub(info, "area")
    _sub(area, "areaDesc", alert.area_description or alert.commune.name)
    polygons = list(drawn_polygons(alert.area))
    for sector in alert.target_sectors.all():
        polygons += _outline_polygons(sector.geometry)
    for commune in alert.target_communes.all():
        polygons += _outline_polygons(commune.geometry)
    for polygon in polygons:
        _sub(area, "polygon", polygon_text(polygon))
    for lat, lon, radius_m in drawn_circles(alert.area):
        _sub(area, "circle", f"{lat:.6f},{lon:.6f} {radius_m / 1000:.3f}")
    for commune in alert.target_communes.all():
        geocode = _sub(area, "geocode")
        _sub(geocode, "valueName", "INSEE")
        _sub(geocode, "value", commune.insee_code)


def _info(root: etree._Element, alert: Alert, *, language: str, english: bool, base_url: str) -> None:
    info = _sub(root, "info")
    _sub(info, "language", language)
    _sub(info, "category", alert.category)
    _sub(info, "event", alert.event)
    _sub(info, "responseType", alert.response_type)
    _sub(info, "urgency", alert.urgency)
    _sub(info, "severity", alert.severity)
    _sub(info, "certainty", alert.certainty)
    if alert.published_at:
        _sub(info, "effective", cap_datetime(alert.published_at))
    if alert.onset:
        _sub(info, "onset", cap_datetime(alert.onset))
    if alert.expires:
        _sub(info, "expires", cap_datetime(alert.expires))
    _sub(info, "senderName", f"Commune de {alert.commune.name}")
    headline = alert.headline_en if english else alert.headline
    description = (alert.description_en if english else alert.description) or ""
    instruction = (alert.instruction_en if english else alert.instruction) or ""
    _sub(info, "headline", headline)
    if description:
        _sub(info, "description", description)
    if instruction:
        _sub(info, "instruction", instruction)
    _sub(info, "web", base_url + reverse("alerts:public", args=[alert.commune.insee_code]))
    _area(info, alert)


def cap_build(alert: Alert, *, base_url: str) -> bytes:
    """The CAP 1.2 message of a published (or about to be published) alert, UTF-8 with its XML declaration."""
    root = etree.Element(NS + "alert", nsmap={None: CAP_NAMESPACE})
    _sub(root, "identifier", alert.identifier)
    _sub(root, "sender", alert.sender)
    _sub(root, "sent", cap_datetime(alert.published_at))
    _sub(root, "status", alert.cap_status)
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "source", "Confiance")
    _sub(root, "scope", "Public")
    if alert.msg_type in (MessageType.UPDATE, MessageType.CANCEL):
        references = sorted(alert.references.all(), key=lambda item: item.published_at)
        _sub(root, "references", " ".join(reference_of(item) for item in references))
    _info(root, alert, language="fr-FR", english=False, base_url=base_url)
    if alert.headline_en:
        _info(root, alert, language="en-GB", english=True, base_url=base_url)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
