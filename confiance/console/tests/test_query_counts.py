"""Query count of the agents' territory map JSON, kept as a baseline (NetBox's habit): measured with one commune
(its sector and zone) and with several, so a count that grows with the rows (an N+1) fails."""

import pytest
from django.test import Client
from django.urls import reverse

from confiance.accounts.tests.factories import make_agent
from confiance.territory.models import Zone
from confiance.territory.tests.factories import make_commune, make_sector, square_geojson

pytestmark = pytest.mark.django_db


# Measured on 2026-12-01, the same with 1 and 4 communes: session, agent, the role check, grants, communes, sectors,
# zones, and the session's save (savepoint, update, release).
TERRITORY_GEOJSON_QUERIES = 10


@pytest.mark.parametrize("rows", [1, 4])
def test_territory_geojson_query_count(django_assert_num_queries, rows):
    communes = []
    for number in range(rows):
        lon = 2.40 + 0.05 * number
        commune = make_commune(lon=lon)
        make_sector(commune=commune, code=f"S{number}", lon=lon, lat=48.55)
        Zone.objects.create(commune=commune, name=f"Zone {number}", kind="ecole",
                            geometry=square_geojson(lon, 48.551, 0.002), centroid_lat=48.552, centroid_lon=lon,
                            h3_cell="x")
        communes.append(commune)
    client = Client()
    client.force_login(make_agent(communes=communes, password=None))
    with django_assert_num_queries(TERRITORY_GEOJSON_QUERIES):
        response = client.get(reverse("console:territory-geojson"))
    assert response.status_code == 200
    assert len(response.json()["features"]) == 3 * rows
