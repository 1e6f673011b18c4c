"""Writes of the devices registry: import of gateways and sensors from CSV or GeoJSON, and token issue.

The import is all or nothing: every row is checked first (services/registry_rows.py for the file itself, here for
what needs the database: the commune, the location inside it, the gateway), every fault is reported naming its
line, and nothing is written while one remains. A row whose identifier exists already updates that device or
gateway (never a duplicate, never a move to another commune); a row identical to what is stored writes nothing, so
importing the same file twice changes nothing the second time. Each save appends a `RegistryRevision` (signals of
devices/registry.py), so ingestion workers see the change at their next batch.

Tokens: `<prefix>.<secret>`; only sha256(secret) is stored, the clear token is returned once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.choices import Permission
from confiance.core.actors import Authorised
from confiance.core.errors import NotFoundError
from confiance.devices.errors import DevicesError, DevicesErrorCode
from confiance.devices.models import Device, DeviceQuantity, Gateway
from confiance.devices.services.registry_rows import RegistryRow, RowError, parse_registry_file
from confiance.privacy.services import audit_record
from confiance.territory.models import Commune
from confiance.territory.selectors import locate_point

TOKEN_PREFIX_BYTES = 4  # 8 hexadecimal characters
TOKEN_SECRET_BYTES = 32


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    identifiers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IssuedToken:
    kind: str  # "gateway" or "device"
    identifier: str
    prefix: str
    token: str  # shown once, never stored


def token_hash(secret: str) -> str:
    """The stored form of a token's secret part."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _invalid(errors: list[RowError]) -> DevicesError:
    return DevicesError(
        DevicesErrorCode.IMPORT_INVALID,
        _("Import refusé : %(count)d erreur(s) ; rien n'a été importé.") % {"count": len(errors)},
        details={"errors": [error.as_dict() for error in errors[:500]]},
    )


def device_location_check(*, commune_id: int, lat: float, lon: float) -> int | None:
    """The sector of a point that must fall inside the commune; raise a clear error otherwise."""
    location = locate_point(lat=lat, lon=lon)
    if location.commune_id != commune_id:
        raise DevicesError(DevicesErrorCode.IMPORT_INVALID,
                           _("La position (%(lat).5f, %(lon).5f) n'est pas dans la commune du capteur.")
                           % {"lat": lat, "lon": lon})
    return location.sector_id


def _require_manage(actor: Authorised | None, commune_ids: set[int]) -> None:
    if actor is None:
        return  # the system: a command run by whoever administers the server
    for commune_id in sorted(commune_ids):
        actor.require(Permission.DEVICES_MANAGE, commune_id)


def _resolve(rows: list[RegistryRow]) -> tuple[dict[str, Commune], dict[str, Gateway], dict[str, Device],
                                                 list[RowError]]:
    """Check what needs the database: communes, identifiers taken in another commune, gateways, locations."""
    errors: list[RowError] = []
    communes = {c.insee_code: c for c in Commune.objects.filter(insee_code__in={row.commune for row in rows})}
    gateways = {g.identifier: g for g in Gateway.objects.select_related("commune").filter(
        identifier__in={row.identifier for row in rows if row.is_gateway} | {row.gateway for row in rows})}
    devices = {d.identifier: d for d in Device.objects.filter(
        identifier__in={row.identifier for row in rows if not row.is_gateway}).prefetch_related("quantities")}
    in_file = {row.identifier: row for row in rows if row.is_gateway}
    for row in rows:
        commune = communes.get(row.commune)
        if commune is None:
            errors.append(RowError(row.where, row.identifier, _("commune %(code)s inconnue") % {"code": row.commune}))
            continue
        existing = gateways.get(row.identifier) if row.is_gateway else devices.get(row.identifier)
        if existing is not None and existing.commune_id != commune.pk:
            errors.append(RowError(row.where, row.identifier,
                                   _("identifiant déjà pris dans une autre commune ; un capteur ou une passerelle ne "
                                     "change pas de commune par import")))
        if row.is_gateway:
            continue
        if row.gateway:
            gateway_commune = (in_file[row.gateway].commune if row.gateway in in_file
                               else gateways[row.gateway].commune.insee_code if row.gateway in gateways else None)
            if gateway_commune is None:
                errors.append(RowError(row.where, row.identifier,
                                       _("passerelle « %(gateway)s » inconnue") % {"gateway": row.gateway}))
            elif gateway_commune != row.commune:
                errors.append(RowError(row.where, row.identifier,
                                       _("la passerelle « %(gateway)s » est d'une autre commune")
                                       % {"gateway": row.gateway}))
        assert row.lat is not None and row.lon is not None
        location = locate_point(lat=row.lat, lon=row.lon)
        if location.commune_id != commune.pk:
            errors.append(RowError(row.where, row.identifier,
                                   _("la position (%(lat).5f, %(lon).5f) n'est pas dans la commune %(code)s (%(name)s)")
                                   % {"lat": row.lat, "lon": row.lon, "code": commune.insee_code,
                                      "name": commune.name}))
        else:
            row.fields["sector_id"] = location.sector_id
    return communes, gateways, devices, errors


