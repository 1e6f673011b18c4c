"""Hypervision test fixtures: two communes, each with a river gauge and an air-quality station, and a gateway."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from confiance.devices.choices import QUANTITY_UNITS, DeviceKind, Quantity
from confiance.devices.drafts import Parsed, Reading
from confiance.devices.models import Device, DeviceQuantity, Gateway
from confiance.territory.models import Commune
from confiance.territory.tests.factories import make_commune


def make_device(commune: Commune, identifier: str, *, kind: str = DeviceKind.WATER_LEVEL,
                quantities=(Quantity.WATER_LEVEL, Quantity.BATTERY), lat: float | None = None,
                lon: float | None = None, gateway: Gateway | None = None, interval_s: int = 300,
                **fields) -> Device:
    device = Device.objects.create(commune=commune, identifier=identifier, name=identifier.replace("-", " "),
                                   kind=kind, lat=lat if lat is not None else commune.centroid_lat,
                                   lon=lon if lon is not None else commune.centroid_lon, gateway=gateway,
                                   reporting_interval_s=interval_s, **fields)
    for quantity in quantities:
        DeviceQuantity.objects.create(device=device, quantity=quantity, unit=QUANTITY_UNITS[quantity])
    return device


def make_gateway(commune: Commune, identifier: str) -> tuple[Gateway, str]:
    """A gateway and its clear token (`<prefix>.<secret>`, as the HTTP endpoint expects it)."""
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(24)
    gateway = Gateway.objects.create(commune=commune, identifier=identifier, name=identifier, token_prefix=prefix,
                                     token_hash=hashlib.sha256(secret.encode()).hexdigest())
    return gateway, f"{prefix}.{secret}"


@dataclass
class DevicesWorld:
    commune: Commune
    other: Commune
    gauge: Device
    air: Device
    other_gauge: Device
    gateway: Gateway
    gateway_token: str


def make_devices_world() -> DevicesWorld:
    commune = make_commune(lon=2.40, lat=48.55, insee_code="91386", name="Mennecy")
    other = make_commune(lon=2.43, lat=48.575, insee_code="91468", name="Ormoy")
    gateway, token = make_gateway(commune, "gw-mennecy")
    gauge = make_device(commune, "essonne-mennecy", gateway=gateway)
    air = make_device(commune, "air-mennecy", kind=DeviceKind.AIR_QUALITY,
                      quantities=(Quantity.PM10, Quantity.NO2, Quantity.SIGNAL))
    other_gauge = make_device(other, "essonne-ormoy")
    return DevicesWorld(commune, other, gauge, air, other_gauge, gateway, token)


def readings(device: str, quantity: str, values_at: list[tuple[datetime, float]]) -> Parsed:
    return Parsed(readings=[Reading(device=device, quantity=quantity, observed_at=at, value=value)
                            for at, value in values_at])
