"""Citizens after submission: following, feedback, reopen requests, comments of client applications."""


import pytest

from confiance.accounts.tests.factories import make_actor
from confiance.reports.choices import ReportStatus, UpdateKind
from confiance.reports.errors import ReportError, ReportErrorCode
from confiance.reports.models import ReportFollower
from confiance.reports.services.follow_up import (
    report_comment_add,
    report_feedback,
    report_follow,
    report_reopen_request,
)
from confiance.reports.services.handling import report_respond
from confiance.reports.tests.factories import POINT_A_SOUTH, make_world, outbox, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


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


def test_follow_is_idempotent(world):
    report = submit(world)
    assert report_follow(report=report, email="x@example.org")
    assert not report_follow(report=report, email="X@example.org ")
    with pytest.raises(ReportError):
        report_follow(report=report, email="nope")
    assert ReportFollower.objects.filter(report=report).count() == 1


def test_reopen_and_feedback_refusals_say_what_happened(world):
    handler = make_actor(communes=[world.commune], role="technical_agent")
    report = submit(world)
    with pytest.raises(ReportError) as caught:
        report_feedback(report=report, fixed=True)
    assert caught.value.code == ReportErrorCode.NOT_CLOSED and caught.value.status_code == 409
    report_respond(actor=handler, report=report, status=ReportStatus.DONE)
    with pytest.raises(ReportError) as caught:
        report_reopen_request(report=report, reason=" non ")
    assert caught.value.code == ReportErrorCode.REASON_TOO_SHORT and caught.value.details["field"] == "reason"
    report.refresh_from_db()
    assert not report.reopen_requested


@pytest.mark.parametrize(("description", "code"), [
    ("", ReportErrorCode.TEXT_REQUIRED),
    ("   ", ReportErrorCode.TEXT_REQUIRED),
    ("x" * 4001, ReportErrorCode.DESCRIPTION_TOO_LONG),
])
def test_client_comments_are_checked(world, description, code):
    report = submit(world)
    with pytest.raises(ReportError) as caught:
        report_comment_add(report=report, client=world.client, description=description)
    assert caught.value.code == code and caught.value.message
    assert report.updates.count() == 1


def test_client_comment_reopens_a_closed_report_as_a_request(world):
    handler = make_actor(communes=[world.commune], role="technical_agent")
    report = submit(world)
    comment = report_comment_add(report=report, client=world.client, description="Un commentaire")
    assert comment.kind == UpdateKind.COMMENT and comment.actor_label == "application Appli test"
    report_respond(actor=handler, report=report, status=ReportStatus.DONE)
    report.refresh_from_db()
    request = report_comment_add(report=report, client=world.client, description="Toujours cassé", status="open",
                                 client_update_id="c-1")
    report.refresh_from_db()
    assert request.kind == UpdateKind.REOPEN_REQUEST and report.reopen_requested
    assert request.data == {"client": world.client.pk, "client_update_id": "c-1"}
