"""Demo data of the prevention app (loaded by `confiance demo load`, replayable without duplicates)."""


from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from shapely.geometry import Point, shape

from confiance.accounts.access import Actor
from confiance.accounts.models import Agent
from confiance.addresses.models import Address
from confiance.core.errors import ApplicationError
from confiance.prevention.choices import (
    Direction,
    ObservationKind,
    ReserveAvailability,
    ReserveSkill,
    VehicleColour,
    VehicleType,
)
from confiance.prevention.drafts import (
    MissionDraft,
    MobilisationDraft,
    ObservationDraft,
    ProtocolDraft,
    ReferentDraft,
    RegistrationDraft,
    VolunteerDraft,
)
from confiance.prevention.errors import PreventionError
from confiance.prevention.links import referent_page_url
from confiance.prevention.models import (
    OtvPassage,
    OtvRegistration,
    OtvRules,
    ParticipationProtocol,
    Referent,
    ReserveVolunteer,
)
from confiance.prevention.services.otv import registration_submit
from confiance.prevention.services.otv_passages import passage_log
from confiance.prevention.services.participation import (
    observation_follow_up,
    observation_submit,
    protocol_record,
    referent_name,
)
from confiance.prevention.services.reserve import (
    mission_assign,
    mission_create,
    mission_hours_record,
    mobilisation_answer,
    mobilisation_close,
    mobilisation_start,
    volunteer_enrol,
)
from confiance.territory.models import Commune, Sector

ORDER = 45  # after operations (natures, the main courante) and addresses

# --- Opération Tranquillité Vacances ---------------------------------------------------------

OTV_PER_COMMUNE = 24
FIRST_NAMES = ["Claire", "Paul", "Sophie", "Luc", "Nadia", "Hugo", "Inès", "Marc", "Léa", "Karim", "Anne", "Yves"]
LAST_NAMES = ["Lambert", "Garcia", "Roux", "Fontaine", "Chevalier", "Blanc", "Guérin", "Muller", "Henry", "Perrin"]
NOTES = ["", "", "Portail vert, chien chez le voisin", "Lumière programmée le soir", "Voiture laissée devant",
         "Accès par l'allée à gauche", ""]


def otv_draft(rng: random.Random, commune: Commune, address: Address, leaves_in: int, days: int,
              today) -> RegistrationDraft:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return RegistrationDraft(
        commune_id=commune.pk, last_name=last, first_name=first, address=address.label, lat=address.lat,
        lon=address.lon, residence="principale", leaves_on=today + timedelta(days=leaves_in),
        returns_on=today + timedelta(days=leaves_in + days),
        email=f"{first.lower()}.{last.lower()}@demo.confiance.invalid".replace("è", "e").replace("é", "e"),
        phone=f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        contact_name=rng.choice(["", "", "M. Voisin (voisin)"]), alarm=rng.random() < 0.3,
        patrol_notes=rng.choice(NOTES))


def _otv_registrations(rng: random.Random, commune: Commune) -> int:
    """Homes away now, leaving soon and back already: registered as if the form had been sent days before."""
    today = timezone.localdate()
    addresses = list(Address.objects.filter(commune=commune).order_by("pk"))
    if not addresses:
        return 0
    created = 0
    for index in range(OTV_PER_COMMUNE):
        leaves_in = rng.randint(-12, 20)
        sent_on = today + timedelta(days=min(leaves_in, 0) - rng.randint(3, 10))
        draft = otv_draft(rng, commune, rng.choice(addresses), leaves_in, rng.randint(4, 21), today)
        try:
            submission = registration_submit(draft=draft, idempotency_key=f"demo-otv-{commune.insee_code}-{index}",
                                             today=sent_on)
        except ApplicationError:  # an address the territory places elsewhere: skipped
            continue
        created += bool(submission.token)
    return created


