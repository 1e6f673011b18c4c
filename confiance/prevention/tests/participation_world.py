"""Fixtures of the Participation citoyenne and réserve tests: two communes with sectors, agents of each role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.tests.factories import make_agent
from confiance.operations.tests.factories import configure_commune
from confiance.prevention.drafts import ObservationDraft, ProtocolDraft, ReferentDraft
from confiance.prevention.models import Referent
from confiance.prevention.services.participation import protocol_record, referent_name
from confiance.territory.models import Commune, Sector
from confiance.territory.tests.factories import make_commune, make_sector

# Mennecy is the square 2.40..2.42 x 48.55..48.57; sector A its south-west quarter, sector B south-east.
IN_A = (48.555, 2.405)
IN_B = (48.555, 2.415)
IN_OTHER = (48.58, 2.44)


def actor(commune: Commune, role: str) -> Actor:
    return Actor(agent=make_agent(password=None, communes=[commune], role=role))


@dataclass
class World:
    commune: Commune
    other: Commune
    sector_a: Sector
    sector_b: Sector
    other_sector: Sector
    elected: Actor
    agent: Actor
    operator: Actor
    chef: Actor
    technician: Actor
    dpo: Actor
    other_elected: Actor
    referent: Referent
    token: str


def protocol_draft(signed_on: date | None = None, **changes) -> ProtocolDraft:
    values = {"signed_on": signed_on or timezone.localdate() - timedelta(days=100), "mayor": "Le maire",
              "prefect": "La préfète de l'Essonne", "force": "gendarmerie", "commander": "Commandant de brigade",
              "contact_email": "brigade@gendarmerie.test"} | changes
    return ProtocolDraft(**values)


def observation_draft(point=IN_A, **changes) -> ObservationDraft:
    values = {"kind": "vehicule_reperage", "occurred_at": timezone.now() - timedelta(minutes=10), "lat": point[0],
              "lon": point[1], "address": "Rue de la Poste", "vehicle_type": "utilitaire", "vehicle_colour": "blanc",
              "direction": "nord", "text": "Passe trois fois au ralenti devant les pavillons."} | changes
    return ObservationDraft(**values)


def make_world() -> World:
    commune = make_commune(lon=2.40, lat=48.55, insee_code="91386", name="Mennecy")
    other = make_commune(lon=2.43, lat=48.575, insee_code="91468", name="Ormoy")
    configure_commune(commune)
    sector_a = make_sector(commune=commune, code="A", lon=2.40, lat=48.55)
    sector_b = make_sector(commune=commune, code="B", lon=2.41, lat=48.55)
    other_sector = make_sector(commune=other, code="O", lon=2.43, lat=48.575)
    elected = actor(commune, "elected_official")
    protocol_record(actor=elected, commune_id=commune.pk, draft=protocol_draft())
    referent, token = referent_name(actor=elected, commune_id=commune.pk, draft=ReferentDraft(
        sector_id=sector_a.pk, first_name="Claire", last_name="Martin", email="claire@example.test",
        phone="06 12 34 56 78"))
    return World(commune=commune, other=other, sector_a=sector_a, sector_b=sector_b, other_sector=other_sector,
                 elected=elected, agent=actor(commune, "police_agent"), operator=actor(commune, "csu_operator"),
                 chef=actor(commune, "shift_supervisor"), technician=actor(commune, "technical_agent"),
                 dpo=actor(commune, "dpo"), other_elected=actor(other, "elected_official"), referent=referent,
                 token=token)
