"""Smart Data Models `Device` and `Camera` exports (dataModel.Device), NGSI-LD key-values form.

One entity per device, valid against the model's JSON Schema (tests/test_registry_sdm.py checks it offline). The
platform's quantities map to the model's `controlledProperty` vocabulary; what the model has no attribute for
(model, expected reporting interval, expected firmware, gateway) goes to `configuration` as parameter/value pairs.
Credentials are never exported: no token, no hash, no MQTT client id, no default-credential flag.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils.text import slugify

from confiance.devices.choices import Quantity
from confiance.devices.models import Device

NGSI_LD_CONTEXT = [
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Device/master/context.jsonld",
    "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld",
]
ENTITY_PREFIX = "urn:ngsi-ld:Device:"

# Platform quantity -> Smart Data Models `controlledProperty` (None: nothing in the vocabulary fits).
CONTROLLED_PROPERTY: dict[str, str | None] = {
    Quantity.WATER_LEVEL: "waterLevel",
    Quantity.FLOW: "waterFlow",
    Quantity.PM10: "airPollution",
    Quantity.PM25: "airPollution",
    Quantity.NO2: "airPollution",
    Quantity.O3: "airPollution",
    Quantity.NOISE_LAEQ: "noiseLevel",
    Quantity.RAINFALL: "precipitation",
    Quantity.TEMPERATURE: "temperature",
    Quantity.HUMIDITY: "humidity",
    Quantity.WIND_SPEED: "windSpeed",
    Quantity.SMOKE: "smoke",
    Quantity.CONTACT_OPEN: "gateOpening",
    Quantity.BATTERY: "batteryLife",
    Quantity.SIGNAL: None,
}


def entity_id(identifier: str) -> str:
    return f"{ENTITY_PREFIX}{identifier}"


def _when(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def device_entity(device: Device, *, with_context: bool = True) -> dict[str, Any]:
    """The device as a `Device` entity, key-values (`device.quantities`, `commune` and `gateway` preloaded)."""
    properties: list[str] = []
    for quantity in device.quantities.all():
        name = CONTROLLED_PROPERTY.get(quantity.quantity)
        if name and name not in properties:
            properties.append(name)
    configuration = [{"parameter": "reportingInterval", "value": f"{device.reporting_interval_s} s"},
                     {"parameter": "measuredQuantities",
                      "value": ",".join(q.quantity for q in device.quantities.all())}]
    if device.model:
        configuration.append({"parameter": "model", "value": device.model})
    if device.expected_firmware_version:
        configuration.append({"parameter": "expectedFirmwareVersion", "value": device.expected_firmware_version})
    if device.gateway_id is not None and device.gateway is not None:
        configuration.append({"parameter": "gateway", "value": device.gateway.identifier})
    entity: dict[str, Any] = {
        "id": entity_id(device.identifier),
        "type": "Device",
        "name": device.name,
        "deviceCategory": ["sensor"],
        "controlledProperty": properties,
        "location": {"type": "Point", "coordinates": [device.lon, device.lat]},
        "address": {"addressLocality": device.commune.name, "addressCountry": "FR",
                    **({"streetAddress": device.address} if device.address else {})},
        "configuration": configuration,
        "deviceState": device.state,
        "dateCreated": _when(device.created_at),
        "dateModified": _when(device.updated_at),
        "dataProvider": "Confiance",
    }
    if device.manufacturer:
        entity["provider"] = device.manufacturer
    if device.owner:
        entity["owner"] = [f"urn:ngsi-ld:Organization:{slugify(device.owner) or 'inconnu'}"]
    if device.firmware_version:
        entity["firmwareVersion"] = device.firmware_version
    if device.battery_pct is not None:
        entity["batteryLevel"] = round(min(max(device.battery_pct, 0.0), 100.0) / 100.0, 3)
    if device.signal_dbm is not None:
        entity["rssi"] = device.signal_dbm
    if device.last_seen_at is not None:
        entity["dateLastValueReported"] = _when(device.last_seen_at)
    if with_context:
        entity["@context"] = NGSI_LD_CONTEXT
    return entity


# --- Smart Data Models `Camera` (dataModel.Device/Camera) -----------------------------------------------------------
# The legal record goes to the model's attributes where they exist (name, type, usage, orientation, location) and the
# rest (purposes, authorisation, retention) to `description`-like plain attributes the model allows as extra
# properties. The stream link, the VMS reference and the privacy masks are never exported.

CAMERA_PREFIX = "urn:ngsi-ld:Camera:"
TRAFFIC_PURPOSES = {"traffic_regulation", "traffic_offences"}


def camera_entity(camera, *, with_context: bool = True) -> dict[str, Any]:
    """The camera as a `Camera` entity, key-values (`camera.device.commune` preloaded)."""
    device = camera.device
    usage = "TRAFFIC" if set(camera.purposes) and set(camera.purposes) <= TRAFFIC_PURPOSES else "SURVEILLANCE"
    entity: dict[str, Any] = {
        "id": f"{CAMERA_PREFIX}{device.identifier}",
        "type": "Camera",
        "name": device.name,
        "cameraName": device.name,
        "cameraType": camera.camera_type,
        "cameraUsage": usage,
        "location": {"type": "Point", "coordinates": [device.lon, device.lat]},
        "address": {"addressLocality": device.commune.name, "addressCountry": "FR",
                    **({"streetAddress": device.address} if device.address else {})},
        "on": bool(device.active),
        "purposes": list(camera.purposes),
        "authorisationReference": camera.authorisation_reference,
        "authorisationDate": camera.authorisation_date.isoformat(),
        "retentionDays": camera.retention_days,
        "dateCreated": _when(camera.created_at),
        "dateModified": _when(camera.updated_at),
        "dataProvider": "Confiance",
    }
    if camera.direction_deg is not None:
        entity["cameraOrientation"] = {"comments": f"azimut {camera.direction_deg}°"
                                       + (f", angle {camera.angle_deg}°" if camera.angle_deg else "")}
    if with_context:
        entity["@context"] = [
            "https://raw.githubusercontent.com/smart-data-models/dataModel.Device/master/context.jsonld",
            "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"]
    return entity
