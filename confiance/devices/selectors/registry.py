"""Reads of the devices registry for an actor: devices and gateways of the communes the actor may see (crisis
sharing included), with what each measures. Credentials (token hashes, MQTT client ids) are never selected for
display: interfaces list their fields explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from confiance.accounts.access import Actor
from confiance.devices.access import device_get_for_actor, visible_commune_ids
from confiance.devices.models import Device, DeviceQuantity, Gateway


@dataclass(frozen=True)
class DeviceFilters:
    commune_ids: set[int] | None = None
    kind: str = ""
    state: str = ""
    gateway_id: int | None = None


def _quantities() -> Prefetch:
    return Prefetch("quantities", queryset=DeviceQuantity.objects.order_by("quantity"))


def device_list_for_actor(*, actor: Actor, filters: DeviceFilters | None = None) -> QuerySet[Device]:
    """Devices of the visible communes, by commune and name, with their commune, gateway, sector and quantities."""
    filters = filters or DeviceFilters()
    communes = visible_commune_ids(actor)
    if filters.commune_ids is not None:
        communes &= filters.commune_ids
    rows = Device.objects.filter(commune_id__in=communes)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.gateway_id is not None:
        rows = rows.filter(gateway_id=filters.gateway_id)
    return (rows.select_related("commune", "gateway", "sector").prefetch_related(_quantities())
            .order_by("commune__name", "name", "pk"))


def device_detail_for_actor(*, actor: Actor, device_id: int) -> Device:
    """One visible device with its quantities, or "not found"."""
    device = device_get_for_actor(actor=actor, device_id=device_id)
    return Device.objects.select_related("commune", "gateway", "sector").prefetch_related(_quantities()).get(
        pk=device.pk)


def gateway_list_for_actor(*, actor: Actor, commune_ids: set[int] | None = None) -> QuerySet[Gateway]:
    """Gateways of the visible communes, with the number of devices behind each."""
    communes = visible_commune_ids(actor)
    if commune_ids is not None:
        communes &= commune_ids
    return (Gateway.objects.filter(commune_id__in=communes).select_related("commune")
            .annotate(device_count=Count("devices")).order_by("commune__name", "name", "pk"))
