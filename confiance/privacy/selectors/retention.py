"""The retention dashboard: every rule, what the next run would remove (a dry run's counts), the last runs, holds."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from confiance.privacy.choices import RetentionAction
from confiance.privacy.models import RetentionRun
from confiance.privacy.retention_engine import registered_rules
from confiance.privacy.selectors.register import duration_text


@dataclass(frozen=True)
class RuleStatus:
    name: str
    model_label: str
    description: str
    duration: str
    action: str
    due: int | None  # None when counting failed (a model of another branch not migrated yet)
    last_processed: int | None


@dataclass(frozen=True)
class LegalHold:
    label: str
    count: int


def retention_dashboard() -> tuple[list[RuleStatus], RetentionRun | None, list[RetentionRun]]:
    now = timezone.now()
    runs = list(RetentionRun.objects.order_by("-started_at")[:10])
    last = runs[0] if runs else None
    processed = {item.get("rule"): item.get("processed") for item in (last.outcomes if last else [])}
    statuses = []
    for rule in registered_rules():
        try:
            with transaction.atomic():  # a savepoint: a failed count leaves PostgreSQL's transaction usable
                due: int | None = rule.due(now).count()
        except Exception:  # a rule whose table is missing must not take the dashboard down
            due = None
        statuses.append(RuleStatus(rule.name, str(rule.model_class()._meta.verbose_name_plural), rule.description,
                                   duration_text(rule), str(RetentionAction(rule.action).label), due,
                                   processed.get(rule.name)))
    return statuses, last, runs


# Where other apps keep legal holds (an extraction for a judicial requisition): probed, so the dashboard works
# before and after they exist. (app label, model, filter on a hold in force, label)
_HOLD_SOURCES = (
    # The register of extractions (devices/models/cameras.py): a span is held until the hold is released.
    ("devices", "Extraction", {"hold_released_at__isnull": True}, "Extractions vidéo sous conservation judiciaire"),
)


def legal_holds() -> list[LegalHold]:
    holds, seen = [], set()
    for app_label, model_name, lookup, label in _HOLD_SOURCES:
        if label in seen:
            continue
        try:
            model = apps.get_model(app_label, model_name)
            with transaction.atomic():
                count = model.objects.filter(**lookup).count()
        except Exception:  # noqa: S112 - not installed, or of another shape: nothing to show from it
            continue
        seen.add(label)
        holds.append(LegalHold(label, count))
    return holds
