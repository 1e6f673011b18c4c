"""Demo simulator step for police operations: units patrol and drive to their missions, calls come in, the
operator engages the recommended unit, crews report their milestones, interventions are closed."""

from __future__ import annotations

import math
import random
import secrets
from datetime import timedelta

from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.choices import Role
from confiance.accounts.models import Agent
from confiance.accounts.services import agent_create, membership_grant
from confiance.core.geo import degree_lengths
from confiance.operations.choices import InterventionStatus, Milestone, PositionSource
from confiance.operations.demo_data import random_point_in
from confiance.operations.dispatch import recommend
from confiance.operations.drafts import EntryDraft, InterventionDraft, PositionFix
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.models import Assignment, Intervention, InterventionType, Nature, Unit
from confiance.operations.services.interventions import intervention_close, intervention_create, intervention_step_done
from confiance.operations.services.logbook import log_entry_create
from confiance.operations.services.positions import positions_store
from confiance.operations.services.units import assignment_engage, assignment_milestone
from confiance.territory.models import Commune

INTERVAL = 3  # seconds: units move smoothly on the console
PATROL_KMH, URGENT_KMH = 30, 55
TIME_LAPSE = 3  # units cover three steps of road per step, so that a newcomer sees them move
_targets: dict[int, tuple[float, float]] = {}
_ticks = {"count": 0}
SIMULATOR_USERNAME = "simulateur"


def simulator_actor() -> Actor:
    """The simulator's own operator account: what it creates carries it, and it touches nothing else.

    A person trying the demo as « operateur » creates interventions under that account; the simulator, when it
    used the same account, engaged, drove and closed them as its own. It cannot sign in (no usable password).
    """
    agent = Agent.objects.filter(username=SIMULATOR_USERNAME).first()
    if agent is None:
        agent = agent_create(actor=None, username=SIMULATOR_USERNAME, password=secrets.token_urlsafe(24),
                             first_name="Simulateur", last_name="de la démo")
        agent.set_unusable_password()
        agent.save(update_fields=["password"])
        for commune in Commune.objects.all():
            membership_grant(actor=None, agent=agent, commune=commune, role=Role.CSU_OPERATOR)
    return Actor(agent=agent)


def _toward(lat: float, lon: float, target: tuple[float, float], metres: float) -> tuple[float, float, bool]:
    ky, kx = degree_lengths(lat)
    dy, dx = (target[0] - lat) * ky, (target[1] - lon) * kx
    distance = math.hypot(dx, dy)
    if distance <= metres:
        return target[0], target[1], True
    return lat + dy / distance * metres / ky, lon + dx / distance * metres / kx, False


def _move_units(rng: random.Random, now, communes: dict[int, Commune]) -> None:
    fixes = []
    actor = simulator_actor()
    current = dict(Assignment.objects.filter(finished_at__isnull=True).values_list("unit_id", "id"))
    assignments = {a.pk: a for a in Assignment.objects.filter(pk__in=current.values())
                   .select_related("intervention", "unit")}
    for unit in Unit.objects.filter(active=True).exclude(milestone__in=[Milestone.OFF_DUTY]):
        if unit.lat is None:
            unit.lat, unit.lon = random_point_in(rng, communes[unit.commune_id])
        assignment = assignments.get(current.get(unit.pk))
        if assignment is not None and assignment.intervention.created_by_id != actor.agent.pk:
            continue  # engaged by a person on a person's intervention: its crew reports, not the simulator
        if assignment is not None and assignment.on_scene_at is None:
            target = (assignment.intervention.lat, assignment.intervention.lon)
            speed = URGENT_KMH if assignment.intervention.priority == 1 else PATROL_KMH + 10
            if assignment.en_route_at is None:
                assignment_milestone(actor=actor, assignment=assignment, step="en_route_at", now=now)
                continue
            lat, lon, arrived = _toward(unit.lat, unit.lon, target, speed / 3.6 * INTERVAL * TIME_LAPSE)
            if arrived:
                assignment_milestone(actor=actor, assignment=assignment, step="on_scene_at", now=now)
        elif assignment is not None:
            continue  # on scene: the unit stays put
        else:
            if unit.pk not in _targets or rng.random() < 0.05:
                _targets[unit.pk] = random_point_in(rng, communes[unit.commune_id])
            lat, lon, arrived = _toward(unit.lat, unit.lon, _targets[unit.pk], PATROL_KMH / 3.6 * INTERVAL * TIME_LAPSE)
            if arrived:
                _targets.pop(unit.pk, None)
        fixes.append((unit.pk, PositionFix(lat=lat, lon=lon, recorded_at=now, accuracy_m=8,
                                           speed_kmh=PATROL_KMH), PositionSource.SIMULATION))
    positions_store(fixes, now)