def _apply(instance: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _sync_quantities(device: Device, wanted: dict[str, str], *, known: bool) -> bool:
    current = {q.quantity: q for q in device.quantities.all()} if known else {}
    changed = False
    stale = [q.pk for name, q in current.items() if name not in wanted]
    for pk in stale:
        DeviceQuantity.objects.get(pk=pk).delete()  # one by one: the signal appends a registry revision
        changed = True
    for name, unit in wanted.items():
        quantity = current.get(name)
        if quantity is None:
            DeviceQuantity.objects.create(device=device, quantity=name, unit=unit)
            changed = True
        elif quantity.unit != unit:
            quantity.unit = unit
            quantity.save(update_fields=["unit"])
            changed = True
    return changed


def devices_import(*, actor: Authorised | None, data: bytes | str, fmt: str = "auto",
                   commune_insee: str = "") -> ImportResult:
    """Import gateways and devices (CSV or GeoJSON): all of it, or nothing with every fault named by its line."""
    parsed = parse_registry_file(data, fmt=fmt, commune=commune_insee)
    errors = list(parsed.errors)
    rows = parsed.rows
    communes, gateways, devices, more = _resolve(rows) if rows else ({}, {}, {}, [])
    errors.extend(more)
    _require_manage(actor, {commune.pk for commune in communes.values()})  # before saying more about the rows
    if errors:
        raise _invalid(errors)
    result = ImportResult()
    now = timezone.now()
    touched: dict[int, list[str]] = {}
    with transaction.atomic():
        for row in sorted(rows, key=lambda r: not r.is_gateway):  # gateways first: devices link to them
            commune = communes[row.commune]
            values: dict[str, Any] = {**row.fields, "commune_id": commune.pk}
            if row.is_gateway:
                instance: Any = gateways.get(row.identifier)
                created = instance is None
                if created:
                    instance = Gateway(identifier=row.identifier, created_at=now)
                changed = _apply(instance, values)
                if changed:
                    instance.save()
                gateways[row.identifier] = instance
            else:
                values.update(lat=row.lat, lon=row.lon,
                              gateway_id=gateways[row.gateway].pk if row.gateway else None)
                instance = devices.get(row.identifier)
                created = instance is None
                if created:
                    instance = Device(identifier=row.identifier, created_at=now)
                changed = _apply(instance, values)
                if changed:
                    instance.updated_at = now
                    instance.save()
                changed = _sync_quantities(instance, row.quantities, known=not created) or changed
            if created:
                result.created += 1
            elif changed:
                result.updated += 1
            else:
                result.unchanged += 1
            if created or changed:
                touched.setdefault(commune.pk, []).append(row.identifier)
            result.identifiers.append(row.identifier)
        for commune_id, identifiers in touched.items():
            audit_record(actor=actor, action="devices.import", target=("devices", "registry"), commune_id=commune_id,
                         extra={"identifiers": identifiers[:500], "count": len(identifiers)})
    return result


def _find(identifier: str) -> Gateway | Device:
    found = (Gateway.objects.filter(identifier=identifier).first()
             or Device.objects.filter(identifier=identifier).first())
    if found is None:
        raise NotFoundError(DevicesErrorCode.DEVICE_UNKNOWN,
                            _("Aucune passerelle ni aucun capteur « %(identifier)s ».") % {"identifier": identifier})
    return found


def token_issue(*, actor: Authorised | None, identifier: str) -> IssuedToken:
    """A new token for a gateway (or a device that speaks HTTP itself); it replaces the previous one at once.

    The clear token `<prefix>.<secret>` is returned once; only the prefix and sha256(secret) are stored."""
    with transaction.atomic():
        target = _find(identifier.strip()[:64])
        _require_manage(actor, {target.commune_id})
        prefix = secrets.token_hex(TOKEN_PREFIX_BYTES)
        while Gateway.objects.filter(token_prefix=prefix).exists() or Device.objects.filter(
                token_prefix=prefix).exists():
            prefix = secrets.token_hex(TOKEN_PREFIX_BYTES)
        secret = secrets.token_urlsafe(TOKEN_SECRET_BYTES)
        target.token_prefix, target.token_hash = prefix, token_hash(secret)
        target.save(update_fields=["token_prefix", "token_hash"])  # the registry revision follows (signal)
        kind = "gateway" if isinstance(target, Gateway) else "device"
        audit_record(actor=actor, action="devices.token_issue", target=target, commune_id=target.commune_id,
                     extra={"kind": kind, "prefix": prefix})
    return IssuedToken(kind=kind, identifier=target.identifier, prefix=prefix, token=f"{prefix}.{secret}")
