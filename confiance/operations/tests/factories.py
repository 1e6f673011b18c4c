"""Operations test fixtures: two communes with natures, intervention types, status codes and units."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.tests.factories import make_agent
from confiance.operations.choices import Milestone, Priority, Purpose
from confiance.operations.drafts import EntryDraft, InterventionDraft
from confiance.operations.models import ChecklistStep, InterventionType, Nature, Unit, UnitStatus
from confiance.territory.models import Commune
from confiance.territory.tests.factories import make_commune

# Commune A is the square 2.40..2.42 x 48.55..48.57; commune B is east of it.
POINT_A = (48.56, 2.41)
POINT_B = (48.585, 2.445)

STATUSES = [("1", "Disponible", Milestone.AVAILABLE), ("2", "Engagée", Milestone.ENGAGED),
            ("3", "En route", Milestone.EN_ROUTE), ("4", "Sur place", Milestone.ON_SCENE),
            ("6", "Indisponible", Milestone.UNAVAILABLE), ("9", "Hors service", Milestone.OFF_DUTY)]


@dataclass
class OpsWorld:
    commune: Commune
    other: Commune
    nature: Nature
    infraction: Nature
    other_nature: Nature
    noise: InterventionType
    accident: InterventionType
    other_type: InterventionType
    operator: Actor
    agent: Actor
    chef: Actor
    other_operator: Actor
    elected: Actor
    units: list[Unit]
    other_unit: Unit


def configure_commune(commune: Commune, suffix: str = "") -> tuple[Nature, Nature, InterventionType, InterventionType]:
    for position, (code, label, milestone) in enumerate(STATUSES):
        UnitStatus.objects.create(commune=commune, code=code, label=label, milestone=milestone, position=position)
    nature = Nature.objects.create(commune=commune, code="tapage", label="Tapage" + suffix)
    infraction = Nature.objects.create(commune=commune, code="stationnement", label="Stationnement gênant",
                                       purpose=Purpose.INFRACTIONS)
    noise = InterventionType.objects.create(commune=commune, code="tapage", label="Tapage" + suffix,
                                            priority=Priority.NORMAL)
    ChecklistStep.objects.create(intervention_type=noise, label="Contacter le requérant", mandatory=True, position=1)
    ChecklistStep.objects.create(intervention_type=noise, label="Photo des lieux", position=2)
    accident = InterventionType.objects.create(commune=commune, code="accident", label="Accident",
                                               priority=Priority.URGENT, purpose=Purpose.INFRACTIONS)
    return nature, infraction, noise, accident


def make_unit(commune: Commune, name: str, *, lat: float | None = None, lon: float | None = None,
              milestone: str = Milestone.AVAILABLE, position_age_s: float = 10, agents=()) -> Unit:
    status = UnitStatus.objects.get(commune=commune, milestone=milestone)
    now = timezone.now()
    unit = Unit.objects.create(commune=commune, name=name, status=status, milestone=milestone,
                               status_at=now - timedelta(minutes=5), lat=lat, lon=lon,
                               position_at=now - timedelta(seconds=position_age_s) if lat is not None else None)
    unit.agents.set(agents)
    return unit


def make_actor(**kwargs) -> Actor:
    return Actor(agent=make_agent(password=None, **kwargs))


def make_ops_world() -> OpsWorld:
    commune = make_commune(lon=2.40, lat=48.55, insee_code="91386", name="Mennecy")
    other = make_commune(lon=2.43, lat=48.575, insee_code="91468", name="Ormoy")
    nature, infraction, noise, accident = configure_commune(commune)
    other_nature, _, other_type, _ = configure_commune(other, " (Ormoy)")
    operator = make_actor(communes=[commune], role="csu_operator")
    agent = make_actor(communes=[commune], role="police_agent")
    chef = make_actor(communes=[commune], role="shift_supervisor")
    other_operator = make_actor(communes=[other], role="csu_operator")
    elected = make_actor(communes=[commune], role="elected_official")
    units = [make_unit(commune, "PM 1", lat=48.561, lon=2.411, agents=[agent.agent]),
             make_unit(commune, "PM 2", lat=48.555, lon=2.418),
             make_unit(commune, "PM 3", lat=48.569, lon=2.401, position_age_s=3600)]
    other_unit = make_unit(other, "Ormoy 1", lat=48.584, lon=2.444)
    return OpsWorld(commune, other, nature, infraction, other_nature, noise, accident, other_type, operator, agent,
                    chef, other_operator, elected, units, other_unit)


def entry(world: OpsWorld, text: str = "Musique forte signalée au 3 rue des Lilas.", **kwargs) -> EntryDraft:
    return EntryDraft(nature_id=kwargs.pop("nature_id", world.nature.pk), source=kwargs.pop("source", "appel"),
                      text=text, **kwargs)


def call(world: OpsWorld, point=POINT_A, **kwargs) -> InterventionDraft:
    return InterventionDraft(type_id=kwargs.pop("type_id", world.noise.pk), lat=point[0], lon=point[1], **kwargs)


def ago(**kwargs) -> datetime:
    return timezone.now() - timedelta(**kwargs)


def code_of(excinfo) -> str:
    """The error code of a raised ApplicationError."""
    return excinfo.value.code
