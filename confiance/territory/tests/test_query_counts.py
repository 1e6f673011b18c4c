"""Query counts of the territory list endpoints, kept as baselines (NetBox's habit): each is measured with one row
and with several, so a count that grows with the rows (an N+1) fails."""

import pytest
from django.test import Client

from confiance.accounts.tests.factories import make_agent
from confiance.territory.models import Zone
from confiance.territory.tests.factories import make_commune, make_sector, square_geojson

pytestmark = pytest.mark.django_db
ROWS = [1, 4]


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True  # these tests count the endpoint's reads; 2FA has its own tests


def make_zone(commune, number):
    lon, lat = commune.centroid_lon, commune.centroid_lat
    return Zone.objects.create(commune=commune, name=f"Zone {number}", kind="ecole",
                               geometry=square_geojson(lon, lat, 0.002), centroid_lat=lat, centroid_lon=lon,
                               h3_cell="x")


def signed_in(communes) -> Client:
    client = Client()
    client.force_login(make_agent(communes=communes, role="shift_supervisor", password=None))
    return client


# Measured on 2026-12-01, the same with 1 and 4 rows: session, agent, grants, the page's count and rows (the
# sectors read their commune first).
COMMUNES_QUERIES, SECTORS_QUERIES, ZONES_QUERIES = 5, 6, 5


@pytest.mark.parametrize("rows", ROWS)
def test_commune_list_query_count(django_assert_num_queries, rows):
    client = signed_in([make_commune(lon=2.40 + 0.05 * number) for number in range(rows)])
    with django_assert_num_queries(COMMUNES_QUERIES):
        response = client.get("/api/v1/territory/communes")
    assert response.status_code == 200 and response.json()["count"] == rows


@pytest.mark.parametrize("rows", ROWS)
def test_sector_list_query_count(django_assert_num_queries, rows):
    commune = make_commune()
    for number in range(rows):
        make_sector(commune=commune, code=f"S{number}", lon=2.40 + 0.001 * number, lat=48.55)
    client = signed_in([commune])
    with django_assert_num_queries(SECTORS_QUERIES):
        response = client.get(f"/api/v1/territory/communes/{commune.insee_code}/sectors")
    assert response.status_code == 200 and response.json()["count"] == rows


@pytest.mark.parametrize("rows", ROWS)
def test_zone_list_query_count(django_assert_num_queries, rows):
    communes = [make_commune(lon=2.40 + 0.05 * number) for number in range(rows)]
    for number, commune in enumerate(communes):
        make_zone(commune, number)
    client = signed_in(communes)
    with django_assert_num_queries(ZONES_QUERIES):
        response = client.get("/api/v1/territory/zones")
    assert response.status_code == 200 and response.json()["count"] == rows
