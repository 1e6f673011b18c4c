"""The drawn base map: roads in a box from the network held per process (rebuilt after a new import), the small
roads only when zoomed in, outlines for everyone and sectors for agents; bad boxes are a French 400."""

import itertools

import pytest
from django.test import Client
from django.utils import timezone

from confiance.accounts.tests.factories import make_agent
from confiance.operations.basemap import basemap_bounds, basemap_roads
from confiance.operations.models import RoadEdge, RoadImport, RoadNode
from confiance.territory.tests.factories import make_commune, make_sector

pytestmark = pytest.mark.django_db
BOX = "2.39,48.54,2.42,48.57"


def _network(highways: list[str]) -> RoadImport:
    """A north-south line of segments, one per highway class, each stored both ways as the import does."""
    RoadEdge.objects.all().delete()
    RoadNode.objects.all().delete()
    nodes = RoadNode.objects.bulk_create([RoadNode(osm_id=1000 + n, lat=48.55 + n * 0.001, lon=2.40)
                                          for n in range(len(highways) + 1)])
    edges = []
    for (a, b), highway in zip(itertools.pairwise(nodes), highways, strict=True):
        edges += [RoadEdge(source=a, target=b, length_m=110.0, seconds=15.0, highway=highway),
                  RoadEdge(source=b, target=a, length_m=110.0, seconds=15.0, highway=highway)]
    RoadEdge.objects.bulk_create(edges)
    return RoadImport.objects.create(file_name=f"{len(highways)}.osm", nodes=len(nodes), edges=len(edges),
                                     imported_at=timezone.now())


def _segments(collection) -> dict[str, int]:
    return {feature["properties"]["highway"]: len(feature["geometry"]["coordinates"])
            for feature in collection["features"]}


def test_roads_in_the_box_once_each_way_and_the_small_ones_when_zoomed_in():
    _network(["primary", "residential", "residential", "service"])
    assert _segments(basemap_roads(bbox=(2.39, 48.54, 2.42, 48.57), zoom=16)) == {
        "service": 1, "residential": 2, "primary": 1}
    assert _segments(basemap_roads(bbox=(2.39, 48.54, 2.42, 48.57), zoom=12)) == {"primary": 1}
    assert basemap_roads(bbox=(2.0, 47.0, 2.1, 47.1), zoom=16)["features"] == []
    line = basemap_roads(bbox=(2.39, 48.54, 2.42, 48.57), zoom=16)["features"][-1]["geometry"]["coordinates"][0]
    assert line == [[2.4, 48.55], [2.4, 48.551]]


def test_a_new_import_is_drawn_by_the_next_request(django_assert_num_queries):
    assert basemap_roads(bbox=(2.39, 48.54, 2.42, 48.57), zoom=16)["features"] == []
    assert basemap_bounds() is None
    _network(["residential"])
    assert _segments(basemap_roads(bbox=(2.39, 48.54, 2.42, 48.57), zoom=16)) == {"residential": 1}
    with django_assert_num_queries(1):  # the newest road import only: the segments are held
        basemap_roads(bbox=(2.39, 48.54, 2.42, 48.57), zoom=16)
    _network(["residential", "residential", "residential"])
    assert _segments(basemap_roads(bbox=(2.39, 48.54, 2.42, 48.57), zoom=16)) == {"residential": 3}
    assert basemap_bounds() == pytest.approx((2.40, 48.55, 2.40, 48.553))


def test_a_crowded_box_leaves_the_small_roads_out(monkeypatch):
    monkeypatch.setattr("confiance.operations.basemap.MAX_SEGMENTS", 2)
    _network(["primary", "residential", "residential", "residential"])
    assert _segments(basemap_roads(bbox=(2.39, 48.54, 2.42, 48.57), zoom=18)) == {"primary": 1}


def test_the_endpoint_is_public_and_answers_geojson():
    _network(["secondary", "residential"])
    response = Client().get("/api/v1/basemap/roads", {"bbox": BOX, "zoom": "15"})
    assert response.status_code == 200
    assert response.json()["type"] == "FeatureCollection"
    assert _segments(response.json()) == {"residential": 1, "secondary": 1}


@pytest.mark.parametrize(("params", "message"), [
    ({}, "Paramètre bbox requis"), ({"bbox": "2,48,3"}, "Emprise invalide"),
    ({"bbox": "2,48,1,49"}, "Emprise invalide"),
    ({"bbox": "0,40,2,42"}, "Emprise trop grande"), ({"bbox": "nan,48,2,49"}, "Emprise invalide"),
    ({"bbox": BOX, "zoom": "23"}, "Entier entre 0 et 22"), ({"bbox": BOX, "zoom": "douze"}, "Entier attendu"),
])
def test_bad_boxes_and_zooms_are_a_french_400(params, message):
    response = Client().get("/api/v1/basemap/roads", params)
    assert response.status_code == 400
    assert message in response.json()["message"]


def test_outlines_show_communes_to_everyone_and_sectors_to_agents():
    commune = make_commune(insee_code="91386", name="Mennecy")
    make_sector(commune=commune, code="centre", lon=2.40, lat=48.55)
    anonymous = Client().get("/api/v1/basemap/outlines").json()
    assert [feature["properties"]["layer"] for feature in anonymous["features"]] == ["commune"]
    client = Client()
    client.force_login(make_agent(communes=[commune], password=None))
    layers = [feature["properties"]["layer"] for feature in client.get("/api/v1/basemap/outlines").json()["features"]]
    assert layers == ["commune", "sector"]


def test_the_base_map_is_rate_limited(settings):
    settings.CONFIANCE_RATE_LIMITS = {**settings.CONFIANCE_RATE_LIMITS, "basemap": {"ip": "1/m"}}
    client = Client()
    assert [client.get("/api/v1/basemap/outlines").status_code for _ in range(2)] == [200, 429]


def test_the_ign_plan_of_the_readme_opens_the_csp_to_its_host_only():
    from config.settings import _tile_origin

    ign = ("https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS."
           "PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}")
    assert _tile_origin(ign) == "https://data.geopf.fr"


def test_every_page_hands_the_base_map_its_settings(client, settings):
    settings.CONFIANCE_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    page = client.get("/signaler/").content.decode()
    assert 'data-tiles="https://tiles.example/{z}/{x}/{y}.png"' in page
    assert 'data-basemap-roads="/api/v1/basemap/roads"' in page and "js/basemap" in page
    assert 'role="combobox"' in page and "js/address-search" in page
