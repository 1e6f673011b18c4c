import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from confiance.accounts.tests.factories import make_agent
from confiance.core.models import OutboxEvent
from confiance.privacy.models import AuditEntry
from confiance.territory.models import Zone
from confiance.territory.tests.factories import make_commune, make_sector, square_geojson

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    mine, other = make_commune(name="Mine", lon=2.40), make_commune(name="Other", lon=2.50)
    chief = make_agent(communes=[mine], role="shift_supervisor")
    police = make_agent(communes=[mine], role="police_agent")
    foreign_zone = Zone.objects.create(commune=other, name="Zone d'ailleurs",
                                       geometry=square_geojson(2.501, 48.551, 0.002),
                                       centroid_lat=48.552, centroid_lon=2.502, h3_cell="x")
    return {"mine": mine, "other": other, "chief": chief, "police": police, "foreign_zone": foreign_zone}


def client_for(agent, settings=None):
    client = Client()
    client.force_login(agent)
    return client


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True  # these tests are about tenancy; 2FA has its own tests


def zone_body(insee, name="Parvis", lon=2.401, lat=48.551):
    return {"commune_insee": insee, "name": name, "kind": "ecole", "geometry": square_geojson(lon, lat, 0.002)}


def test_commune_list_shows_only_own_communes_with_constant_queries(world):
    for offset in range(5):
        make_agent(communes=[make_commune(lon=3 + offset)])
    client = client_for(world["police"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/territory/communes")
    assert [c["insee_code"] for c in response.json()["items"]] == [world["mine"].insee_code]
    assert response.json()["count"] == 1
    assert len(queries) <= 6, [q["sql"] for q in queries]


def test_another_communes_objects_are_not_found_and_nothing_changes(world):
    client = client_for(world["chief"])
    other, zone = world["other"], world["foreign_zone"]
    assert client.get(f"/api/v1/territory/communes/{other.insee_code}").status_code == 404
    assert client.get(f"/api/v1/territory/zones/{zone.pk}").json()["code"] == "not_found"
    assert client.delete(f"/api/v1/territory/zones/{zone.pk}").status_code == 404
    response = client.post("/api/v1/territory/zones", data=zone_body(other.insee_code, lon=2.501),
                           content_type="application/json")
    assert response.status_code == 404
    assert Zone.objects.filter(pk=zone.pk).exists() and Zone.objects.count() == 1
    assert AuditEntry.objects.count() == 0 and OutboxEvent.objects.count() == 0


def test_chief_creates_and_deletes_a_zone_with_audit_and_event(world):
    client = client_for(world["chief"])
    response = client.post("/api/v1/territory/zones", data=zone_body(world["mine"].insee_code),
                           content_type="application/json")
    assert response.status_code == 201, response.content
    zone_id = response.json()["id"]
    assert response.json()["kind"] == "ecole"
    duplicate = client.post("/api/v1/territory/zones", data=zone_body(world["mine"].insee_code),
                            content_type="application/json")
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "zone_name_taken"
    assert client.delete(f"/api/v1/territory/zones/{zone_id}").status_code == 204
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [
        "territory.zone_create", "territory.zone_delete"]
    assert list(OutboxEvent.objects.values_list("event_type", "commune_id")) == [
        ("territory.zone_created", world["mine"].pk), ("territory.zone_deleted", world["mine"].pk)]


def test_police_agent_may_read_but_not_manage_zones(world):
    client = client_for(world["police"])
    response = client.post("/api/v1/territory/zones", data=zone_body(world["mine"].insee_code),
                           content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert Zone.objects.filter(commune=world["mine"]).count() == 0


@pytest.mark.parametrize("body, status", [
    ("{not json", 400),
    ({"commune_insee": "91001"}, 422),
    ({"commune_insee": "91001", "name": "x", "geometry": "polygon"}, 422),
    ({"commune_insee": "91001", "name": "x", "kind": "château", "geometry": {"type": "Polygon",
                                                                              "coordinates": [[[0, 0]]]}}, 400),
])
def test_malformed_payloads_get_the_error_shape(world, body, status):
    client = client_for(world["chief"])
    if isinstance(body, dict):
        body = {**body, "commune_insee": world["mine"].insee_code}
    response = client.post("/api/v1/territory/zones", data=body, content_type="application/json")
    assert response.status_code in {status, 422}
    payload = response.json()
    assert set(payload) == {"code", "message", "details"}
    assert Zone.objects.filter(commune=world["mine"]).count() == 0


def test_locate_returns_commune_and_sector_and_refuses_bad_points(world):
    make_sector(commune=world["mine"], code="centre", lon=2.405, lat=48.555)
    client = client_for(world["police"])
    found = client.get("/api/v1/territory/locate", {"lat": 48.557, "lon": 2.407}).json()
    assert (found["commune_insee"], found["sector_code"]) == (world["mine"].insee_code, "centre")
    outside = client.get("/api/v1/territory/locate", {"lat": 45.0, "lon": 1.0}).json()
    assert outside["commune_insee"] is None
    bad = client.get("/api/v1/territory/locate", {"lat": 123, "lon": 2})
    assert bad.status_code == 400 and bad.json()["code"] == "point_invalid"
    assert client.get("/api/v1/territory/locate", {"lat": "abc", "lon": 2}).status_code == 422


def test_unauthenticated_requests_get_401_in_the_error_shape():
    response = Client().get("/api/v1/territory/communes")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_session_writes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["chief"])
    response = client.post("/api/v1/territory/zones", data=zone_body(world["mine"].insee_code),
                           content_type="application/json")
    assert response.status_code in {401, 403}
    assert Zone.objects.filter(commune=world["mine"]).count() == 0
