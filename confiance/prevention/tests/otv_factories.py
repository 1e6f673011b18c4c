"""OTV test fixtures: two communes (A with two sectors), their rules, agents of every kind, a registration maker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.tests.factories import make_agent
from confiance.prevention.drafts import RegistrationDraft
from confiance.prevention.models import OtvRegistration, OtvRules
from confiance.prevention.services.otv import registration_submit
from confiance.territory.models import Commune, Sector
from confiance.territory.tests.factories import make_commune, make_sector

# Commune A is the square 2.40..2.42 x 48.55..48.57 (sector "nord" its north-west quarter); B is east of it.
HOME_A = (48.565, 2.405)
HOME_A_SOUTH = (48.553, 2.415)
HOME_B = (48.585, 2.445)


@dataclass
class OtvWorld:
    commune: Commune
    other: Commune
    north: Sector
    south: Sector
    rules: OtvRules
    agent: Actor
    operator: Actor
    other_agent: Actor
    elected: Actor
    technician: Actor


def actor(communes, role: str) -> Actor:
    return Actor(agent=make_agent(password=None, communes=communes, role=role))


def make_otv_world() -> OtvWorld:
    commune = make_commune(lon=2.40, lat=48.55, insee_code="91386", name="Mennecy")
    other = make_commune(lon=2.43, lat=48.575, insee_code="91468", name="Ormoy")
    north = make_sector(commune=commune, code="nord", lon=2.40, lat=48.56)
    south = make_sector(commune=commune, code="sud", lon=2.41, lat=48.55)
    rules = OtvRules.objects.create(commune=commune, min_days_ahead=2, min_absence_days=2, max_absence_days=60,
                                    max_days_ahead=120, secondary_residence=False)
    OtvRules.objects.create(commune=other)
    return OtvWorld(commune=commune, other=other, north=north, south=south, rules=rules,
                    agent=actor([commune], "police_agent"), operator=actor([commune], "csu_operator"),
                    other_agent=actor([other], "police_agent"), elected=actor([commune], "elected_official"),
                    technician=actor([commune], "technical_agent"))


def draft(world: OtvWorld, *, leaves_in: int = 5, days: int = 10, point=HOME_A, commune=None,
          **changes) -> RegistrationDraft:
    today = timezone.localdate()
    values = {"commune_id": (commune or world.commune).pk, "last_name": "Martin", "first_name": "Claire",
              "address": "12 Rue de l'Église, 91540 Mennecy", "lat": point[0], "lon": point[1],
              "residence": "principale", "leaves_on": today + timedelta(days=leaves_in),
              "returns_on": today + timedelta(days=leaves_in + days), "email": "claire.martin@example.org",
              "phone": "06 12 34 56 78"}
    values.update(changes)
    return RegistrationDraft(**values)


def register(world: OtvWorld, **kwargs):
    return registration_submit(draft=draft(world, **kwargs), idempotency_key=uuid.uuid4().hex)


def away_now(world: OtvWorld, *, point=HOME_A, returns_on: date | None = None, **fields) -> OtvRegistration:
    """A registration whose resident is away today (written directly: the form refuses a departure today)."""
    today = timezone.localdate()
    return OtvRegistration.objects.create(
        commune=fields.pop("commune", world.commune), sector=fields.pop("sector", world.north), last_name="Durand",
        first_name="Paul", address=fields.pop("address", "3 Rue des Lilas"), lat=point[0], lon=point[1],
        leaves_on=fields.pop("leaves_on", today - timedelta(days=2)),
        returns_on=returns_on or today + timedelta(days=5), email="paul@example.org", phone="0611223344",
        token_hash=uuid.uuid4().hex, idempotency_key=uuid.uuid4().hex, **fields)
