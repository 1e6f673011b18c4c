"""The access log for the DPO: consultations of person records, filtered, with the reads worth a question flagged.

Flags: an agent reading far more than the commune's other readers (more than FLAG_FACTOR times the median, and at
least FLAG_MIN_READS), reads outside working hours (Europe/Paris), reads without a motive code, and reads of
another commune's records when no crisis sharing was in force (in particular after one ended).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from confiance.privacy.choices import ACCESS_MOTIVE_CODES, JournalKind
from confiance.privacy.models import AuditEntry

FLAG_FACTOR = 3
FLAG_MIN_READS = 5
REVIEW_MAX_ROWS = 5000  # rows a page or an export reads at most; narrow the filters past it


@dataclass(frozen=True)
class AccessFilters:
    commune_ids: tuple[int, ...]
    agent_id: int | None = None
    target_type: str = ""
    motive: str = ""
    start: date | None = None
    end: date | None = None


@dataclass
class ReviewRow:
    entry: AuditEntry
    flags: list[str] = field(default_factory=list)


@dataclass
class AccessReview:
    rows: list[ReviewRow]
    heavy_readers: list[tuple[str, int, float]]  # actor label, reads, median of the commune
    truncated: bool
    counts: Counter = field(default_factory=Counter)


def access_entries(filters: AccessFilters) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.filter(kind=JournalKind.ACCESS, commune_id__in=list(filters.commune_ids))
    if filters.agent_id:
        entries = entries.filter(actor_id=filters.agent_id)
    if filters.target_type:
        entries = entries.filter(target_type=filters.target_type)
    if filters.motive:
        entries = entries.filter(motive__icontains=filters.motive)
    zone = timezone.get_current_timezone()
    if filters.start:
        entries = entries.filter(created_at__gte=datetime.combine(filters.start, time.min, zone))
    if filters.end:
        entries = entries.filter(created_at__lt=datetime.combine(filters.end + timedelta(days=1), time.min, zone))
    return entries.order_by("-id")


def _working_hours() -> tuple[int, int]:
    return settings.CONFIANCE_WORKING_HOURS_START, settings.CONFIANCE_WORKING_HOURS_END


def _heavy(entries: QuerySet[AuditEntry]) -> tuple[set[tuple[int, int]], list[tuple[str, int, float]]]:
    """(commune, actor) pairs reading more than FLAG_FACTOR times their commune's median."""
    per_actor = (entries.filter(actor_id__isnull=False).order_by().values("commune_id", "actor_id", "actor_label")
                 .annotate(reads=Count("id")))
    by_commune: dict[int, list[dict]] = {}
    for row in per_actor:
        by_commune.setdefault(row["commune_id"], []).append(row)
    pairs, listed = set(), []
    for commune_id, rows in by_commune.items():
        median = statistics.median(row["reads"] for row in rows)
        for row in rows:
            if row["reads"] >= FLAG_MIN_READS and row["reads"] > FLAG_FACTOR * median:
                pairs.add((commune_id, row["actor_id"]))
                listed.append((row["actor_label"], row["reads"], float(median)))
    return pairs, sorted(listed, key=lambda item: -item[1])


def _member_communes(actor_ids: set[int]) -> dict[int, set[int]]:
    from confiance.accounts.models import Membership

    found: dict[int, set[int]] = {}
    for agent_id, commune_id in Membership.objects.filter(agent_id__in=actor_ids).values_list("agent_id",
                                                                                              "commune_id"):
        found.setdefault(agent_id, set()).add(commune_id)
    return found


def _sharings(commune_ids: set[int]) -> list[tuple[set[int], datetime, datetime | None]]:
    from confiance.territory.models import CrisisSharing

    sharings = CrisisSharing.objects.filter(communes__in=commune_ids).distinct().prefetch_related("communes")
    return [({commune.pk for commune in sharing.communes.all()}, sharing.started_at, sharing.ended_at)
            for sharing in sharings]


def _outside_commune_flag(entry: AuditEntry, homes: set[int], sharings) -> str:
    if entry.commune_id in homes:
        return ""
    for communes, started, ended in sharings:
        if entry.commune_id in communes and communes & homes and started <= entry.created_at and (
                ended is None or entry.created_at <= ended):
            return ""
    ended_before = any(entry.commune_id in communes and communes & homes and ended is not None
                       and ended < entry.created_at for communes, _started, ended in sharings)
    return "après la fin du partage de crise" if ended_before else "hors de sa commune, sans partage de crise"


def access_review(filters: AccessFilters) -> AccessReview:
    entries = access_entries(filters)
    heavy_pairs, heavy_list = _heavy(entries)
    rows = [ReviewRow(entry) for entry in entries.select_related(None)[:REVIEW_MAX_ROWS + 1]]
    truncated = len(rows) > REVIEW_MAX_ROWS
    rows = rows[:REVIEW_MAX_ROWS]
    actor_ids = {row.entry.actor_id for row in rows if row.entry.actor_id}
    homes = _member_communes(actor_ids)
    sharings = _sharings({row.entry.commune_id for row in rows if row.entry.commune_id})
    start_hour, end_hour = _working_hours()
    counts: Counter = Counter()
    for row in rows:
        entry = row.entry
        if (entry.commune_id, entry.actor_id) in heavy_pairs:
            row.flags.append("lectures très supérieures à celles des autres agents")
        hour = timezone.localtime(entry.created_at).hour
        if not start_hour <= hour < end_hour:
            row.flags.append("hors des heures de service")
        if entry.extra.get("motive_code") not in ACCESS_MOTIVE_CODES:
            row.flags.append("sans code de motif")
        if entry.actor_id:
            outside = _outside_commune_flag(entry, homes.get(entry.actor_id, set()), sharings)
            if outside:
                row.flags.append(outside)
        counts.update(row.flags)
    return AccessReview(rows, heavy_list, truncated, counts)


def target_type_label(target_type: str) -> str:
    """"territory.Zone" in words ("Zone"); a type no longer known stays as stored."""
    try:
        name = str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type
    return f"{name[:1].upper()}{name[1:]}"


def reader_choices(commune_ids: tuple[int, ...]) -> list[tuple[int, str]]:
    """The agents who read person records in these communes (for the filter)."""
    rows = (AuditEntry.objects.filter(Q(kind=JournalKind.ACCESS), commune_id__in=list(commune_ids),
                                      actor_id__isnull=False)
            .order_by().values_list("actor_id", "actor_label").distinct()[:500])
    return sorted(set(rows), key=lambda item: item[1])


def target_type_choices(commune_ids: tuple[int, ...]) -> list[str]:
    return sorted(set(AuditEntry.objects.filter(kind=JournalKind.ACCESS, commune_id__in=list(commune_ids))
                      .order_by().values_list("target_type", flat=True).distinct()[:100]))
