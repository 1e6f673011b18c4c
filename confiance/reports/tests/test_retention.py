"""Retention of reports' personal data."""

from datetime import timedelta

import pytest
from django.utils import timezone

from confiance.accounts.tests.factories import make_actor
from confiance.privacy.retention_engine import run_all
from confiance.reports.choices import ReportStatus
from confiance.reports.drafts import Reporter
from confiance.reports.services.handling import report_respond
from confiance.reports.tests.factories import jpeg_with_exif, make_world, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


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
