import pytest

from confiance.territory.selectors import locate_point
from confiance.territory.tests.factories import make_commune, make_sector

pytestmark = pytest.mark.django_db


def test_point_finds_commune_and_sector():
    west = make_commune(lon=2.40, lat=48.55)
    east = make_commune(lon=2.42, lat=48.55)
    sector = make_sector(commune=east, code="centre", lon=2.425, lat=48.555)
    assert locate_point(lat=48.56, lon=2.41).commune_id == west.pk
    location = locate_point(lat=48.557, lon=2.427)
    assert (location.commune_id, location.sector_id) == (east.pk, sector.pk)
    assert locate_point(lat=48.0, lon=2.0).commune_id is None


def test_locator_sees_new_communes_without_restart():
    assert locate_point(lat=48.56, lon=2.41).commune_id is None
    commune = make_commune(lon=2.40, lat=48.55)
    assert locate_point(lat=48.56, lon=2.41).commune_id == commune.pk
