"""The hand-written SQL of reports gives what the ORM gives for the same question."""

import random
from datetime import timedelta

import pytest
from django.db.models import F, Q
from django.utils import timezone

from confiance.core.geo import distance_m
from confiance.reports.choices import NotificationStatus
from confiance.reports.models import Report, ReportNotification, ReportSubmission
from confiance.reports.sql import (
    Open311Search,
    notifications_claim,
    notifications_mark_sent,
    open311_search,
    reports_version,
    submission_report_id,
)
from confiance.reports.tests.factories import make_world, submit

pytestmark = pytest.mark.django_db
CENTRE = (48.56, 2.41, 700.0)


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def many(world):
    """300 reports over three categories of two communes, with ties on creation time (the id breaks them)."""
    rng = random.Random(5)
    now = timezone.now()
    categories = [world.voirie, world.depot, world.other_voirie]
    rows = []
    for index in range(300):
        moment = now - timedelta(minutes=rng.randrange(0, 500))
        category = categories[index % 3]
        open_ = rng.random() < 0.6
        rows.append(Report(commune=category.commune, category=category, status="nouveau" if open_ else "clos",
                           is_open=open_, lat=48.55 + rng.random() * 0.02, lon=2.40 + rng.random() * 0.02,
                           h3_cell="x", tracking_token=f"t{index}", created_at=moment,
                           updated_at=moment + timedelta(minutes=rng.randrange(0, 60))))
    Report.objects.bulk_create(rows)
    return now, [c.pk for c in categories]


def _orm_ids(search: Open311Search) -> list[int]:
    queryset = Report.objects.all()
    if search.commune_id is not None:
        queryset = queryset.filter(commune_id=search.commune_id)
    if search.category_ids is not None:
        queryset = queryset.filter(category_id__in=search.category_ids)
    if search.is_open is not None:
        queryset = queryset.filter(is_open=search.is_open)
    if search.created_from:
        queryset = queryset.filter(created_at__gte=search.created_from)
    if search.created_to:
        queryset = queryset.filter(created_at__lte=search.created_to)
    if search.updated_after:
        queryset = queryset.filter(updated_at__gt=search.updated_after)
    found = list(queryset.order_by("-created_at", "-id").values_list("id", "lat", "lon"))
    if search.circle:
        lat, lon, radius = search.circle
        found = [row for row in found if distance_m(lat, lon, row[1], row[2]) <= radius + 0.01]
    return [row[0] for row in found]


SEARCHES = {
    "every category": lambda world, now, ids: Open311Search(category_ids=tuple(ids)),
    "two categories, open": lambda world, now, ids: Open311Search(category_ids=tuple(ids[:2]), is_open=True),
    "one category, closed": lambda world, now, ids: Open311Search(category_ids=(world.depot.pk,), is_open=False),
    "commune and window": lambda world, now, ids: Open311Search(
        commune_id=world.commune.pk, created_from=now - timedelta(minutes=300),
        created_to=now - timedelta(minutes=100)),
    "updated after": lambda world, now, ids: Open311Search(updated_after=now - timedelta(minutes=200),
                                                           category_ids=tuple(ids)),
    "circle": lambda world, now, ids: Open311Search(circle=CENTRE, category_ids=tuple(ids)),
    "no category": lambda world, now, ids: Open311Search(category_ids=()),
    "everything": lambda world, now, ids: Open311Search(),
}


@pytest.mark.parametrize("name", SEARCHES)
@pytest.mark.parametrize(("offset", "size"), [(0, 50), (50, 50), (100, 50), (7, 13), (0, 1000)])
def test_open311_search_agrees_with_the_orm_for_every_filter(world, many, name, offset, size):
    """The hand-written Open311 SQL (category heads merged by the database) gives the same pages, in the same
    order, as the plain ORM query with the same filters."""
    now, category_ids = many
    search = SEARCHES[name](world, now, category_ids)
    page = [row["id"] for row in open311_search(search, offset=offset, size=size)]
    assert page == _orm_ids(search)[offset:offset + size], (search, offset, size)


def test_open311_rows_by_id_are_typed_like_the_orm(world, many):
    first_ids = list(Report.objects.order_by("id").values_list("id", flat=True)[:2])
    rows = open311_search(Open311Search(ids=(*first_ids, 10**12)), size=10)
    assert {row["id"] for row in rows} == set(first_ids)
    first = rows[0]
    assert first["created_at"].tzinfo is not None and isinstance(first["is_open"], bool)
    assert first["service_code"] in {"voirie", "depot"} and first["insee_code"] in {"91386", "91468"}
    assert first["photo_id"] is None
    stored = Report.objects.get(pk=first["id"])
    for column in ("created_at", "updated_at", "expected_at"):  # the same instants, to the second
        value = getattr(stored, column)
        assert first[column] == (value.replace(microsecond=0) if value else None), column
    Report.objects.filter(pk=first["id"]).update(expected_at=None)
    assert open311_search(Open311Search(ids=(first["id"],)))[0]["expected_at"] is None


