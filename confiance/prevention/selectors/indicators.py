"""Counts of the prevention app for analytics' "avant" indicators; no personal data, no access log (aggregates)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.prevention.models import Observation, Referent

# --- Participation citoyenne ---------------------------------------------------------------------

def referent_figures(*, commune_ids: set[int] | frozenset[int], until: datetime) -> dict[int, int]:
    """Referents in office at `until`, per commune (named before, not revoked by then)."""
    rows = (Referent.objects.filter(commune_id__in=commune_ids, named_at__lt=until)
            .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gte=until))
            .values("commune_id").annotate(count=Count("pk")))
    return {row["commune_id"]: row["count"] for row in rows}


def observation_figures(*, commune_ids: set[int] | frozenset[int], since: datetime, until: datetime
                        ) -> dict[int, int]:
    """Observations received in [since, until), per commune."""
    rows = (Observation.objects.filter(commune_id__in=commune_ids, created_at__gte=since, created_at__lt=until)
            .values("commune_id").annotate(count=Count("pk")))
    return {row["commune_id"]: row["count"] for row in rows}


def avant_counts(*, actor: Actor, commune_id: int, since: datetime, until: datetime, previous_since: datetime
                 ) -> dict[str, tuple[int, int, bool]]:
    """The "avant" counts of analytics for one commune, current and previous period, and whether the actor may
    not see the records they count (analytics then masks the counts under its threshold)."""
    scope = {commune_id}
    sees_referents = actor.can(Permission.PREVENTION_MANAGE, commune_id) or actor.can(Permission.PREVENTION_VIEW,
                                                                                      commune_id)
    return {
        "referents": (referent_figures(commune_ids=scope, until=until).get(commune_id, 0),
                      referent_figures(commune_ids=scope, until=since).get(commune_id, 0), not sees_referents),
        "observations": (
            observation_figures(commune_ids=scope, since=since, until=until).get(commune_id, 0),
            observation_figures(commune_ids=scope, since=previous_since, until=since).get(commune_id, 0),
            not actor.can(Permission.PREVENTION_VIEW, commune_id)),
    }
