"""CAP in: messages of other authorities (préfecture, Météo-France, a neighbouring commune) stored, matched to the
communes their area covers, shown on the console and the public pages. Updates and cancellations end what they
name. Importing the same message twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from shapely.geometry import Polygon, shape
from shapely.ops import unary_union

from confiance.alerts.cap.fetch import fetch_local
from confiance.alerts.cap.read import IncomingCap, read_document
from confiance.alerts.choices import Severity
from confiance.alerts.errors import AlertsError, AlertsErrorCode
from confiance.alerts.events import IncomingAlertReceived
from confiance.alerts.geometry import circle_polygon
from confiance.alerts.models import IncomingAlert
from confiance.core.live import publish_on_commit
from confiance.privacy.services import audit_record
from confiance.territory.models import Commune

MAX_FILE_BYTES = 4 * 1024 * 1024


@dataclass
class ImportReport:
    created: list[int] = field(default_factory=list)
    already_known: int = 0
    errors: list[str] = field(default_factory=list)


def _area_shape(record: IncomingCap):
    shapes = [Polygon([(lon, lat) for lat, lon in ring]) for ring in record.polygons]
    shapes += [circle_polygon(lat, lon, radius_km * 1000) for lat, lon, radius_km in record.circles]
    return unary_union(shapes) if shapes else None


def _communes(record: IncomingCap) -> list[Commune]:
    area = _area_shape(record)
    communes = list(Commune.objects.filter(insee_code__in=record.insee_codes)) if record.insee_codes else []
    if area is None and not record.insee_codes:
        return list(Commune.objects.all())  # no area at all: a message for the whole territory served
    if area is not None:
        for commune in Commune.objects.exclude(pk__in=[item.pk for item in communes]):
            if shape(commune.geometry).intersects(area):
                communes.append(commune)
    return communes


def _area_geojson(record: IncomingCap) -> dict:
    features = [{"type": "Feature", "properties": {},
                 "geometry": {"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in ring]]}}
                for ring in record.polygons]
    features += [{"type": "Feature", "properties": {"radius_m": radius_km * 1000},
                  "geometry": {"type": "Point", "coordinates": [lon, lat]}} for lat, lon, radius_km in record.circles]
    return {"type": "FeatureCollection", "features": features}


def _end_referenced(record: IncomingCap) -> None:
    for reference in record.references.split():
        parts = reference.split(",")
        if len(parts) == 3:
            IncomingAlert.objects.filter(sender=parts[0], identifier=parts[1]).update(expires=record.sent)


def _store(*, actor, record: IncomingCap, source: str) -> IncomingAlert | None:
    if IncomingAlert.objects.filter(sender=record.sender, identifier=record.identifier).exists():
        return None
    incoming = IncomingAlert.objects.create(
        sender=record.sender, identifier=record.identifier, sent=record.sent, cap_status=record.status,
        msg_type=record.msg_type, references=record.references, sender_name=record.sender_name,
        language=record.language, event=record.event or record.headline or "?", category=record.category,
        urgency=record.urgency, severity=record.severity, certainty=record.certainty, headline=record.headline,
        description=record.description, instruction=record.instruction, web=record.web, onset=record.onset,
        expires=record.expires, area_description=record.area_description, area=_area_geojson(record),
        source=source[:500], raw_xml=record.raw_xml, imported_by=getattr(actor, "agent", None))
    communes = _communes(record)
    incoming.communes.set(communes)
    if record.msg_type in ("Update", "Cancel"):
        _end_referenced(record)
    audit_record(actor=actor, action="alerts.incoming.import", target=incoming,
                 extra={"sender": record.sender, "identifier": record.identifier, "source": source[:200]})
    severity_label = str(Severity(record.severity).label) if record.severity in Severity.values else ""
    for commune in communes:
        publish_on_commit(IncomingAlertReceived(id=incoming.pk, commune_id=commune.pk,
                                                sender_name=record.sender_name or record.sender,
                                                headline=record.headline, severity=record.severity,
                                                severity_label=severity_label, msg_type=record.msg_type,
                                                expires=record.expires.isoformat() if record.expires else None),
                          commune_id=commune.pk)
    return incoming


def _read_source(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        return fetch_local(source)
    path = Path(source)
    if not path.is_file():
        raise AlertsError(AlertsErrorCode.SOURCE_REFUSED, f"Fichier introuvable : {source[:200]}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise AlertsError(AlertsErrorCode.CAP_TOO_LARGE, "Fichier trop volumineux.")
    return path.read_bytes()


def incoming_import_bytes(*, actor, data: bytes, source: str, allow_links: bool = False) -> ImportReport:
    """Store the CAP messages of a document (one message or an Atom feed); linked entries are fetched when the
    document itself came from the local network."""
    result = read_document(data)
    report = ImportReport(errors=list(result.errors))
    records = list(result.messages)
    for link in result.links if allow_links else []:
        try:
            records += read_document(fetch_local(link)).messages
        except AlertsError as error:
            report.errors.append(f"{link[:100]} : {error.message}")
    for record in records:
        with transaction.atomic():
            stored = _store(actor=actor, record=record, source=source)
        if stored is None:
            report.already_known += 1
        else:
            report.created.append(stored.pk)
    return report


def incoming_import(*, actor, source: str) -> ImportReport:
    """Import a file, a local-network URL, or an Atom feed of CAP entries."""
    data = _read_source(source)
    return incoming_import_bytes(actor=actor, data=data, source=source,
                                 allow_links=source.startswith(("http://", "https://")))