def test_submission_report_id_agrees_with_the_orm(world):
    report = submit(world, description="rejouable")
    stored = ReportSubmission.objects.get(report=report)
    orm = (ReportSubmission.objects.filter(key=stored.key, created_at__gte=stored.created_at)
           .values_list("report_id", flat=True).first())
    assert submission_report_id(key=stored.key, since=stored.created_at) == orm == report.pk
    assert submission_report_id(key=stored.key, since=stored.created_at + timedelta(seconds=1)) is None
    assert submission_report_id(key="inconnue", since=stored.created_at - timedelta(days=1)) is None


def test_reports_version_changes_with_every_new_or_changed_report(world):
    empty = reports_version()
    report = submit(world, description="un")
    added = reports_version()
    assert added != empty and added[0] == report.pk
    Report.objects.filter(pk=report.pk).update(updated_at=timezone.now() + timedelta(seconds=5))
    assert reports_version() != added


def _notifications(now):
    """Rows of every state a sender meets, with ties on creation time (the id breaks them)."""
    states = [(NotificationStatus.PENDING, 0, None), (NotificationStatus.PENDING, 4, None),
              (NotificationStatus.PENDING, 5, None), (NotificationStatus.SENDING, 1, now - timedelta(minutes=1)),
              (NotificationStatus.SENDING, 1, now - timedelta(hours=1)), (NotificationStatus.SENT, 1, None),
              (NotificationStatus.FAILED, 5, None)]
    rows = [ReportNotification(recipient=f"r{index}@example.org", subject=f"s{index}", body=f"b{index}",
                               status=status, attempts=attempts, claimed_at=claimed, claim_token="x" if claimed else "",
                               created_at=now - timedelta(minutes=(index * 7) % 5))
            for index, (status, attempts, claimed) in enumerate(states * 4)]
    return ReportNotification.objects.bulk_create(rows)


def _orm_claimable(now, stale_before, max_attempts, ids=None):
    queryset = ReportNotification.objects.filter(
        (Q(status=NotificationStatus.PENDING) | Q(status=NotificationStatus.SENDING, claimed_at__lt=stale_before))
        & Q(attempts__lt=max_attempts))
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.order_by("created_at", "id")


@pytest.mark.parametrize("limit", [1, 5, 100])
@pytest.mark.parametrize("given", [False, True])
def test_notifications_claim_agrees_with_the_orm(limit, given):
    now = timezone.now()
    rows = _notifications(now)
    stale_before = now - timedelta(minutes=15)
    ids = [row.pk for row in rows[::2]] if given else None
    expected = list(_orm_claimable(now, stale_before, 5, ids).values_list("id", "report_id", "recipient", "subject",
                                                                           "body", "attempts")[:limit])
    claimed = notifications_claim(token="t" * 32, now=now, stale_before=stale_before, max_attempts=5, limit=limit,
                                  ids=ids)
    assert expected, "the fixture has claimable rows"
    assert [(r.pk, r.report_id, r.recipient, r.subject, r.body, r.attempts) for r in claimed] == sorted(expected)
    stored = ReportNotification.objects.filter(claim_token="t" * 32)
    assert sorted(stored.values_list("id", flat=True)) == sorted(row[0] for row in expected)
    assert set(stored.values_list("status", "claimed_at")) == {(NotificationStatus.SENDING, now)}
    # Claimed rows are no longer claimable: a second sender gets what the ORM still finds.
    remaining = list(_orm_claimable(now, stale_before, 5, ids).values_list("id", flat=True)[:limit])
    again = notifications_claim(token="u" * 32, now=now, stale_before=stale_before, max_attempts=5, limit=limit,
                                ids=ids)
    assert not set(remaining) & {row[0] for row in expected}
    assert [row.pk for row in again] == sorted(remaining)
    assert notifications_claim(token="v" * 32, now=now, stale_before=stale_before, max_attempts=5, limit=limit,
                               ids=[]) == []


def test_notifications_mark_sent_agrees_with_the_orm():
    now = timezone.now()
    by_sql, by_orm = _notifications(now)[:7], _notifications(now)[:7]
    for group, token in ((by_sql, "a"), (by_orm, "b")):
        ReportNotification.objects.filter(pk__in=[row.pk for row in group[:5]]).update(claim_token=token)
    sent_at = now + timedelta(seconds=3)
    changed = notifications_mark_sent(ids=[row.pk for row in by_sql], token="a", now=sent_at)
    orm = ReportNotification.objects.filter(pk__in=[row.pk for row in by_orm], claim_token="b").update(
        status=NotificationStatus.SENT, attempts=F("attempts") + 1, sent_at=sent_at, claim_token="")
    assert changed == orm == 5
    fields = ("status", "attempts", "sent_at", "claim_token", "claimed_at", "recipient")
    assert [ReportNotification.objects.filter(pk=row.pk).values_list(*fields).get() for row in by_sql] == [
        ReportNotification.objects.filter(pk=row.pk).values_list(*fields).get() for row in by_orm]
    assert notifications_mark_sent(ids=[], token="a", now=sent_at) == 0
