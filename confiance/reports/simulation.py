"""Demo simulator step for reports: new reports arrive, agents handle some, overdue ones are flagged."""

from __future__ import annotations

import random

from django.utils import timezone

from confiance.core.actors import PublicActor
from confiance.reports.demo_data import advance, draft_for, handler_actor, hotspots_for
from confiance.reports.models import Category, ClientApplication, Report
from confiance.reports.services.submission import report_submit
from confiance.reports.services.sweeps import reports_sweep
from confiance.territory.models import Commune

_hotspots: dict[int, list] = {}


def step(*, rng: random.Random, stdout) -> None:
    now = timezone.now()
    if rng.random() < 0.7:
        commune = rng.choice(list(Commune.objects.all()))
        categories = list(Category.objects.filter(commune=commune, active=True).prefetch_related("attributes"))
        if categories:
            if commune.pk not in _hotspots:
                _hotspots[commune.pk] = hotspots_for(random.Random(commune.pk), commune)
            category = rng.choice(categories)
            draft = draft_for(rng, commune, category, _hotspots[commune.pk])
            client = ClientApplication.objects.filter(active=True).first() if draft.source == "open311" else None
            submission = report_submit(actor=PublicActor("citoyen (site)"), draft=draft, client=client, now=now)
            stdout.write(f"signalement n° {submission.report.pk} ({category.name}, {commune.name})")
    handler = handler_actor()
    for report in Report.objects.filter(is_open=True).order_by("?")[: rng.randint(0, 2)]:
        advance(rng, handler, report, now)
    outcome = reports_sweep(now=now)
    if outcome["overdue"]:
        stdout.write(f"{outcome['overdue']} signalement(s) en retard signalé(s)")
