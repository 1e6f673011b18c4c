"""CSV exports of the device health page, French column names, semicolon-separated (what a French spreadsheet
opens). No credential ever: neither token prefix nor hash nor MQTT client id, only the default-credential flag."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.core.exports import SafeWriter
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