# What a caller says, per nature: the simulated entry's text always matches its nature.
CALL_TEXTS = {
    "tapage": ("Appel : musique forte chez un voisin, signalée par le requérant.",
               "Appel : nuisances sonores persistantes dans la rue."),
    "stationnement": ("Appel : véhicule stationné devant une sortie de garage.",
                      "Appel : voiture garée sur le trottoir, gêne pour les piétons."),
    "accident": ("Appel : accrochage entre deux véhicules, pas de blessé annoncé.",
                 "Appel : accident matériel au carrefour, circulation ralentie."),
    "differend": ("Appel : différend entre voisins au sujet d'une haie.",
                  "Appel : dispute de voisinage, ton qui monte."),
    "animal": ("Appel : chien errant sur la chaussée.",),
    "objet": ("Appel : portefeuille trouvé sur un banc.",),
    "surveillance": ("Appel : demande de passage d'une patrouille.",),
    "depot": ("Appel : dépôt sauvage de gravats en bordure de chemin.",),
}


def call_text(rng: random.Random, nature: Nature) -> str:
    """A caller's words for this nature (its own label when the simulator knows no wording for it)."""
    texts = CALL_TEXTS.get(nature.code)
    return rng.choice(texts) if texts else f"Appel : {nature.label.lower()}."


def _new_call(rng: random.Random, now, communes: list[Commune], actor: Actor, stdout) -> None:
    commune = rng.choice(communes)
    kinds = list(InterventionType.objects.filter(commune=commune, active=True))
    natures = {n.code: n for n in Nature.objects.filter(commune=commune, active=True)}
    # A call of a kind that has its nature of the same code, so that the entry says what the intervention is.
    kind = rng.choice([k for k in kinds if k.code in natures] or kinds)
    nature = natures.get(kind.code)
    lat, lon = random_point_in(rng, commune)
    entry = None
    if nature is not None:
        try:
            entry = log_entry_create(actor=actor, commune_id=commune.pk, now=now, draft=EntryDraft(
                nature_id=nature.pk, source="appel", text=call_text(rng, nature), lat=lat, lon=lon,
                address=f"près du point {lat:.4f}, {lon:.4f}"))
        except OperationsError as error:
            if error.code != OperationsErrorCode.DAY_SIGNED:
                raise  # the day is signed: the call is handled without a main courante entry
    intervention = intervention_create(actor=actor, commune_id=commune.pk, now=now, draft=InterventionDraft(
        type_id=kind.pk, lat=lat, lon=lon, origin="appel", log_entry_id=entry.pk if entry else None,
        description="Appel simulé (démo)."))
    stdout.write(f"intervention {intervention.number} ({kind.label}, {commune.name})")


def _dispatch_waiting(rng: random.Random, now, actor: Actor) -> None:
    for intervention in Intervention.objects.filter(
            status=InterventionStatus.OPEN, created_by=actor.agent, created_at__lte=now - timedelta(seconds=20),
    ).select_related("commune")[:3]:
        result = recommend(intervention=intervention, now=now)
        if result.candidates:
            assignment_engage(actor=actor, intervention=intervention, now=now, recommended_rank=1,
                              unit=Unit.objects.get(pk=result.candidates[0].unit_id))


def _finish_on_scene(rng: random.Random, now, actor: Actor) -> None:
    for assignment in Assignment.objects.filter(
            finished_at__isnull=True, intervention__created_by=actor.agent,
            on_scene_at__lte=now - timedelta(seconds=rng.randint(40, 120)),
    ).select_related("intervention", "unit")[:3]:
        intervention = assignment.intervention
        for step in intervention.steps.filter(done_at__isnull=True, skipped=False):
            intervention_step_done(actor=actor, intervention=intervention, step_id=step.pk, now=now)
        intervention_close(actor=actor, intervention=intervention, now=now,
                           reason=rng.choice(["traite", "traite", "sans_suite", "infonde"]))


def step(*, rng: random.Random, stdout) -> None:
    now = timezone.now()
    communes = {commune.pk: commune for commune in Commune.objects.all()}
    if not communes or not Unit.objects.exists():
        return
    actor = simulator_actor()
    _move_units(rng, now, communes)
    _ticks["count"] += 1
    if _ticks["count"] % 5:  # calls and handling at the pace of a busy evening, not every 3 s
        return
    own_open = Intervention.objects.filter(created_by=actor.agent).exclude(status=InterventionStatus.CLOSED)
    if own_open.count() < 6 and rng.random() < 0.5:
        _new_call(rng, now, list(communes.values()), actor, stdout)
    _dispatch_waiting(rng, now, actor)
    _finish_on_scene(rng, now, actor)
