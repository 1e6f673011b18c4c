"""Alerts test fixtures: a commune with a sector, an operator, a chef de poste, an élu, and drafts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.tests.factories import make_actor
from confiance.alerts.drafts import AlertDraft
from confiance.territory.models import Commune, Sector
from confiance.territory.tests.factories import make_commune, make_sector


def square_area(lon: float = 2.405, lat: float = 48.555, size: float = 0.005) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}


def flood_draft(**changes) -> AlertDraft:
    now = timezone.now()
    values = {"event": "Crue de l'Essonne", "headline": "Crue : évacuez les bords de l'Essonne",
                  "category": "Met", "response_type": "Evacuate", "urgency": "Immediate", "severity": "Severe",
                  "certainty": "Observed", "risk": "flood", "description": "La rivière dépasse la cote d'alerte.",
                  "instruction": "Quittez les rez-de-chaussée du quartier du Moulin.", "onset": now,
                  "expires": now + timedelta(hours=6), "area_description": "Quartier du Moulin", "area": square_area()}
    values.update(changes)
    return AlertDraft(**values)


@dataclass
class AlertsWorld:
    commune: Commune
    other: Commune
    sector: Sector
    operator: Actor
    chief: Actor
    elected: Actor
    police: Actor
    outsider: Actor
    extra: dict = field(default_factory=dict)


def make_alerts_world() -> AlertsWorld:
    commune = make_commune(lon=2.40, lat=48.55, insee_code="91386", name="Mennecy")
    other = make_commune(lon=2.43, lat=48.575, insee_code="91468", name="Ormoy")
    sector = make_sector(commune=commune, code="moulin", lon=2.40, lat=48.55)
    return AlertsWorld(
        commune=commune, other=other, sector=sector,
        operator=make_actor(communes=[commune], role="csu_operator", password=None),
        chief=make_actor(communes=[commune], role="shift_supervisor", password=None),
        elected=make_actor(communes=[commune], role="elected_official", password=None),
        police=make_actor(communes=[commune], role="police_agent", password=None),
        outsider=make_actor(communes=[other], role="shift_supervisor", password=None))