def _otv_passages(rng: random.Random, commune: Commune, agent: Agent | None) -> int:
    """Passages of the last two days at the homes away, a few with an anomaly."""
    if agent is None or OtvPassage.objects.filter(commune=commune).exists():
        return 0
    actor, now, count = Actor(agent=agent), timezone.now(), 0
    today = timezone.localdate()
    for registration in OtvRegistration.objects.filter(commune=commune, leaves_on__lte=today, returns_on__gte=today):
        for hours in sorted(rng.sample(range(2, 44), rng.randint(0, 3)), reverse=True):
            when = now - timedelta(hours=hours)
            if timezone.localdate(when) < registration.leaves_on:
                continue
            anomaly = rng.random() < 0.08
            try:
                passage_log(actor=actor, registration_id=registration.pk, passed_at=when, now=now,
                            outcome="anomalie" if anomaly else "ras",
                            note="Fenêtre entrouverte à l'étage" if anomaly else "")
            except ApplicationError:  # a day already signed in the main courante, a commune not served
                continue
            count += 1
    return count


def _load_otv(stdout) -> None:
    rng = random.Random(19)
    agent = Agent.objects.filter(username="policier").first()
    for commune in Commune.objects.order_by("insee_code"):
        OtvRules.objects.get_or_create(commune=commune, defaults={
            "contact_text": f"Police municipale de {commune.name}"})
        created = _otv_registrations(rng, commune)
        passages = _otv_passages(rng, commune, agent) if agent and agent.memberships.filter(
            commune=commune).exists() else 0
        if created or passages:
            stdout.write(f"OTV {commune.name} : {created} inscriptions, {passages} passages")

# --- end of Opération Tranquillité Vacances --------------------------------------------------


# Participation citoyenne and the réserve communale (loaded after OTV, same ORDER).

# --- Participation citoyenne ---------------------------------------------------------------------

PROTOCOL_COMMUNES = {"91386": ("Jean-Philippe Dugoin-Clément", 45), "91468": ("Le maire d'Ormoy", 400)}
REFERENT_NAMES = [("Martine", "Lemoine"), ("Gérard", "Fontaine"), ("Sylvie", "Carpentier"), ("Bernard", "Roussel"),
                  ("Nadia", "Benali"), ("Hervé", "Gauthier")]
OBSERVATION_TEXTS = ["", "", "Passe plusieurs fois au ralenti.", "Portail d'un pavillon resté ouvert.",
                     "Bruit de moteur tard dans la nuit.", "Stationné depuis trois jours, pneu crevé.",
                     "Tag sur l'abribus.", "Démarchage pour un faux contrôle des compteurs."]


def elected_actor(commune: Commune) -> Actor:
    agent = (Agent.objects.filter(username="elu", memberships__commune=commune).first()
             or Agent.objects.filter(is_superuser=True).first())
    return Actor(agent=agent)


def police_actor() -> Actor:
    return Actor(agent=Agent.objects.filter(username="chef").first() or Agent.objects.filter(is_superuser=True).first())


def point_in(rng: random.Random, sector: Sector) -> tuple[float, float]:
    polygon = shape(sector.geometry)
    west, south, east, north = polygon.bounds
    for _ in range(1000):
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if polygon.contains(Point(lon, lat)):
            return lat, lon
    return sector.centroid_lat, sector.centroid_lon


def observation_for(rng: random.Random, sector: Sector, occurred_at) -> ObservationDraft:
    lat, lon = point_in(rng, sector)
    kind = rng.choice(ObservationKind.values)
    vehicle = rng.choice(VehicleType.values) if kind in ("vehicule_reperage", "rodeo", "vehicule_abandonne") else ""
    return ObservationDraft(
        kind=kind, occurred_at=occurred_at, lat=lat, lon=lon,
        vehicle_type=vehicle, vehicle_colour=rng.choice(VehicleColour.values) if vehicle else "",
        direction=rng.choice(Direction.values) if vehicle else "", text=rng.choice(OBSERVATION_TEXTS))


