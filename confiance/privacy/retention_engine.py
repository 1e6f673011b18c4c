"""The retention engine: apps declare rules in their retention.py; `confiance retention run` applies them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from confiance.privacy.choices import RetentionAction

_rules: dict[str, RetentionRule] = {}


@dataclass(frozen=True)
class RetentionRule:
    """Records of `model` whose `date_field` is older than `max_age` get `action`."""

    name: str
    model: str
    date_field: str
    max_age: Callable[[], timedelta]
    action: RetentionAction
    description: str
    pending: Callable[[], models.Q] = field(default=lambda: models.Q())
    anonymise: dict[str, Any] = field(default_factory=dict)
    before_delete: Callable[[models.QuerySet], None] | None = None
    # Rules run by (order, name): rows that point to others go first (their own archive, then deletion).
    order: int = 100

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def due(self, now: datetime) -> models.QuerySet:
        cutoff = now - self.max_age()
        return self.model_class().objects.filter(self.pending(), **{f"{self.date_field}__lt": cutoff})


def register(rule: RetentionRule) -> RetentionRule:
    """Declare a rule (called at import time of an app's retention.py)."""
    _rules[rule.name] = rule
    return rule


def registered_rules() -> list[RetentionRule]:
    autodiscover_modules("retention")
    return sorted(_rules.values(), key=lambda rule: (rule.order, rule.name))


@dataclass
class RuleOutcome:
    rule: str
    action: str
    processed: int = 0
    archive: str = ""


def archive_dir() -> Path:
    return Path(getattr(settings, "CONFIANCE_ARCHIVE_DIR", settings.BASE_DIR / "var" / "archives"))


def apply_rule(rule: RetentionRule, *, now: datetime, batch_size: int, dry_run: bool = False) -> RuleOutcome:
    """Apply one rule in batches until nothing is due; running it twice does nothing more."""
    outcome = RuleOutcome(rule=rule.name, action=rule.action)
    if dry_run:
        outcome.processed = rule.due(now).count()
        return outcome
    while True:
        ids = list(rule.due(now).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return outcome
        with transaction.atomic():
            batch = rule.model_class().objects.filter(pk__in=ids)
            if rule.action == RetentionAction.ANONYMISE:
                batch.update(**rule.anonymise)
            else:
                if rule.action == RetentionAction.EXPORT_THEN_DELETE:
                    outcome.archive = str(_export(rule, batch, now))
                if rule.before_delete:
                    rule.before_delete(batch)
                batch.delete()
        outcome.processed += len(ids)


def _export(rule: RetentionRule, batch: models.QuerySet, now: datetime) -> Path:
    folder = archive_dir() / rule.name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now:%Y%m%dT%H%M%S}.jsonl"
    with path.open("a", encoding="utf-8") as handle:
        for record in batch.order_by("pk"):
            row = {"pk": record.pk, **model_to_dict(record)}
            handle.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
        handle.flush()
    return path


def run_all(*, now: datetime | None = None, batch_size: int | None = None, dry_run: bool = False) -> list[RuleOutcome]:
    now = now or timezone.now()
    size = batch_size or settings.CONFIANCE_RETENTION_BATCH_SIZE
    return [apply_rule(rule, now=now, batch_size=size, dry_run=dry_run) for rule in registered_rules()]
