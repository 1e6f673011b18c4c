"""Submission of reports: checks, routing, storage, replays, the reference data cache."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from confiance.core.models import OutboxEvent
from confiance.privacy.models import AuditEntry
from confiance.reports.choices import DispatchStatus, UpdateKind
from confiance.reports.drafts import Reporter
from confiance.reports.errors import ReportError, ReportErrorCode
from confiance.reports.models import Report, ReportFollower, ReportPhoto, ReportUpdate
from confiance.reports.services.submission import report_submit
from confiance.reports.sla import add_working_days
from confiance.reports.tests.factories import CITIZEN, POINT_A_SOUTH, draft, jpeg_with_exif, make_world, outbox, submit

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def world():
    return make_world()


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


def test_a_client_application_is_refused_outside_its_communes(world):
    world.client.communes.set([world.other])
    with pytest.raises(ReportError) as caught:
        report_submit(actor=CITIZEN, draft=draft(), client=world.client)
    assert caught.value.code == ReportErrorCode.CLIENT_NOT_ALLOWED and caught.value.status_code == 403
    assert Report.objects.count() == 0
