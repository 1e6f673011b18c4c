"""Demo simulator step of the prevention app (`confiance simulate`)."""


from __future__ import annotations

import random
import uuid

from django.utils import timezone

from confiance.addresses.models import Address
from confiance.core.errors import ApplicationError
from confiance.operations.simulation import simulator_actor
from confiance.prevention.demo_data import observation_for, otv_draft
from confiance.prevention.errors import PreventionError
from confiance.prevention.models import Mobilisation, OtvRegistration, Referent, ReserveVolunteer
from confiance.prevention.services.otv import registration_submit
from confiance.prevention.services.otv_passages import passage_log
from confiance.prevention.services.participation import observation_submit
from confiance.prevention.services.reserve import mobilisation_answer
from confiance.territory.models import Commune

INTERVAL = 20  # seconds: a registration or a passage now and then, at the pace of a summer evening

# --- Opération Tranquillité Vacances ---------------------------------------------------------


def _otv_register(rng: random.Random) -> None:
    commune = rng.choice(list(Commune.objects.filter(otv_rules__open=True))) if \
        Commune.objects.filter(otv_rules__open=True).exists() else None
    address = Address.objects.filter(commune=commune).order_by("?").first() if commune else None
    if address is None:
        return
    draft = otv_draft(rng, commune, address, rng.randint(3, 30), rng.randint(4, 21), timezone.localdate())
    try:
        registration_submit(draft=draft, idempotency_key=uuid.uuid4().hex)
    except ApplicationError:
        return


def _otv_passage(rng: random.Random) -> None:
    today = timezone.localdate()
    home = (OtvRegistration.objects.filter(status="active", leaves_on__lte=today, returns_on__gte=today)
            .order_by("?").first())
    if home is None:
        return
    anomaly = rng.random() < 0.05
    try:
        passage_log(actor=simulator_actor(), registration_id=home.pk, outcome="anomalie" if anomaly else "ras",
                    note="Boîte aux lettres débordante" if anomaly else "")
    except ApplicationError:  # the simulator's account has no right in that commune, the day is signed
        return


def _otv_step(rng: random.Random) -> None:
    if rng.random() < 0.3:
        _otv_register(rng)
    if rng.random() < 0.6:
        _otv_passage(rng)

# --- end of Opération Tranquillité Vacances --------------------------------------------------


OBSERVATION_CHANCE = 0.25  # about one observation every 80 s over the demo territory


def step(*, rng: random.Random, stdout) -> None:
    _otv_step(rng)
    if rng.random() < OBSERVATION_CHANCE:
        referent = Referent.objects.filter(revoked_at__isnull=True).select_related("sector").order_by("?").first()
        if referent is not None:
            try:
                observation = observation_submit(referent=referent, draft=observation_for(
                    rng, referent.sector, timezone.now()))
            except PreventionError:
                return
            stdout.write(f"Observation {observation.pk} ({observation.get_kind_display()}) de {referent.sector}")
    mobilisation = Mobilisation.objects.filter(closed_at__isnull=True).order_by("-created_at").first()
    if mobilisation is not None and rng.random() < 0.5:
        volunteer = (ReserveVolunteer.objects.filter(commune_id=mobilisation.commune_id, left_on__isnull=True)
                     .exclude(answers__mobilisation=mobilisation).order_by("?").first())
        if volunteer is not None:
            mobilisation_answer(mobilisation_id=mobilisation.pk, volunteer_id=volunteer.pk,
                                answer="disponible" if rng.random() < 0.6 else "indisponible")
