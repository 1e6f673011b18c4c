"""Reads of reports."""


import pytest

from confiance.reports.selectors import nearby_open_reports
from confiance.reports.tests.factories import POINT_A, make_world, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_nearby_open_reports_of_the_same_category(world):
    near = submit(world, description="a")
    submit(world, point=(POINT_A[0], POINT_A[1] + 0.012), description="loin")  # about 880 m
    submit(world, code="depot", attributes={"volume": "petit"}, description="autre catégorie")
    rows = nearby_open_reports(category=world.voirie, lat=POINT_A[0] + 0.001, lon=POINT_A[1])
    assert [row["id"] for row in rows] == [near.pk] and 100 < rows[0]["distance_m"] < 120
