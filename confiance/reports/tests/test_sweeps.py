"""Periodic work over reports: overdue flags."""

from datetime import timedelta

import pytest

from confiance.core.models import OutboxEvent
from confiance.reports.services.sweeps import overdue_sweep
from confiance.reports.tests.factories import POINT_A_SOUTH, make_world, outbox, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_overdue_reports_are_flagged_once_and_services_told(world):
    report = submit(world, point=POINT_A_SOUTH)
    outbox.clear()
    later = report.expected_at + timedelta(minutes=1)
    assert overdue_sweep(now=report.expected_at - timedelta(minutes=1)) == 0
    assert overdue_sweep(now=later) == 1
    assert overdue_sweep(now=later + timedelta(days=1)) == 0
    assert [outbox[0].recipient] == ["voirie@example.org"] and "Retard" in outbox[0].subject
    assert OutboxEvent.objects.filter(event_type="reports.overdue").count() == 1
