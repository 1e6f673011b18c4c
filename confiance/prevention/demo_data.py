"""Demo data of the prevention app (loaded by `confiance demo load`, replayable without duplicates)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.models import Agent
from confiance.addresses.models import Address
from confiance.core.errors import ApplicationError
from confiance.prevention.drafts import RegistrationDraft
from confiance.prevention.models import OtvPassage, OtvRegistration, OtvRules
from confiance.prevention.services.otv import registration_submit
from confiance.prevention.services.otv_passages import passage_log
from confiance.territory.models import Commune

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


def load(*, actor, stdout) -> None:
    if not settings.DEMO_MODE:
        raise RuntimeError("Les données de démonstration ne sont chargées qu'en mode démo.")
    _load_otv(stdout)
