"""Reads of analysis runs and of imported datasets, for an actor."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import Max, Min, QuerySet
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.analytics import disclosure
from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode
from confiance.analytics.models import AnalysisRun, Dataset, DatasetEvent
from confiance.core.errors import NotFoundError

# --- Runs and datasets ----------------------------------------------------------------------------

def run_get_for_actor(*, actor: Actor, run_id: str) -> AnalysisRun:
    """A run the actor asked for, or one on communes they may all analyse; a run that places events more finely
    than the protected form only for those who may see each of its sources event by event (``disclosure``)."""
    run = AnalysisRun.objects.filter(pk=run_id).first() if _is_uuid(run_id) else None
    if run is None:
        raise NotFoundError(message=_("Analyse introuvable."))
    if not disclosure.may_read_run(actor, run) or (run.result and not disclosure.check_result(run.result)):
        raise NotFoundError(message=_("Analyse introuvable."))
    return run


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def run_list_for_actor(*, actor: Actor, limit: int = 20) -> list[AnalysisRun]:
    """The actor's latest runs they may still read (a detailed run of a dataset they no longer see one by one is
    left out, as its page would be)."""
    runs = AnalysisRun.objects.filter(created_by=actor.agent).order_by("-created_at")[:limit]
    return [run for run in runs if disclosure.may_read_run(actor, run)]


def dataset_list_for_actor(*, actor: Actor) -> QuerySet[Dataset]:
    """The datasets of the communes the actor may analyse, with the dates of their first and last events."""
    return (Dataset.objects.filter(commune_id__in=actor.commune_ids(Permission.ANALYTICS_VIEW))
            .select_related("commune", "created_by")
            .annotate(first_event=Min("points__occurred_at"), last_event=Max("points__occurred_at")))


def dataset_get_for_actor(*, actor: Actor, dataset_id: int) -> Dataset:
    dataset = Dataset.objects.filter(pk=dataset_id).select_related("commune").first()
    if dataset is None or not actor.can(Permission.ANALYTICS_VIEW, dataset.commune_id):
        raise NotFoundError(message=_("Jeu de données introuvable."))
    return dataset


def require_dataset_area(dataset: Dataset, commune_ids: list[int]) -> None:
    """A dataset covers its own commune: its analysis is over that commune, and that commune alone."""
    if list(commune_ids) != [dataset.commune_id]:
        raise AnalysisInputError(AnalyticsErrorCode.DATASET_OTHER_COMMUNE, _(
            "Le jeu de données « %(name)s » ne couvre que la commune de %(commune)s : l'analyse porte sur cette "
            "seule commune.") % {"name": dataset.name, "commune": dataset.commune.name}, field="dataset_id")


def dataset_first_event(*, actor: Actor, dataset_id: int) -> datetime | None:
    """When the dataset's first event happened: before it, the dataset says nothing (not zero)."""
    dataset = dataset_get_for_actor(actor=actor, dataset_id=dataset_id)
    first: datetime | None = DatasetEvent.objects.filter(dataset=dataset).aggregate(first=Min("occurred_at"))["first"]
    return first
