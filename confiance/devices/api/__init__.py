"""The hypervision API, one module per concern: ingestion (gateways, NGSI-LD), registry, alarms, cameras.

Each module defines its own `router`; this package mounts them under `/api/v1/devices`.
"""

from ninja import Router

from confiance.devices.api import alarms, cameras, ingestion, registry, video

router = Router(tags=["Hypervision"])
router.add_router("", ingestion.router)
router.add_router("", alarms.router)
router.add_router("", cameras.router)
router.add_router("", registry.router)
router.add_router("", video.router)
