"""The hypervision API, one module per concern: ingestion (gateways, NGSI-LD), registry, alarms.

Each module defines its own `router`; this package mounts them under `/api/v1/devices`.
"""

from ninja import Router

router = Router(tags=["Hypervision"])

from confiance.devices.api import alarms  # noqa: E402

router.add_router("", alarms.router)
