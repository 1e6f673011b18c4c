"""Helpers of the analytics tests: a citizen, today's date, CSV files of events, queries."""

import io
from datetime import timedelta

from django.utils import timezone

from confiance.analytics.selectors import EventQuery
from confiance.core.actors import PublicActor
from confiance.operations.models import InterventionType

CITIZEN = PublicActor("citoyen (test)")
TODAY = timezone.localdate()


def events_csv(rows) -> bytes:
    out = io.StringIO()
    out.write("date,heure,categorie,lat,lon\n")
    for day, hour, category, lat, lon in rows:
        out.write(f"{day:%d/%m/%Y},{hour},{category},{lat},{lon}\n")
    return out.getvalue().encode()


def event_query(world, **kwargs) -> EventQuery:
    return EventQuery(commune_ids=kwargs.pop("commune_ids", [world.commune.pk]),
                      start=kwargs.pop("start", TODAY - timedelta(days=364)), end=kwargs.pop("end", TODAY), **kwargs)


def world_for_call(world):
    """call() needs the intervention types of the commune, configured by the fixture."""
    world.noise = InterventionType.objects.get(commune=world.commune, code="tapage")
    return world
