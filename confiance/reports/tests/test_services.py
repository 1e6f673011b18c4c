"""Submission, routing, SLA, handling, notifications, privacy and tenancy of citizen reports."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import transaction
from django.utils import timezone
from PIL import Image

from confiance.accounts.tests.factories import make_actor
from confiance.core.actors import PublicActor
from confiance.core.errors import NotFoundError
from confiance.core.models import OutboxEvent
from confiance.privacy.models import AuditEntry
from confiance.privacy.retention_engine import run_all
from confiance.reports.choices import DispatchStatus, NotificationStatus, ReportStatus, UpdateKind
from confiance.reports.drafts import Reporter
from confiance.reports.errors import ReportError, ReportErrorCode
from confiance.reports.models import Report, ReportFollower, ReportNotification, ReportPhoto, ReportUpdate
from confiance.reports.notifications import MAX_ATTEMPTS, notification_send
from confiance.reports.selectors import nearby_open_reports, public_history
from confiance.reports.services.follow_up import report_feedback, report_follow, report_reopen_request
from confiance.reports.services.handling import (
    report_bulk_done,
    report_bulk_requalify,
    report_mark_duplicate,
    report_moderate,
    report_reporter_reveal,
    report_respond,
)
from confiance.reports.services.submission import report_submit
from confiance.reports.services.sweeps import overdue_sweep
from confiance.reports.sla import add_working_days
from confiance.reports.tests.factories import POINT_A, POINT_A_SOUTH, draft, jpeg_with_exif, make_world

pytestmark = pytest.mark.django_db
CITIZEN = PublicActor("citoyen (test)")
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def world():
    return make_world()


class Outbox:
    """E-mails queued by the services (they leave after commit; tests run inside one transaction)."""

    def __iter__(self):
        return iter(ReportNotification.objects.order_by("id"))

    def __getitem__(self, index):
        return list(self)[index]

    def __bool__(self):
        return ReportNotification.objects.exists()

    def clear(self):
        ReportNotification.objects.all().delete()


outbox = Outbox()


def submit(world, **kwargs):
    return report_submit(actor=CITIZEN, draft=draft(**kwargs)).report


def test_submission_is_routed_timed_recorded_and_published(world):
    report = submit(world, code="depot", attributes={"volume": "gros", "sacs": "3", "nature": ["verts"]},
                    reporter=Reporter(name="Ana", email="Ana@Example.org", consent=True))
    assert report.commune == world.commune and report.sector == world.sector
    assert report.attributes == {"volume": "gros", "sacs": 3.0, "nature": ["verts"]}
    # The sector rule is not final: police, then the category rule (final) adds the cleaning service.
    assert set(report.dispatches.values_list("destination__name", flat=True)) == {"Police municipale", "Propreté"}
    assert set(report.dispatches.values_list("status", flat=True)) == {DispatchStatus.DELIVERED}
    assert report.expected_at == add_working_days(report.created_at, 3)
    assert [u.kind for u in report.updates.all()] == [UpdateKind.CREATED]
    assert ReportFollower.objects.filter(report=report, email="ana@example.org").exists()
    assert [[m.recipient] for m in outbox] == [["ana@example.org"]]
    assert report.tracking_token in outbox[0].body
    assert AuditEntry.objects.filter(action="reports.submit", target_id=str(report.pk)).exists()
    event = OutboxEvent.objects.get(event_type="reports.created")
    assert event.commune_id == world.commune.pk and event.payload["report_id"] == report.pk
    assert "Ana" not in str(event.payload) and "example.org" not in str(event.payload)


def test_catch_all_rule_and_service_email(world):
    report = submit(world, point=POINT_A_SOUTH)
    dispatch = report.dispatches.get()
    assert dispatch.destination == world.roads and dispatch.status == DispatchStatus.SENT
    assert [outbox[0].recipient] == ["voirie@example.org"] and "Nouveau signalement" in outbox[0].subject
    assert report.agency_responsible == "Voirie"


class CountingBackend(locmem.EmailBackend):
    """The test mail transport: counts connections opened and refuses mail to addresses containing "panne"."""

    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return True

    def send_messages(self, messages):
        if any("panne" in address for message in messages for address in message.to):
            raise ConnectionRefusedError("serveur de messagerie injoignable")
        return super().send_messages(messages)


def test_notifications_leave_together_over_one_connection(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    mail.outbox = []
    CountingBackend.opened = 0
    for index in range(3):
        submit(world, description=f"n° {index}", reporter=Reporter(email=f"ana{index}@example.org", consent=True))
    queued = ReportNotification.objects.count()  # the reporters' receipts and the services' e-mails
    assert queued >= 3 and notification_send() == (queued, 0)
    assert CountingBackend.opened == 1
    assert {f"ana{i}@example.org" for i in range(3)} <= {message.to[0] for message in mail.outbox}
    assert len(mail.outbox) == queued
    sent = ReportNotification.objects.all()
    assert {(n.status, n.attempts) for n in sent} == {(NotificationStatus.SENT, 1)}
    assert all(n.sent_at is not None for n in sent)
    assert notification_send() == (0, 0)  # nothing is sent twice


def test_a_refused_notification_is_retried_then_given_up_the_others_leave(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    mail.outbox = []
    submit(world, description="a", reporter=Reporter(email="ana@example.org", consent=True))
    submit(world, description="b", reporter=Reporter(email="panne@example.org", consent=True))
    assert notification_send() == (ReportNotification.objects.count() - 1, 1)
    refused = ReportNotification.objects.get(recipient="panne@example.org")
    assert refused.status == NotificationStatus.PENDING and refused.attempts == 1
    assert "injoignable" in refused.last_error
    for _ in range(MAX_ATTEMPTS - 1):
        notification_send()
    refused.refresh_from_db()
    assert refused.status == NotificationStatus.FAILED and refused.attempts == MAX_ATTEMPTS
    assert ["ana@example.org"] in [message.to for message in mail.outbox]
    assert ["panne@example.org"] not in [message.to for message in mail.outbox]


def test_working_days_skip_weekends_and_french_holidays():
    friday = datetime(2026, 12, 24, 10, 0, tzinfo=PARIS)  # Thursday 24, Christmas Friday 25
    assert add_working_days(friday, 1) == datetime(2026, 12, 28, 10, 0, tzinfo=PARIS)
    saturday = datetime(2026, 5, 2, 15, 0, tzinfo=PARIS)
    assert add_working_days(saturday, 1) == datetime(2026, 5, 5, 0, 0, tzinfo=PARIS)
    before_may_day = datetime(2026, 4, 30, 9, 0, tzinfo=PARIS)  # Friday 1 May is a holiday
    assert add_working_days(before_may_day, 1) == datetime(2026, 5, 4, 9, 0, tzinfo=PARIS)


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"point": (91.0, 2.4)}, ReportErrorCode.LOCATION_INVALID),
    ({"point": (47.0, 1.0)}, ReportErrorCode.OUTSIDE_TERRITORY),
    ({"code": "inconnu"}, ReportErrorCode.CATEGORY_UNKNOWN),
    ({"code": "depot"}, ReportErrorCode.ATTRIBUTE_MISSING),
    ({"code": "depot", "attributes": {"volume": "énorme"}}, ReportErrorCode.ATTRIBUTE_INVALID),
    ({"code": "depot", "attributes": {"volume": "gros", "sacs": "beaucoup"}}, ReportErrorCode.ATTRIBUTE_INVALID),
    ({"code": "depot", "attributes": {"volume": "gros", "nature": ["verts", "x"]}}, ReportErrorCode.ATTRIBUTE_INVALID),
    ({"description": "x" * 4001}, ReportErrorCode.DESCRIPTION_TOO_LONG),
    ({"reporter": Reporter(email="ana@example.org")}, ReportErrorCode.CONSENT_REQUIRED),
    ({"reporter": Reporter(email="pas-une-adresse", consent=True)}, ReportErrorCode.CONTACT_INVALID),
    ({"photos": [("photo.jpg", b"%PDF-1.4 not an image")]}, ReportErrorCode.PHOTO_INVALID),
    ({"photos": [("a.jpg", jpeg_with_exif())] * 4}, ReportErrorCode.TOO_MANY_PHOTOS),
])
def test_bad_submissions_are_refused_and_nothing_is_stored(world, kwargs, code):
    with pytest.raises(ReportError) as caught:
        submit(world, **kwargs)
    assert caught.value.code == code and caught.value.message
    assert Report.objects.count() == 0 and ReportUpdate.objects.count() == 0


def test_oversized_photo_is_refused(world, settings):
    settings.CONFIANCE_REPORT_PHOTO_MAX_BYTES = 1000
    with pytest.raises(ReportError) as caught:
        submit(world, photos=[("big.jpg", jpeg_with_exif((400, 400)))])
    assert caught.value.code == ReportErrorCode.PHOTO_TOO_LARGE and caught.value.status_code == 413


def test_photos_are_reencoded_without_metadata(world):
    original = jpeg_with_exif()
    assert b"CameraMaker" in original
    report = submit(world, photos=[("p.jpg", original)])
    photo = ReportPhoto.objects.get(report=report)
    content = bytes(photo.content)
    assert b"CameraMaker" not in content
    image = Image.open(io.BytesIO(content))
    assert image.format == "JPEG" and not image.getexif() and (photo.width, photo.height) == (64, 48)


def test_replayed_submission_returns_the_same_report(world):
    first = report_submit(actor=CITIZEN, draft=draft(description="Trou"))
    again = report_submit(actor=CITIZEN, draft=draft(description="Trou"))
    keyed = report_submit(actor=CITIZEN, draft=draft(description="Autre"), idempotency_key="k1")
    keyed_again = report_submit(actor=CITIZEN, draft=draft(description="Autre texte"), idempotency_key="k1")
    assert first.created and not again.created and again.report.pk == first.report.pk
    assert keyed.created and not keyed_again.created and keyed_again.report.pk == keyed.report.pk
    assert Report.objects.count() == 2


def test_status_history_is_append_only_and_public_view_hides_notes(world):
    handler = make_actor(communes=[world.commune], role="technical_agent")
    report = submit(world, reporter=Reporter(email="ana@example.org", consent=True))
    outbox.clear()
    report_respond(actor=handler, report=report, status=ReportStatus.IN_PROGRESS, public_message="On s'en occupe.",
                   internal_note="Équipe B demain")
    report_respond(actor=handler, report=report, internal_note="Matériel commandé")
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS and report.status_notes == "On s'en occupe."
    assert [[m.recipient] for m in outbox] == [["ana@example.org"]]  # the internal note alone tells nobody
    history = public_history(report=report)
    assert [entry["message"] for entry in history] == ["Signalement reçu.", "On s'en occupe."]
    assert "Équipe" not in str(history) and "Matériel" not in str(history)
    with pytest.raises(ReportError) as caught:
        report_respond(actor=handler, report=report, status=ReportStatus.NEW)
    assert caught.value.code == ReportErrorCode.TRANSITION_REFUSED
    update = report.updates.last()
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - the database refuses, whatever its words
        ReportUpdate.objects.filter(pk=update.pk).update(internal_note="réécrit")
    report_respond(actor=handler, report=report, status=ReportStatus.DONE)
    report.refresh_from_db()
    assert not report.is_open and report.closed_at is not None


def test_agent_of_another_commune_sees_and_changes_nothing(world):
    stranger = make_actor(communes=[world.other], role="technical_agent")
    report = submit(world)
    with pytest.raises(NotFoundError):
        report_respond(actor=stranger, report=report, status=ReportStatus.DONE)
    with pytest.raises(NotFoundError):
        report_reporter_reveal(actor=stranger, report=report, motive="curiosité mal placée")
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW and report.updates.count() == 1


def test_duplicate_moves_followers_to_original_and_tells_them(world):
    handler = make_actor(communes=[world.commune], role="technical_agent")
    original = submit(world, description="premier")
    copy = submit(world, description="second", reporter=Reporter(email="bob@example.org", consent=True))
    outbox.clear()
    report_mark_duplicate(actor=handler, report=copy, original=original)
    copy.refresh_from_db()
    assert copy.status == ReportStatus.DUPLICATE and copy.duplicate_of == original
    assert ReportFollower.objects.filter(report=original, email="bob@example.org").exists()
    assert outbox and f"n° {original.pk}" in outbox[0].body
    with pytest.raises(ReportError):
        report_mark_duplicate(actor=handler, report=original, original=original)


def test_bulk_done_and_requalify(world):
    handler = make_actor(communes=[world.commune], role="technical_agent")
    reports = [submit(world, description=f"n{i}") for i in range(3)]
    result = report_bulk_requalify(actor=handler, reports=reports[:2], service_code="inconnu")
    assert result.done == [] and len(result.refused) == 2
    result = report_bulk_requalify(actor=handler, reports=[reports[0]], service_code="depot")
    assert result.done == [reports[0].pk]
    assert Report.objects.get(pk=reports[0].pk).category == world.depot
    report_respond(actor=handler, report=reports[2], status=ReportStatus.REJECTED)
    result = report_bulk_done(actor=handler, reports=reports, public_message="Fait.")
    assert sorted(result.done) == sorted(r.pk for r in reports[:2]) and reports[2].pk in result.refused


def test_moderation_hides_description_and_photo_from_the_public(world):
    handler = make_actor(communes=[world.commune], role="technical_agent")
    report = submit(world, description="texte injurieux", photos=[("p.jpg", jpeg_with_exif())])
    photo = report.photos.get()
    report_moderate(actor=handler, report=report, hide_description=True)
    report_moderate(actor=handler, report=report, photo_id=photo.pk, hide_photo=True)
    report.refresh_from_db()
    photo.refresh_from_db()
    assert report.description_hidden and photo.hidden


def test_reporter_identity_is_revealed_only_with_a_motive_and_logged(world):
    handler = make_actor(communes=[world.commune], role="technical_agent")
    report = submit(world, reporter=Reporter(name="Ana", phone="06 00 00 00 00", consent=True))
    with pytest.raises(Exception):  # noqa: B017 - privacy error: motive required
        report_reporter_reveal(actor=handler, report=report, motive="")
    found = report_reporter_reveal(actor=handler, report=report, motive="rappeler pour préciser le lieu")
    assert found["name"] == "Ana"
    assert AuditEntry.objects.filter(kind="access", target_id=str(report.pk)).count() == 1


def test_feedback_and_reopen_after_closure(world):
    handler = make_actor(communes=[world.commune], role="technical_agent")
    report = submit(world, point=POINT_A_SOUTH)
    with pytest.raises(ReportError):
        report_reopen_request(report=report, reason="toujours là")
    report_respond(actor=handler, report=report, status=ReportStatus.DONE)
    report_feedback(report=report, fixed=False, comment="Non")
    outbox.clear()
    report_reopen_request(report=report, reason="Le trou est toujours là")
    report.refresh_from_db()
    assert report.reopen_requested and report.feedback_fixed is False
    assert [outbox[0].recipient] == ["voirie@example.org"]
    report_respond(actor=handler, report=report, status=ReportStatus.TO_PROCESS)
    report.refresh_from_db()
    assert report.is_open and not report.reopen_requested and report.closed_at is None


def test_overdue_reports_are_flagged_once_and_services_told(world):
    report = submit(world, point=POINT_A_SOUTH)
    outbox.clear()
    later = report.expected_at + timedelta(minutes=1)
    assert overdue_sweep(now=report.expected_at - timedelta(minutes=1)) == 0
    assert overdue_sweep(now=later) == 1
    assert overdue_sweep(now=later + timedelta(days=1)) == 0
    assert [outbox[0].recipient] == ["voirie@example.org"] and "Retard" in outbox[0].subject
    assert OutboxEvent.objects.filter(event_type="reports.overdue").count() == 1


def test_nearby_open_reports_of_the_same_category(world):
    near = submit(world, description="a")
    submit(world, point=(POINT_A[0], POINT_A[1] + 0.012), description="loin")  # about 880 m
    submit(world, code="depot", attributes={"volume": "petit"}, description="autre catégorie")
    rows = nearby_open_reports(category=world.voirie, lat=POINT_A[0] + 0.001, lon=POINT_A[1])
    assert [row["id"] for row in rows] == [near.pk] and 100 < rows[0]["distance_m"] < 120


def test_retention_removes_personal_data_of_closed_reports(world, settings):
    settings.CONFIANCE_REPORT_PERSONAL_DATA_DAYS = 30
    handler = make_actor(communes=[world.commune], role="technical_agent")
    old = submit(world, reporter=Reporter(name="Ana", email="ana@example.org", consent=True),
                 photos=[("p.jpg", jpeg_with_exif())])
    still_open = submit(world, description="ouvert", reporter=Reporter(name="Bob", consent=True))
    report_respond(actor=handler, report=old, status=ReportStatus.DONE, now=timezone.now() - timedelta(days=40))
    run_all()
    old.refresh_from_db()
    still_open.refresh_from_db()
    assert old.reporter_name == "" and old.reporter_email == "" and old.personal_data_removed_at is not None
    assert not old.followers.exists() and not old.photos.exists()
    assert still_open.reporter_name == "Bob"


def test_follow_is_idempotent(world):
    report = submit(world)
    assert report_follow(report=report, email="x@example.org")
    assert not report_follow(report=report, email="X@example.org ")
    with pytest.raises(ReportError):
        report_follow(report=report, email="nope")
    assert ReportFollower.objects.filter(report=report).count() == 1


def test_open311_search_agrees_with_the_orm_for_every_filter(world):
    """The hand-written Open311 SQL (category heads merged by the database) gives the same pages, in the same
    order, as the plain ORM query with the same filters."""
    import random

    from confiance.core.geo import distance_m
    from confiance.reports.sql import Open311Search, open311_search

    rng = random.Random(5)
    now = timezone.now()
    categories = [world.voirie, world.depot, world.other_voirie]
    rows = []
    for index in range(300):
        moment = now - timedelta(minutes=rng.randrange(0, 500))  # ties on purpose: the id breaks them
        category = categories[index % 3]
        open_ = rng.random() < 0.6
        rows.append(Report(commune=category.commune, category=category, status="nouveau" if open_ else "clos",
                           is_open=open_, lat=48.55 + rng.random() * 0.02, lon=2.40 + rng.random() * 0.02,
                           h3_cell="x", tracking_token=f"t{index}", created_at=moment,
                           updated_at=moment + timedelta(minutes=rng.randrange(0, 60))))
    Report.objects.bulk_create(rows)
    all_ids = [c.pk for c in categories]
    centre = (48.56, 2.41, 700.0)

    def expected(search: Open311Search) -> list[int]:
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

    searches = [
        Open311Search(category_ids=tuple(all_ids)),
        Open311Search(category_ids=tuple(all_ids[:2]), is_open=True),
        Open311Search(category_ids=(world.depot.pk,), is_open=False),
        Open311Search(commune_id=world.commune.pk, created_from=now - timedelta(minutes=300),
                      created_to=now - timedelta(minutes=100)),
        Open311Search(updated_after=now - timedelta(minutes=200), category_ids=tuple(all_ids)),
        Open311Search(circle=centre, category_ids=tuple(all_ids)),
        Open311Search(category_ids=()),
        Open311Search(),
    ]
    for search in searches:
        wanted = expected(search)
        for offset, size in [(0, 50), (50, 50), (100, 50), (7, 13), (0, 1000)]:
            page = [row["id"] for row in open311_search(search, offset=offset, size=size)]
            assert page == wanted[offset:offset + size], (search, offset, size)
    rows = open311_search(Open311Search(ids=(rows[0].pk, rows[1].pk, 10**12)), size=10)
    assert {row["id"] for row in rows} == {Report.objects.order_by("id")[0].pk, Report.objects.order_by("id")[1].pk}
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


def test_configuration_changes_reach_the_next_submission_at_once(world):
    """Categories, routing and client applications are cached per process; any change (as the admin saves it)
    is seen by the very next submission."""
    from confiance.reports.models import ConfigurationRevision, Destination, RoutingRule
    from confiance.reports.reference import reference_cache
    from confiance.reports.services.client_applications import client_application_authenticate
    from confiance.reports.tests.factories import CLIENT_KEY

    first = submit(world, description="avant")
    assert first.agency_responsible == "Voirie"
    revisions = ConfigurationRevision.objects.count()
    # A new destination added to the catch-all rule (an m2m change, as in the admin).
    extra = Destination.objects.create(commune=world.commune, name="Astreinte", kind="municipal_service")
    RoutingRule.objects.get(commune=world.commune, position=9).destinations.add(extra)
    assert ConfigurationRevision.objects.count() > revisions
    second = submit(world, description="après la règle")
    assert set(second.agency_responsible.split(", ")) == {"Voirie", "Astreinte"}
    # A category switched off is refused at once, and accepted again once switched back on.
    world.voirie.active = False
    world.voirie.save()
    with pytest.raises(ReportError) as caught:
        submit(world, description="catégorie fermée")
    assert caught.value.code == ReportErrorCode.CATEGORY_UNKNOWN
    world.voirie.active = True
    world.voirie.save()
    assert submit(world, description="catégorie rouverte").category_id == world.voirie.pk
    # A revoked client application is refused on its next request.
    assert client_application_authenticate(CLIENT_KEY).pk == world.client.pk
    world.client.active = False
    world.client.save()
    with pytest.raises(ReportError):
        client_application_authenticate(CLIENT_KEY)
    # A change committed by another process shows only as a new revision row: that alone empties the cache.
    stale = reference_cache.current().commune(world.commune.pk)
    assert reference_cache.current().commune(world.commune.pk) is stale
    ConfigurationRevision.objects.create()
    assert reference_cache.current().commune(world.commune.pk) is not stale
