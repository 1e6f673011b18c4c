"""Targeting: the cells answer exactly what the plain point-in-polygon test answers, sectors add their subscribers."""

import numpy as np
import pytest
from shapely.geometry import Polygon

from confiance.alerts.delivery_choices import SubscriberStatus
from confiance.alerts.targeting import area_cover, plain_targeted_ids, points_inside, targeted_subscriber_ids
from confiance.alerts.tests.delivery_factories import make_subscriber, spread_subscribers
from confiance.territory.tests.factories import make_commune, make_sector

pytestmark = pytest.mark.django_db

TRIANGLE = Polygon([(2.402, 48.552), (2.418, 48.553), (2.409, 48.567), (2.402, 48.552)])


def test_cover_splits_inside_and_border_cells():
    cover = area_cover(TRIANGLE)
    assert cover.inside and cover.border
    assert not set(cover.inside) & set(cover.border)


def test_cells_give_the_same_subscribers_as_the_plain_test():
    commune = make_commune(lon=2.40, lat=48.55)
    spread_subscribers(commune, 400)
    found = targeted_subscriber_ids(commune_ids=[commune.pk], area=TRIANGLE)
    plain = plain_targeted_ids(commune_ids=[commune.pk], area=TRIANGLE)
    assert 0 < len(found) < 400
    assert np.array_equal(found, plain)


def test_sector_subscribers_and_only_active_ones_of_the_communes_are_targeted():
    commune, other = make_commune(lon=2.40, lat=48.55), make_commune(lon=2.50, lat=48.55)
    sector = make_sector(commune=commune, code="B", lon=2.41, lat=48.56)
    by_sector = make_subscriber(commune, lat=None, lon=None, email="s@example.org", sector=sector)
    inside = make_subscriber(commune, lat=48.555, lon=2.408, email="a@example.org")
    make_subscriber(commune, lat=48.555, lon=2.408, email="p@example.org", status=SubscriberStatus.PENDING)
    make_subscriber(other, lat=48.555, lon=2.408, email="o@example.org")
    found = targeted_subscriber_ids(commune_ids=[commune.pk], area=TRIANGLE, sector_ids=[sector.pk])
    assert found.tolist() == sorted([by_sector.pk, inside.pk])


def test_points_on_the_border_count_as_inside():
    mask = points_inside(TRIANGLE, np.array([2.402, 2.5]), np.array([48.552, 48.5]))
    assert mask.tolist() == [True, False]
