"""OTV reads: a commune's rules, the homes to watch on a day (person records: every read is logged with its motive
by the caller's view), the figures of the police side and the aggregates of the analytics indicators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.prevention.choices import PassageOutcome, RegistrationStatus
from confiance.prevention.models import OtvPassage, OtvRegistration, OtvRules


def otv_rules_for(*, commune_id: int) -> OtvRules | None:
    """The commune's rules (None: the commune does not offer OTV online)."""
    return OtvRules.objects.filter(commune_id=commune_id).select_related("commune").first()


def otv_communes() -> QuerySet[OtvRules]:
    """The communes whose residents may register online, by name (public: the form's commune list)."""
    return OtvRules.objects.filter(open=True).select_related("commune").order_by("commune__name")


def otv_commune_ids(actor: Actor) -> frozenset[int]:
    """The communes whose OTV homes the actor may see: police municipale and supervision only (never an élu nor a
    technicien, LEGAL.md)."""
    return actor.commune_ids(Permission.PREVENTION_VIEW)


def _watched_on(day: date) -> Q:
    return Q(status=RegistrationStatus.ACTIVE, leaves_on__lte=day, returns_on__gte=day)


def homes_to_watch(*, actor: Actor, commune_id: int, day: date,
                   sector_id: int | None = None) -> QuerySet[OtvRegistration]:
    """The homes of a commune (and sector) whose residents are away on `day`, with their passages counted."""
    actor.require(Permission.PREVENTION_VIEW, commune_id)
    rows = OtvRegistration.objects.filter(_watched_on(day), commune_id=commune_id)
    if sector_id is not None:
        rows = rows.filter(sector_id=sector_id)
    return (rows.select_related("sector")
            .annotate(passage_count=Count("passages"), last_passage=Max("passages__passed_at"),
                      anomaly_count=Count("passages", filter=Q(passages__outcome=PassageOutcome.ANOMALY)))
            .order_by("sector__name", "address", "pk"))


def registration_get_for_actor(*, actor: Actor, registration_id: int) -> OtvRegistration:
    """One registration the actor may watch (NotFound for another commune's, PermissionDenied for an élu's look)."""
    registration = OtvRegistration.objects.filter(pk=registration_id).select_related("commune", "sector").first()
    actor.require(Permission.PREVENTION_VIEW, registration.commune_id if registration else None)
    assert registration is not None  # require raised otherwise
    return registration


def passages_of(registration: OtvRegistration) -> QuerySet[OtvPassage]:
    return registration.passages.select_related("agent").order_by("passed_at")


@dataclass(frozen=True)
class OtvFigures:
    """The police side's figures for a period: registrations, passages, anomalies, homes never visited."""

    registrations: int
    passages: int
    anomalies: int
    never_visited: int
    passages_per_home: float | None


def otv_figures(*, actor: Actor, commune_id: int, start: date, end: date) -> OtvFigures:
    """Figures over the homes watched at some point in [start, end] (their passages in that period)."""
    actor.require(Permission.PREVENTION_VIEW, commune_id)
    return _figures(commune_ids={commune_id}, start=start, end=end)


def _figures(*, commune_ids: set[int] | frozenset[int], start: date, end: date) -> OtvFigures:
    homes = OtvRegistration.objects.filter(commune_id__in=commune_ids, leaves_on__lte=end, returns_on__gte=start,
                                           status=RegistrationStatus.ACTIVE)
    in_period = Q(passages__passed_at__date__gte=start, passages__passed_at__date__lte=end)
    counted = homes.annotate(visits=Count("passages", filter=in_period))
    registrations = counted.count()
    passages = OtvPassage.objects.filter(registration__in=homes, passed_at__date__gte=start,
                                         passed_at__date__lte=end)
    total = passages.count()
    return OtvFigures(registrations=registrations, passages=total,
                      anomalies=passages.filter(outcome=PassageOutcome.ANOMALY).count(),
                      never_visited=counted.filter(visits=0).count(),
                      passages_per_home=round(total / registrations, 1) if registrations else None)


def otv_indicator_counts(*, commune_ids: set[int] | frozenset[int], since: datetime, until: datetime
                         ) -> dict[str, int]:
    """Aggregates for the analytics "avant" indicators: homes watched in [since, until), passages made in it.

    Counts only: the analytics app coarsens and masks them for readers who may not see the homes."""
    start = timezone.localdate(since)
    end = timezone.localdate(until)  # the period ends before `until`: a home leaving that day is not in it
    homes = OtvRegistration.objects.filter(commune_id__in=commune_ids, leaves_on__lt=end, returns_on__gte=start,
                                           status=RegistrationStatus.ACTIVE)
    passages = OtvPassage.objects.filter(commune_id__in=commune_ids, passed_at__gte=since, passed_at__lt=until)
    return {"homes": homes.count(), "passages": passages.count(),
            "anomalies": passages.filter(outcome=PassageOutcome.ANOMALY).count()}
