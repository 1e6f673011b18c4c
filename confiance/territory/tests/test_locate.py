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


def test_a_revision_handed_in_is_the_one_read_and_keeps_the_index():
    from django.db import connection

    from confiance.territory.selectors import territory_locator

    commune = make_commune(lon=2.40, lat=48.55)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, created_at FROM territory_territoryrevision ORDER BY id DESC LIMIT 1")
        newest = cursor.fetchone()
    assert locate_point(lat=48.56, lon=2.41).commune_id == commune.pk
    index = territory_locator.communes
    assert locate_point(lat=48.56, lon=2.41, revision=tuple(newest)).commune_id == commune.pk
    assert locate_point(lat=48.56, lon=2.41).commune_id == commune.pk
    assert territory_locator.communes is index  # same revision either way: nothing rebuilt
    later = make_commune(lon=2.50, lat=48.55)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, created_at FROM territory_territoryrevision ORDER BY id DESC LIMIT 1")
        newest = cursor.fetchone()
    assert locate_point(lat=48.56, lon=2.51, revision=tuple(newest)).commune_id == later.pk
