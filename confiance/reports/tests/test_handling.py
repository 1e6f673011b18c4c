"""Handling of reports by agents: responses, duplicates, bulk actions, moderation, the reporter's identity."""


import pytest
from django.db import transaction

from confiance.accounts.tests.factories import make_actor
from confiance.core.errors import NotFoundError
from confiance.privacy.models import AuditEntry
from confiance.reports.choices import ReportStatus
from confiance.reports.drafts import Reporter
from confiance.reports.errors import ReportError, ReportErrorCode
from confiance.reports.models import Report, ReportFollower, ReportUpdate
from confiance.reports.selectors import public_history
from confiance.reports.services.handling import (
    report_assign,
    report_bulk_done,
    report_bulk_requalify,
    report_mark_duplicate,
    report_moderate,
    report_reporter_reveal,
    report_respond,
)
from confiance.reports.tests.factories import jpeg_with_exif, make_world, outbox, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


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


def _other_commune_destination(world):
    from confiance.reports.models import Destination

    return Destination.objects.create(commune=world.other, name="Voirie d'Ormoy", kind="municipal_service")


@pytest.mark.parametrize(("call", "code"), [
    (lambda world, actor, report: report_respond(actor=actor, report=report, status="inexistant"),
     ReportErrorCode.STATUS_UNKNOWN),
    (lambda world, actor, report: report_respond(actor=actor, report=report), ReportErrorCode.NOTHING_TO_RECORD),
    (lambda world, actor, report: report_respond(actor=actor, report=report, status=ReportStatus.DUPLICATE),
     ReportErrorCode.DUPLICATE_STATUS_REFUSED),
    (lambda world, actor, report: report_assign(actor=actor, report=report), ReportErrorCode.NOTHING_TO_ASSIGN),
    (lambda world, actor, report: report_assign(actor=actor, report=report,
                                                agent_id=make_actor(communes=[world.other]).agent.pk),
     ReportErrorCode.ASSIGNEE_INVALID),
    (lambda world, actor, report: report_assign(actor=actor, report=report,
                                                destination=_other_commune_destination(world)),
     ReportErrorCode.DESTINATION_UNKNOWN),
    (lambda world, actor, report: report_moderate(actor=actor, report=report), ReportErrorCode.NOTHING_TO_MODERATE),
    (lambda world, actor, report: report_moderate(actor=actor, report=report, photo_id=10**9, hide_photo=True),
     ReportErrorCode.PHOTO_NOT_FOUND),
])
def test_refusals_say_what_happened_and_change_nothing(world, call, code):
    handler = make_actor(communes=[world.commune], role="technical_agent")
    report = submit(world)
    with pytest.raises(ReportError) as caught:
        call(world, handler, report)
    assert caught.value.code == code and caught.value.message
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW and report.updates.count() == 1 and report.assigned_to_id is None
