"""Demo simulator step of the prevention app: now and then a referent posts an observation of their sector (live on
the police's page), and a volunteer answers an open mobilisation of the réserve."""

from __future__ import annotations

import random

from django.utils import timezone

from confiance.prevention.demo_data import observation_for
from confiance.prevention.errors import PreventionError
from confiance.prevention.models import Mobilisation, Referent, ReserveVolunteer
from confiance.prevention.services.participation import observation_submit
from confiance.prevention.services.reserve import mobilisation_answer

INTERVAL = 20  # seconds
OBSERVATION_CHANCE = 0.25  # about one observation every 80 s over the demo territory


def step(*, rng: random.Random, stdout) -> None:
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