def _participation(rng: random.Random, stdout) -> None:
    today, now = timezone.localdate(), timezone.now()
    police = police_actor()
    for code, (mayor, age_days) in PROTOCOL_COMMUNES.items():
        commune = Commune.objects.filter(insee_code=code).first()
        if commune is None or ParticipationProtocol.objects.filter(commune=commune).exists():
            continue
        elected = elected_actor(commune)
        protocol_record(actor=elected, commune_id=commune.pk, draft=ProtocolDraft(
            signed_on=today - timedelta(days=3 * 365 - age_days) if age_days < 365 else today - timedelta(
                days=age_days), mayor=mayor, prefect="Le préfet de l'Essonne", force="gendarmerie",
            commander="Commandant de la compagnie d'Évry", contact_email=f"brigade.{code}@gendarmerie.invalid"))
        for index, sector in enumerate(Sector.objects.filter(commune=commune).order_by("code")):
            first, last = REFERENT_NAMES[(index + len(code)) % len(REFERENT_NAMES)]
            referent, token = referent_name(actor=elected, commune_id=commune.pk, draft=ReferentDraft(
                sector_id=sector.pk, first_name=first, last_name=last,
                email=f"referent.{code}.{sector.code}@demo.confiance.invalid", phone="06 00 00 00 00"))
            if index == 0:
                stdout.write(f"Participation citoyenne : page du référent {referent} ({sector.name}) : "
                             f"{referent_page_url(token)}")
            for _ in range(rng.randint(2, 5)):
                at = now - timedelta(days=rng.uniform(0.2, 6.5))
                try:
                    observation = observation_submit(referent=referent, draft=observation_for(rng, sector, at),
                                                     now=at + timedelta(minutes=rng.randint(2, 40)))
                except PreventionError:
                    continue
                if rng.random() < 0.7:
                    observation_follow_up(actor=police, observation=observation, status="prise_en_compte",
                                          note="Merci, une patrouille passera dans le secteur.")
    stdout.write(f"Participation citoyenne : {Referent.objects.count()} référents")


# --- Réserve communale ---------------------------------------------------------------------------

VOLUNTEERS = [("Alain", "Morel"), ("Brigitte", "Girard"), ("Cédric", "André"), ("Danielle", "Mercier"),
              ("Éric", "Blanc"), ("Françoise", "Guerin"), ("Gilles", "Boyer"), ("Hélène", "Garnier"),
              ("Isabelle", "Chevalier"), ("Julien", "François"), ("Karine", "Legrand"), ("Luc", "Gauthier")]


def _reserve(rng: random.Random, stdout) -> None:
    commune = Commune.objects.filter(insee_code="91386").first()
    if commune is None or ReserveVolunteer.objects.filter(commune=commune).exists():
        return
    elected = elected_actor(commune)
    volunteers = [volunteer_enrol(actor=elected, commune_id=commune.pk, draft=VolunteerDraft(
        first_name=first, last_name=last, email=f"reserve.{index}@demo.confiance.invalid",
        phone=f"06 10 00 00 {index:02d}", skills=rng.sample(ReserveSkill.values, rng.randint(1, 3)),
        availability=rng.sample(ReserveAvailability.values, rng.randint(1, 3))))
        for index, (first, last) in enumerate(VOLUNTEERS)]
    mobilisation = mobilisation_start(actor=elected, commune_id=commune.pk, draft=MobilisationDraft(
        title="Crue de l'Essonne : accueil au gymnase", message="Accueil des riverains évacués au gymnase "
        "René-Guitton, de 18 h à minuit. Merci de répondre."))
    for volunteer in volunteers:
        if rng.random() < 0.8:
            mobilisation_answer(mobilisation_id=mobilisation.pk, volunteer_id=volunteer.pk,
                                answer="disponible" if rng.random() < 0.6 else "indisponible")
    mission = mission_create(actor=elected, commune_id=commune.pk, draft=MissionDraft(
        title="Accueil des évacués", place="Gymnase René-Guitton", mobilisation_id=mobilisation.pk,
        starts_at=timezone.now() - timedelta(days=3, hours=6), ends_at=timezone.now() - timedelta(days=3)))
    for volunteer in volunteers[:4]:
        assignment = mission_assign(actor=elected, mission=mission, volunteer_id=volunteer.pk)
        mission_hours_record(actor=elected, assignment=assignment, hours=str(rng.choice([4, 5.5, 6])))
    mobilisation_close(actor=elected, mobilisation=mobilisation)
    stdout.write(f"Réserve communale : {len(volunteers)} réservistes, une mobilisation passée")


def load(*, actor, stdout) -> None:
    if not settings.DEMO_MODE:
        raise RuntimeError("Les données de démonstration ne sont chargées qu'en mode démo.")
    _load_otv(stdout)
    rng = random.Random(19)
    _participation(rng, stdout)
    _reserve(rng, stdout)
