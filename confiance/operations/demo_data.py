"""Demo police operations: status codes, natures, intervention types, units with crews, the demo road network,
and a few weeks of past interventions so that the interval report and the console are not empty."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from shapely.geometry import Point, shape

from confiance.accounts.access import Actor
from confiance.accounts.models import Agent
from confiance.operations.choices import Milestone, Priority, Purpose
from confiance.operations.drafts import EntryDraft, InterventionDraft
from confiance.operations.models import ChecklistStep, Intervention, InterventionType, Nature, Unit, UnitStatus
from confiance.operations.roads import roads_import
from confiance.operations.services.interventions import intervention_close, intervention_create, intervention_step_done
from confiance.operations.services.logbook import log_entry_create
from confiance.operations.services.positions import tracker_key_hash
from confiance.operations.services.units import assignment_engage, assignment_milestone
from confiance.territory.models import Commune

ORDER = 40
ROADS = Path(__file__).with_name("demo") / "roads.osm"

STATUSES = [
    ("1", "Disponible", Milestone.AVAILABLE, "#1a7f37"),
    ("2", "Engagée", Milestone.ENGAGED, "#9a6700"),
    ("3", "En route", Milestone.EN_ROUTE, "#bc4c00"),
    ("4", "Sur place", Milestone.ON_SCENE, "#cf222e"),
    ("5", "Pause / indisponible", Milestone.UNAVAILABLE, "#57606a"),
    ("9", "Fin de service", Milestone.OFF_DUTY, "#24292f"),
]
NATURES = [
    ("tapage", "Tapage, nuisances sonores", Purpose.OTHER_MISSIONS),
    ("stationnement", "Stationnement gênant ou dangereux", Purpose.INFRACTIONS),
    ("accident", "Accident de la circulation", Purpose.INFRACTIONS),
    ("differend", "Différend de voisinage", Purpose.OTHER_MISSIONS),
    ("animal", "Animal errant ou dangereux", Purpose.OTHER_MISSIONS),
    ("objet", "Objet trouvé", Purpose.OTHER_MISSIONS),
    ("surveillance", "Surveillance, patrouille", Purpose.OTHER_MISSIONS),
    ("depot", "Dépôt sauvage", Purpose.INFRACTIONS),
]
TYPES = [
    ("tapage", "Tapage", Priority.NORMAL, Purpose.OTHER_MISSIONS,
     [("Contacter le requérant", True), ("Constater la nuisance", True), ("Rappel à la réglementation", False)]),
    ("accident", "Accident matériel", Priority.URGENT, Purpose.INFRACTIONS,
     [("Sécuriser les lieux", True), ("Prévenir le SDIS si blessé", True), ("Relever les identités", False)]),
    ("rixe", "Rixe, violences sur la voie publique", Priority.URGENT, Purpose.INFRACTIONS,
     [("Demander le renfort de la police nationale ou de la gendarmerie", True), ("Sécuriser les lieux", True)]),
    ("stationnement", "Stationnement gênant", Priority.NORMAL, Purpose.INFRACTIONS,
     [("Constater l'infraction", True), ("Demander l'enlèvement", False)]),
    ("differend", "Différend", Priority.HIGH, Purpose.OTHER_MISSIONS,
     [("Entendre les parties", True), ("Rendre compte au chef de poste", False)]),
    ("alarme", "Alarme, intrusion", Priority.HIGH, Purpose.OTHER_MISSIONS,
     [("Faire le tour du bâtiment", True), ("Contacter le responsable", True)]),
]
# Units per commune; the first Mennecy unit is the demo "policier"'s crew and has a demo GPS tracker.
UNITS = {"91386": ["PM Mennecy 1", "PM Mennecy 2", "PM Mennecy 3"], "91468": ["PM Ormoy 1"],
         "91204": ["PM Echarcon 1"], "91244": ["PM Fontenay 1"], "91159": ["PM Chevannes 1"],
         "91045": ["PM Ballancourt 1", "PM Ballancourt 2"]}
DEMO_TRACKER = "demo-traceur-1"


def configure(commune: Commune) -> None:
    for position, (code, label, milestone, color) in enumerate(STATUSES):
        UnitStatus.objects.get_or_create(commune=commune, code=code, defaults={
            "label": label, "milestone": milestone, "color": color, "position": position})
    for position, (code, label, purpose) in enumerate(NATURES):
        Nature.objects.get_or_create(commune=commune, code=code,
                                     defaults={"label": label, "purpose": purpose, "position": position})
    for code, label, priority, purpose, steps in TYPES:
        kind, created = InterventionType.objects.get_or_create(
            commune=commune, code=code, defaults={"label": label, "priority": priority, "purpose": purpose})
        if created:
            ChecklistStep.objects.bulk_create([
                ChecklistStep(intervention_type=kind, label=step, mandatory=mandatory, position=index)
                for index, (step, mandatory) in enumerate(steps)])


def random_point_in(rng: random.Random, commune: Commune) -> tuple[float, float]:
    polygon = shape(commune.geometry)
    west, south, east, north = polygon.bounds
    while True:
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if polygon.contains(Point(lon, lat)):
            return lat, lon


def load(*, actor, stdout) -> None:
    if not settings.DEMO_MODE:
        raise RuntimeError("Les données de démonstration ne sont chargées qu'en mode démo.")
    rng = random.Random(4)
    now = timezone.now()
    communes = list(Commune.objects.order_by("insee_code"))
    policier = Agent.objects.filter(username="policier").first()
    for commune in communes:
        configure(commune)
        available = UnitStatus.objects.filter(commune=commune, milestone=Milestone.AVAILABLE).first()
        for name in UNITS.get(commune.insee_code, [f"PM {commune.name}"]):
            lat, lon = random_point_in(rng, commune)
            unit, created = Unit.objects.get_or_create(commune=commune, name=name, defaults={
                "status": available, "milestone": Milestone.AVAILABLE, "status_at": now, "lat": lat, "lon": lon,
                "position_at": now})
            if created and name == "PM Mennecy 1":
                if policier is not None:
                    unit.agents.add(policier)
                key_hash = tracker_key_hash(settings.CONFIANCE_DEMO_TRACKER_KEY)
                Unit.objects.filter(pk=unit.pk).update(tracker_id=DEMO_TRACKER, tracker_key_hash=key_hash)
    result = roads_import(ROADS)
    stdout.write(f"Police municipale : {Unit.objects.count()} unités ; réseau routier de démonstration "
                 f"({result.edges} tronçons) ; traceur « {DEMO_TRACKER} », clé {settings.CONFIANCE_DEMO_TRACKER_KEY}")
    _history(rng, communes, now, stdout)


def operator_actor() -> Actor:
    agent = Agent.objects.filter(username="operateur").first() or Agent.objects.filter(is_superuser=True).first()
    return Actor(agent=agent)


def _history(rng: random.Random, communes: list[Commune], now, stdout) -> None:
    """Closed interventions over the last weeks, with realistic delays, for the interval report."""
    count = settings.CONFIANCE_DEMO_INTERVENTIONS
    if not count or not communes:
        return
    if Intervention.objects.exists():  # loaded before (and the simulator may have units engaged): keep it
        stdout.write(f"Police municipale : {Intervention.objects.count()} interventions déjà présentes.")
        return
    actor = operator_actor()
    if actor.agent is None:
        return
    natures = {c.pk: list(Nature.objects.filter(commune=c)) for c in communes}
    types = {c.pk: list(InterventionType.objects.filter(commune=c)) for c in communes}
    units = {c.pk: list(Unit.objects.filter(commune=c)) for c in communes}
    for index in range(count):
        commune = communes[index % len(communes)]
        kind = rng.choice(types[commune.pk])
        lat, lon = random_point_in(rng, commune)
        created = now - timedelta(days=rng.uniform(1, 60), minutes=rng.uniform(0, 600))
        entry = log_entry_create(actor=actor, commune_id=commune.pk, now=created, draft=EntryDraft(
            nature_id=rng.choice(natures[commune.pk]).pk, lat=lat, lon=lon,
            source=rng.choice(["appel", "patrouille", "videoprotection"]), text=f"{kind.label} signalé.",
            occurred_at=created - timedelta(minutes=rng.uniform(1, 10))))
        intervention = intervention_create(actor=actor, commune_id=commune.pk, now=created, draft=InterventionDraft(
            type_id=kind.pk, lat=lat, lon=lon, origin="appel", log_entry_id=entry.pk,
            description=f"{kind.label} (historique de démonstration)"))
        unit = rng.choice(units[commune.pk])
        engaged = created + timedelta(seconds=rng.lognormvariate(4.5 if kind.priority == 1 else 5.5, 0.5))
        assignment = assignment_engage(actor=actor, intervention=intervention, unit=unit, now=engaged)
        en_route = engaged + timedelta(seconds=rng.uniform(20, 120))
        on_scene = en_route + timedelta(seconds=rng.lognormvariate(6.0, 0.4))
        finished = on_scene + timedelta(seconds=rng.lognormvariate(7.0, 0.5))
        for step, at in (("en_route_at", en_route), ("on_scene_at", on_scene), ("finished_at", finished)):
            assignment_milestone(actor=actor, assignment=assignment, step=step, at=at, now=finished)
        for step in intervention.steps.all():
            intervention_step_done(actor=actor, intervention=intervention, step_id=step.pk, now=finished)
        intervention_close(actor=actor, intervention=intervention, now=finished,
                           reason=rng.choice(["traite", "traite", "traite", "sans_suite", "infonde", "gendarmerie"]))
    stdout.write(f"Police municipale : {count} interventions passées.")
