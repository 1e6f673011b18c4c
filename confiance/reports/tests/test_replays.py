"""Replays: the window and the keys' retention agree, a replay matched on content never discloses the tracking
token, and no conflict is ever a server error."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from confiance.privacy.retention_engine import registered_rules
from confiance.reports.models import SUBMISSION_REPLAY_WINDOW, Report, ReportSubmission
from confiance.reports.services.submission import REPLAY_WINDOW, report_submit
from confiance.reports.tests.factories import CITIZEN, CLIENT_KEY, POINT_A, draft, make_world

pytestmark = pytest.mark.django_db

OPEN311 = "/open311/v2/requests.json"


@pytest.fixture
def world():
    return make_world()


def _age_keys(hours: float) -> None:
    ReportSubmission.objects.update(created_at=timezone.now() - timedelta(hours=hours))


def test_the_window_and_the_retention_of_keys_agree():
    rule = next(rule for rule in registered_rules() if rule.name == "reports.submissions")
    assert rule.max_age() == REPLAY_WINDOW == SUBMISSION_REPLAY_WINDOW


@pytest.mark.parametrize("key", ["k-30h", ""])
def test_a_replay_between_24_and_48_hours_is_a_new_report_not_a_server_error(world, key):
    now = timezone.now()
    first = report_submit(actor=CITIZEN, draft=draft(description="Trou"), idempotency_key=key,
                          now=now - timedelta(hours=30))
    assert first.created
    # The key is still in the table (the retention sweep has not run): it is too old to be a replay.
    later = report_submit(actor=CITIZEN, draft=draft(description="Trou"), idempotency_key=key, now=now)
    assert later.created and later.report.pk != first.report.pk
    assert ReportSubmission.objects.filter(report=first.report).count() == 0
    within = report_submit(actor=CITIZEN, draft=draft(description="Trou"), idempotency_key=key,
                           now=now + timedelta(hours=23))
    assert not within.created and within.report.pk == later.report.pk


def test_open311_replays_after_a_day_are_201_and_the_token_stays_private(world):
    params = {"api_key": CLIENT_KEY, "service_code": "voirie", "lat": POINT_A[0], "long": POINT_A[1],
              "description": "Nid de poule devant le 3", "email": "zoe@example.org"}
    created = Client().post(OPEN311, params)
    assert created.status_code == 201 and created.json()[0]["token"]
    # Anyone holding the public client key who sends the same content again learns the report, not its token.
    replay = Client().post(OPEN311, params)
    assert replay.status_code == 200
    assert replay.json()[0]["service_request_id"] == created.json()[0]["service_request_id"]
    assert replay.json()[0]["token"] is None
    assert created.json()[0]["token"] not in replay.content.decode()
    # The same client's idempotency key proves the replay is its own: the token comes back.
    keyed = Client().post(OPEN311, {**params, "description": "Autre"}, headers={"Idempotency-Key": "abc"})
    keyed_again = Client().post(OPEN311, {**params, "description": "Autre"}, headers={"Idempotency-Key": "abc"})
    assert keyed.status_code == 201 and keyed_again.status_code == 200
    assert keyed_again.json()[0]["token"] == keyed.json()[0]["token"]
    _age_keys(30)
    for headers in ({}, {"Idempotency-Key": "abc"}):
        late = Client().post(OPEN311, {**params, "description": "Autre"} if headers else params, headers=headers)
        assert late.status_code == 201, late.content  # was a 500
        assert late.json()[0]["token"]
    assert Report.objects.count() == 4


def test_web_form_content_replay_goes_to_the_public_page_not_the_tracking_page(world):
    form = {"lat": POINT_A[0], "lon": POINT_A[1], "service_code": "voirie", "description": "Lampadaire cassé",
            "nonce": ""}
    first = Client().post("/signaler/", form)
    report = Report.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/signalements/suivi/{report.tracking_token}/"
    replay = Client().post("/signaler/", form)
    assert replay.status_code == 302 and replay["Location"] == f"/signalements/{report.pk}/"
    assert report.tracking_token not in replay["Location"]
    assert Report.objects.count() == 1
    _age_keys(30)
    late = Client().post("/signaler/", form)
    assert late.status_code == 302 and Report.objects.count() == 2
