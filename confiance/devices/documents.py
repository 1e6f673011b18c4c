"""CSV exports of the device health page and the register of extractions (CSV and PDF), French column names,
semicolon-separated (what a French spreadsheet opens). No credential ever: neither token prefix nor hash nor MQTT
client id, only the default-credential flag."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.core.exports import SafeWriter
from confiance.core.pdf import Document
from confiance.devices.choices import DeviceState
from confiance.devices.models import Device, SecurityEvent
from confiance.devices.selectors.health import firmware_outdated


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}".replace(".", ",")


def _yes_no(flag: bool) -> str:
    return _("oui") if flag else _("non")


def _write(header: list[str], rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    writer = SafeWriter(buffer, delimiter=";", lineterminator="\r\n")  # text cells never read as formulas
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def device_health_csv(devices: Iterable[Device], dead_letters: dict[int, int]) -> str:
    """One line per device: where it is, when it last spoke, battery, signal, clock, firmware, default credentials,
    rejected messages over the window of the health page."""
    header = [_("commune"), _("capteur"), _("identifiant"), _("type"), _("état"), _("vu le"), _("batterie (%)"),
              _("signal (dBm)"), _("décalage d'horloge (s)"), _("micrologiciel"), _("micrologiciel attendu"),
              _("micrologiciel à jour"), _("identifiants par défaut"), _("passerelle"), _("messages rejetés (7 j)")]
    rows = ([device.commune.name, device.name, device.identifier, str(device.get_kind_display()),
             str(DeviceState(device.state if device.active else DeviceState.DISABLED).label),
             _local(device.last_seen_at), _number(device.battery_pct), _number(device.signal_dbm),
             _number(device.clock_offset_s), device.firmware_version, device.expected_firmware_version,
             _yes_no(not firmware_outdated(device)), _yes_no(device.default_credentials),
             device.gateway.name if device.gateway else "", str(dead_letters.get(device.pk, 0))]
            for device in devices)
    return _write(header, rows)


def security_events_csv(events: Iterable[SecurityEvent]) -> str:
    """One line per security event, newest first."""
    header = [_("date"), _("commune"), _("type"), _("capteur"), _("passerelle"), _("objet"), _("détail"),
              _("occurrences")]
    rows = ([_local(event.occurred_at), event.commune.name if event.commune else "", str(event.get_kind_display()),
             event.device.name if event.device else "", event.gateway.name if event.gateway else "",
             event.subject, event.detail, str(event.count)] for event in events)
    return _write(header, rows)


# --- The register of extractions, for an inspection (prefecture, CNIL) --------------------------------------------


def _cameras_text(extraction) -> str:
    return ", ".join(camera.device.name for camera in extraction.cameras.all())


def _agent(agent) -> str:
    return agent.get_full_name() or agent.get_username() if agent is not None else ""


def _hold_text(extraction) -> str:
    if extraction.hold_released_at is None:
        return _("en vigueur")
    return _("levé le %(when)s") % {"when": _local(extraction.hold_released_at)}


def _media_text(extraction) -> str:
    return " | ".join(f"{medium.file_name} sha256:{medium.sha256}" for medium in extraction.media.all())


def extraction_register_csv(extractions: Iterable) -> str:
    """One line per requisition (cameras and media prefetched)."""
    header = [_("reçue le"), _("référence de la réquisition"), _("officier requérant"), _("service"),
              _("caméras"), _("début de la période"), _("fin de la période"), _("état"), _("images remises le"),
              _("remises par"), _("fichiers remis (nom et SHA-256)"), _("gel des images"), _("enregistrée par")]
    rows = ([_local(item.requested_at), item.requisition_reference, item.officer_name, item.officer_service,
             _cameras_text(item), _local(item.span_start), _local(item.span_end), item.get_status_display(),
             _local(item.delivered_at), _agent(item.delivered_by), _media_text(item), _hold_text(item),
             _agent(item.recorded_by)] for item in extractions)
    return _write(header, rows)


def extraction_register_pdf(*, commune, extractions: list) -> bytes:
    """The register as a document: one block per requisition, fingerprints in full."""
    document = Document(_("Registre des extractions de vidéoprotection - %(commune)s") % {"commune": commune.name})
    document.add_page()
    document.paragraph(_("Extractions d'images réalisées sur réquisition judiciaire (code de la sécurité intérieure, "
                         "L.252-5). Les périodes dont le gel est en vigueur ne doivent pas être purgées par le "
                         "logiciel de gestion vidéo."))
    if not extractions:
        document.paragraph(_("Aucune extraction enregistrée."))
    for item in extractions:
        document.heading(f"{item.requisition_reference} - {_local(item.requested_at)}")
        document.field(_("Officier requérant"), f"{item.officer_name} ({item.officer_service})")
        document.field(_("Caméras"), _cameras_text(item))
        document.field(_("Période"), f"{_local(item.span_start)} - {_local(item.span_end)}")
        document.field(_("État"), item.get_status_display())
        document.field(_("Remise"), f"{_local(item.delivered_at)} {_agent(item.delivered_by)}".strip())
        for medium in item.media.all():
            document.field(_("Fichier"), f"{medium.file_name}\nSHA-256 {medium.sha256}")
        document.field(_("Gel des images"), _hold_text(item))
        document.field(_("Enregistrée par"), _agent(item.recorded_by))
    return document.output_bytes()
