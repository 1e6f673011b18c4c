"""The devices registry as ingestion needs it, kept per process (`core.revisions.RevisionedCache`).

Every message names a device by its identifier; looking it up in the database for each of ten thousand values a
second would cost more than storing them. The registry (devices, the quantities each measures, gateways by token
prefix) is built once per `RegistryRevision`: any save or delete of a device, a quantity, a gateway or a rule (the
admin's and the imports' included) appends a revision row in the same transaction, so every process sees a change
at its next batch.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save, pre_delete

from confiance.core.revisions import RevisionedCache, Revisions
from confiance.devices.models import Device, DeviceQuantity, Gateway, RegistryRevision, Rule
from confiance.devices.sql import lock_devices_for_deletion


@dataclass(frozen=True, slots=True)
class DeviceEntry:
    id: int
    identifier: str
    commune_id: int
    gateway_id: int | None
    active: bool
    quantities: frozenset[str]
    reporting_interval_s: int
    kind: str


@dataclass(frozen=True, slots=True)
class GatewayEntry:
    id: int
    identifier: str
    commune_id: int
    token_hash: str
    active: bool


@dataclass(frozen=True, slots=True)
class Registry:
    devices: dict[str, DeviceEntry]
    by_id: dict[int, DeviceEntry]
    gateways_by_prefix: dict[str, GatewayEntry]
    devices_by_token_prefix: dict[str, tuple[DeviceEntry, str]]


def _build(revisions: Revisions) -> Registry:
    quantities: dict[int, set[str]] = {}
    for device_id, quantity in DeviceQuantity.objects.values_list("device_id", "quantity"):
        quantities.setdefault(device_id, set()).add(quantity)
    devices: dict[str, DeviceEntry] = {}
    by_token: dict[str, tuple[DeviceEntry, str]] = {}
    rows = Device.objects.values_list("id", "identifier", "commune_id", "gateway_id", "active",
                                      "reporting_interval_s", "kind", "token_prefix", "token_hash")
    for pk, identifier, commune_id, gateway_id, active, interval, kind, prefix, token_hash in rows:
        entry = DeviceEntry(id=pk, identifier=identifier, commune_id=commune_id, gateway_id=gateway_id,
                            active=active, quantities=frozenset(quantities.get(pk, ())),
                            reporting_interval_s=interval, kind=kind)
        devices[identifier] = entry
        if prefix and token_hash:
            by_token[prefix] = (entry, token_hash)
    gateways: dict[str, GatewayEntry] = {
        str(prefix): GatewayEntry(id=pk, identifier=identifier, commune_id=commune_id, token_hash=token_hash,
                             active=active)
        for pk, identifier, commune_id, prefix, token_hash, active in Gateway.objects.exclude(token_prefix=None)
        .values_list("id", "identifier", "commune_id", "token_prefix", "token_hash", "active")
    }
    return Registry(devices=devices, by_id={entry.id: entry for entry in devices.values()},
                    gateways_by_prefix=gateways, devices_by_token_prefix=by_token)


registry_cache: RevisionedCache[Registry] = RevisionedCache(RegistryRevision, build=_build)


def current_registry() -> Registry:
    return registry_cache.current()


def _registry_changed(sender, **kwargs) -> None:
    if kwargs.get("action", "post_").startswith("post_"):
        RegistryRevision.objects.create(reason=f"{sender._meta.model_name}")


def _device_deleting(sender, instance: Device, **kwargs) -> None:
    """A device's measurements and aggregates keep its key without a database constraint (ADR 0020): its row is
    locked before Django's cascade deletes them (pre_delete comes first, inside the deletion's transaction)."""
    lock_devices_for_deletion([instance.pk])


TRACKED = (Device, DeviceQuantity, Gateway, Rule)


def connect_signals() -> None:
    for model in TRACKED:
        post_save.connect(_registry_changed, sender=model, dispatch_uid=f"devices-registry-save-{model.__name__}")
        post_delete.connect(_registry_changed, sender=model,
                            dispatch_uid=f"devices-registry-delete-{model.__name__}")
    pre_delete.connect(_device_deleting, sender=Device, dispatch_uid="devices-measurement-keys")

