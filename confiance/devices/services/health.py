"""The security sweep: what about the devices themselves the RSSI should know, as `SecurityEvent` rows.

Detections (thresholds in settings, docs/configuration.md):
- many devices of a commune silent at once: at least CONFIANCE_DEVICES_MASS_SILENCE_MIN devices and
  CONFIANCE_DEVICES_MASS_SILENCE_PERCENT % of its active devices not heard for CONFIANCE_DEVICES_SILENCE_INTERVALS
  of their expected intervals (a jammer, a cut link, a gateway taken down);
- messages from unknown device ids: dead letters `unknown_device`, per announced identifier;
- a device flooding: far more values over the last minutes (minute aggregates) than its interval allows;
- clocks far off: `Device.clock_offset_s` beyond the tolerance, for devices heard recently;
- default credentials kept (devices and gateways flagged);
- firmware different from the expected version (devices and gateways).

De-duplication: one event per kind and subject per window (CONFIANCE_DEVICES_SECURITY_WINDOW_MINUTES) starting at
its `occurred_at`. A condition still there at the next sweep increments the open event's count; for unknown ids the
count is the number of dead letters of the window, so running the sweep twice counts nothing twice. Called by
`confiance devices sweep` (helper rules' loop) with `security_sweep(now=now)`; machine writes, not journaled one by
one (ADR 0007), like the measurements they are read from.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from confiance.devices.choices import DeadLetterReason, Resolution, SecurityEventKind
from confiance.devices.models import DeadLetter, Device, Gateway, MeasurementAggregate, SecurityEvent

DETAIL_MAX = 300


@dataclass(frozen=True)
class Finding:
    """One thing a detection saw; `occurrences` replaces the count (counted kinds) or adds one sweep (states)."""

    kind: str
    subject: str
    detail: str
    commune_id: int | None = None
    device_id: int | None = None
    gateway_id: int | None = None
    occurrences: int | None = None  # None: a state seen once more at this sweep
    since: datetime | None = None  # first occurrence, for counted kinds


def _window() -> timedelta:
    return timedelta(minutes=settings.CONFIANCE_DEVICES_SECURITY_WINDOW_MINUTES)


def _mass_silence(now: datetime) -> list[Finding]:
    intervals = settings.CONFIANCE_DEVICES_SILENCE_INTERVALS
    active = Device.objects.filter(active=True).exclude(last_seen_at=None)
    totals = dict(active.values("commune_id").annotate(n=Count("id")).values_list("commune_id", "n"))
    silent: dict[int, list[str]] = defaultdict(list)
    for commune_id, identifier, seen, interval in active.values_list("commune_id", "identifier", "last_seen_at",
                                                                     "reporting_interval_s"):
        if seen is not None and seen < now - timedelta(seconds=interval * intervals):
            silent[commune_id].append(identifier)
    findings = []
    for commune_id, identifiers in silent.items():
        share = 100 * len(identifiers) / totals[commune_id]
        if len(identifiers) >= settings.CONFIANCE_DEVICES_MASS_SILENCE_MIN \
                and share >= settings.CONFIANCE_DEVICES_MASS_SILENCE_PERCENT:
            names = ", ".join(sorted(identifiers))
            findings.append(Finding(
                kind=SecurityEventKind.MASS_SILENCE, subject=f"commune:{commune_id}", commune_id=commune_id,
                detail=(_("%(n)d capteurs muets sur %(total)d (%(share).0f %%) : %(names)s")
                        % {"n": len(identifiers), "total": totals[commune_id], "share": share, "names": names})))
    return findings


def _unknown_devices(now: datetime, latest: dict[tuple[str, str], SecurityEvent]) -> list[Finding]:
    window = _window()
    findings = []
    rows = (DeadLetter.objects.filter(reason=DeadLetterReason.UNKNOWN_DEVICE, received_at__gt=now - 2 * window,
                                      received_at__lte=now)
            .values_list("device_identifier", "received_at", "commune_id", "gateway_id", "source"))
    by_identifier: dict[str, list[tuple]] = defaultdict(list)
    for identifier, received_at, commune_id, gateway_id, source in rows:
        by_identifier[identifier or "?"].append((received_at, commune_id, gateway_id, source))
    for identifier, letters in by_identifier.items():
        subject = f"unknown:{identifier}"
        event = latest.get((SecurityEventKind.UNKNOWN_DEVICE, subject))
        if event is not None and event.occurred_at > now - window:  # the open event counts its own window
            start, end = event.occurred_at, event.occurred_at + window
        else:
            start = event.occurred_at + window if event is not None else now - window
            start = max(start, now - window)
            end = now
        inside = sorted(letter for letter in letters if start <= letter[0] <= end)
        if not inside:
            continue
        communes = Counter(letter[1] for letter in inside if letter[1] is not None)
        gateways = Counter(letter[2] for letter in inside if letter[2] is not None)
        sources = sorted({letter[3] for letter in inside})
        findings.append(Finding(
            kind=SecurityEventKind.UNKNOWN_DEVICE, subject=subject,
            commune_id=communes.most_common(1)[0][0] if communes else None,
            gateway_id=gateways.most_common(1)[0][0] if gateways else None,
            occurrences=len(inside), since=inside[0][0],
            detail=(_("%(n)d message(s) de l'identifiant inconnu « %(id)s » (%(sources)s)")
                    % {"n": len(inside), "id": identifier, "sources": ", ".join(sources)})))
    return findings


def _flooding(now: datetime) -> list[Finding]:
    minutes = settings.CONFIANCE_DEVICES_FLOOD_MINUTES
    start = (now - timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    per_quantity = (MeasurementAggregate.objects.filter(resolution=Resolution.MINUTE, bucket__gte=start,
                                                        bucket__lte=now)
                    .values("device_id", "quantity").annotate(n=Sum("count")).values_list("device_id", "n"))
    messages: dict[int, int] = {}
    for device_id, count in per_quantity:  # a message carries several quantities: count its busiest one
        messages[device_id] = max(messages.get(device_id, 0), count)
    if not messages:
        return []
    seconds = (now - start).total_seconds()
    findings = []
    devices = Device.objects.filter(pk__in=messages).values_list("id", "identifier", "commune_id",
                                                                "reporting_interval_s")
    for device_id, identifier, commune_id, interval in devices:
        allowed = max(1.0, seconds / interval)
        count = messages[device_id]
        if count >= settings.CONFIANCE_DEVICES_FLOOD_MIN_MESSAGES \
                and count > settings.CONFIANCE_DEVICES_FLOOD_FACTOR * allowed:
            findings.append(Finding(
                kind=SecurityEventKind.FLOODING, subject=f"device:{identifier}", commune_id=commune_id,
                device_id=device_id,
                detail=(_("%(n)d valeurs en %(minutes)d min pour %(allowed).0f attendues (une toutes les %(s)d s)")
                        % {"n": count, "minutes": minutes, "allowed": allowed, "s": interval})))
    return findings


def _clock_skew(now: datetime) -> list[Finding]:
    tolerance = settings.CONFIANCE_DEVICES_CLOCK_TOLERANCE_SECONDS
    rows = (Device.objects.filter(active=True, last_seen_at__gte=now - _window())
            .filter(Q(clock_offset_s__gt=tolerance) | Q(clock_offset_s__lt=-tolerance))
            .values_list("id", "identifier", "commune_id", "clock_offset_s"))
    return [Finding(kind=SecurityEventKind.CLOCK_SKEW, subject=f"device:{identifier}", commune_id=commune_id,
                    device_id=pk, detail=_("horloge décalée de %(offset).0f s (tolérance %(tolerance)d s)")
                    % {"offset": offset, "tolerance": tolerance})
            for pk, identifier, commune_id, offset in rows]


def _configuration(now: datetime) -> list[Finding]:
    findings = []
    for model, prefix in ((Device, "device"), (Gateway, "gateway")):
        rows = model.objects.filter(active=True)
        is_device = model is Device

        for pk, identifier, commune_id in rows.filter(default_credentials=True).values_list(
                "id", "identifier", "commune_id"):
            findings.append(Finding(kind=SecurityEventKind.DEFAULT_CREDENTIALS, subject=f"{prefix}:{identifier}",
                                    commune_id=commune_id, device_id=pk if is_device else None,
                                    gateway_id=None if is_device else pk,
                                    detail=_("identifiants du fabricant toujours en place")))
        outdated = (rows.exclude(firmware_version="").exclude(expected_firmware_version="")
                    .exclude(firmware_version=F("expected_firmware_version")))
        for pk, identifier, commune_id, version, expected in outdated.values_list(
                "id", "identifier", "commune_id", "firmware_version", "expected_firmware_version"):
            findings.append(Finding(kind=SecurityEventKind.FIRMWARE_OUTDATED, subject=f"{prefix}:{identifier}",
                                    commune_id=commune_id, device_id=pk if is_device else None,
                                    gateway_id=None if is_device else pk,
                                    detail=_("micrologiciel %(version)s, attendu %(expected)s")
                                    % {"version": version, "expected": expected}))
    return findings


def security_sweep(*, now: datetime) -> dict[str, int]:
    """Run every detection; create or update the events (one transaction). Returns the events touched per kind."""
    window = _window()
    with transaction.atomic():
        recent = (SecurityEvent.objects.filter(occurred_at__gt=now - 2 * window)
                  .exclude(kind=SecurityEventKind.FAILED_CREDENTIALS).order_by("occurred_at", "pk"))
        latest: dict[tuple[str, str], SecurityEvent] = {(e.kind, e.subject): e for e in recent}
        findings = [*_mass_silence(now), *_unknown_devices(now, latest), *_flooding(now), *_clock_skew(now),
                    *_configuration(now)]
        touched: Counter[str] = Counter()
        for finding in findings:
            event = latest.get((finding.kind, finding.subject))
            if event is not None and event.occurred_at > now - window:
                count = finding.occurrences if finding.occurrences is not None else event.count + 1
                if count != event.count or event.detail != finding.detail[:DETAIL_MAX]:
                    SecurityEvent.objects.filter(pk=event.pk).update(count=count, detail=finding.detail[:DETAIL_MAX])
                    touched[finding.kind] += 1
                continue
            SecurityEvent.objects.create(
                kind=finding.kind, subject=finding.subject[:120], detail=finding.detail[:DETAIL_MAX],
                commune_id=finding.commune_id, device_id=finding.device_id, gateway_id=finding.gateway_id,
                occurred_at=finding.since or now, count=finding.occurrences or 1)
            touched[finding.kind] += 1
    return dict(touched)

