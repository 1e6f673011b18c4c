"""Open311 GeoReport v2: every JSON response checked against the published schemas, XML carrying the same fields."""

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator
from lxml import etree
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from confiance.accounts.tests.factories import make_actor
from confiance.core.actors import PublicActor
from confiance.reports.choices import ReportStatus
from confiance.reports.drafts import Reporter
from confiance.reports.models import Report, ReportUpdate
from confiance.reports.services.handling import report_respond
from confiance.reports.services.submission import report_submit
from confiance.reports.tests.factories import (
    CLIENT_KEY,
    POINT_A,
    POINT_A_SOUTH,
    POINT_B,
    add_reports,
    draft,
    jpeg_with_exif,
    make_world,
)

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).resolve().parents[3] / "tests" / "standards" / "open311-georeport-v2"
BASE = "/open311/v2/"


def _validator(name: str) -> Draft7Validator:
    resources = [(path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT7))
                 for path in SCHEMAS.glob("*.json")]
    registry = Registry().with_resources(resources)
    return Draft7Validator(json.loads((SCHEMAS / name).read_text()), registry=registry)


def valid(name: str, data) -> None:
    errors = list(_validator(name).iter_errors(data))
    assert not errors, [error.message for error in errors]


def test_the_validator_refuses_what_the_schema_refuses():
    with pytest.raises(AssertionError):
        valid("requests.json", [{"service_request_id": "1", "status": "pending", "service_code": "x",
                                 "requested_datetime": "2026-01-01T00:00:00+01:00"}])
    with pytest.raises(AssertionError):
        valid("services.json", [{"service_code": "x"}])


def xml_matches(json_rows: list[dict], xml_body: bytes, item: str) -> None:
    """The XML form has the same items with the same fields and values (as text)."""
    root = etree.fromstring(xml_body)
    items = root.findall(item)
    assert len(items) == len(json_rows)
    for row, element in zip(json_rows, items, strict=True):
        for key, value in row.items():
            child = element.find(key)
            assert child is not None, key
            if isinstance(value, bool):
                assert child.text == str(value).lower()
            elif isinstance(value, list | dict):
                continue
            elif value is None:
                assert child.text is None
            else:
                assert child.text == str(value), key


@pytest.fixture
def world():
    world = make_world()
    handler = make_actor(communes=[world.commune], role="technical_agent")
    first = report_submit(actor=PublicActor("t"), draft=draft(description="Trou profond", photos=[
        ("p.jpg", jpeg_with_exif())], reporter=Reporter(name="Ana Secret", email="ana@secret.example", consent=True)))
    report_respond(actor=handler, report=first.report, status=ReportStatus.IN_PROGRESS, public_message="En cours.")
    second = report_submit(actor=PublicActor("t"), draft=draft(point=POINT_A_SOUTH, description="Autre"))
    report_respond(actor=handler, report=second.report, status=ReportStatus.DONE)
    report_submit(actor=PublicActor("t"), draft=draft(point=POINT_B, description="Ormoy"))
    world.handler = handler
    return world


def get(path, **params):
    return Client().get(BASE + path, params)


def both(path, **params):
    as_json = get(path + ".json", **params)
    as_xml = get(path + ".xml", **params)
    return as_json, as_xml


def test_discovery_services_and_definitions(world):
    as_json, as_xml = both("discovery")
    assert as_json.status_code == 200 and as_json.json()["endpoints"][0]["formats"]
    assert etree.fromstring(as_xml.content).find("endpoints/endpoint/url").text.endswith("/open311/v2/")
    as_json, as_xml = both("services")
    services = as_json.json()
    valid("services.json", services)
    assert sorted(s["service_code"] for s in services) == ["depot", "voirie"]  # voirie once for both communes
    xml_matches(services, as_xml.content, "service")
    as_json, _ = both("services", jurisdiction_id="91468")
    assert [s["service_code"] for s in as_json.json()] == ["voirie"]
    as_json, as_xml = both("services/depot")
    definition = as_json.json()
    valid("service-definition.json", definition)
    assert [a["code"] for a in definition["attributes"]] == ["volume", "sacs", "nature"]
    values = etree.fromstring(as_xml.content).findall("attributes/attribute/values/value/key")
    assert [v.text for v in values][:2] == ["petit", "gros"]
    assert get("services/inconnu.json").status_code == 404


def test_requests_list_is_valid_hides_identity_and_matches_xml(world):
    as_json, as_xml = both("requests")
    rows = as_json.json()
    valid("requests.json", rows)
    assert len(rows) == 3
    assert "Ana" not in as_json.content.decode() and "secret.example" not in as_json.content.decode()
    xml_matches(rows, as_xml.content, "request")
    by_id = {row["description"]: row for row in rows}
    assert by_id["Trou profond"]["status"] == "open" and by_id["Trou profond"]["detailed_status"] == "en_cours"
    assert by_id["Trou profond"]["status_notes"] == "En cours." and by_id["Trou profond"]["media_url"]
    assert Client().get(by_id["Trou profond"]["media_url"]).status_code == 200
    assert by_id["Autre"]["status"] == "closed"
    # Times are the stored instants, written in the platform's time zone (Paris).
    report = Report.objects.get(pk=int(by_id["Trou profond"]["service_request_id"]))
    requested = datetime.fromisoformat(by_id["Trou profond"]["requested_datetime"])
    assert requested == report.created_at.replace(microsecond=0)
    assert requested.utcoffset() == report.created_at.astimezone(timezone.get_current_timezone()).utcoffset()


def test_requests_filters(world):
    now = timezone.now()
    def ids(**params):
        response = get("requests.json", **params)
        assert response.status_code == 200, response.content
        valid("requests.json", response.json())
        return sorted(row["description"] for row in response.json())
    assert ids(status="open") == ["Ormoy", "Trou profond"]
    assert ids(status="closed") == ["Autre"]
    assert ids(jurisdiction_id="91468") == ["Ormoy"]
    assert ids(service_code="depot") == []
    assert ids(start_date=(now + timedelta(hours=1)).isoformat()) == []
    assert ids(start_date=(now - timedelta(hours=1)).isoformat(), end_date=(now + timedelta(hours=1)).isoformat())
    assert ids(lat=POINT_A[0], long=POINT_A[1], radius=100) == ["Trou profond"]
    assert ids(updated_after=(now + timedelta(hours=1)).isoformat()) == []
    assert len(ids(page_size=2)) == 2 and len(ids(page_size=2, page=2)) == 1
    report = Report.objects.get(description="Autre")
    assert ids(service_request_id=f"{report.pk}") == ["Autre"]
    detail = get(f"requests/{report.pk}.json")
    valid("requests.json", detail.json())
    assert get("requests/999999.json").status_code == 404
    assert get(f"requests/{report.pk}.json", jurisdiction_id="91468").status_code == 404


@pytest.mark.parametrize("params", [
    {"status": "maybe"}, {"start_date": "hier"}, {"page_size": "0"}, {"page_size": "abc"}, {"lat": "48"},
    {"lat": "200", "long": "2"}, {"radius": "-1", "lat": "48.5", "long": "2.4"}, {"jurisdiction_id": "00000"},
    {"service_request_id": "a,b"}, {"status": "", "service_code": "\x00"},
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_queries_get_open311_errors(world, params, fmt):
    response = get(f"requests.{fmt}", **params)
    assert 400 <= response.status_code < 500
    if fmt == "json":
        body = response.json()
        assert body[0]["code"] == response.status_code and body[0]["description"]
    else:
        assert etree.fromstring(response.content).find("error/description").text


def post(fmt="json", files=None, headers=None, **data):
    return Client().post(f"{BASE}requests.{fmt}", {**data, **(files or {})}, headers=headers or {})


def test_post_request_creates_routes_and_replays(world):
    params = {"api_key": CLIENT_KEY, "service_code": "depot", "lat": POINT_A[0], "long": POINT_A[1],
              "description": "Gravats", "attribute[volume]": "gros", "attribute[nature][]": ["verts", "gravats"],
              "email": "zoe@example.org", "first_name": "Zoé"}
    response = post(**params)
    assert response.status_code == 201, response.content
    body = response.json()
    report = Report.objects.get(pk=int(body[0]["service_request_id"]))
    assert report.attributes["nature"] == ["gravats", "verts"] and report.reporter_name == "Zoé"
    assert report.client == world.client and report.dispatches.count() == 2
    again = post(**params)  # the client did not hear the answer and sends again
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == body[0]["service_request_id"]
    token = get(f"tokens/{body[0]['token']}.json").json()
    assert token[0]["service_request_id"] == str(report.pk)
    xml = post("xml", **{**params, "description": "autre"})
    assert xml.status_code == 201 and etree.fromstring(xml.content).find("request/service_request_id").text


@pytest.mark.parametrize(("params", "status"), [
    ({"api_key": ""}, 403),
    ({"api_key": "wrong"}, 403),
    ({"service_code": "inconnu"}, 404),
    ({"service_code": "depot"}, 400),  # required attribute missing
    ({"service_code": "depot", "attribute[volume]": "énorme"}, 400),
    ({"lat": "95"}, 400),
    ({"lat": "47.0", "long": "1.0"}, 400),  # outside every commune
    ({"lat": "abc"}, 400),
    ({"description": "x" * 4001}, 400),
    ({"jurisdiction_id": "91468"}, 400),  # the point is in 91386
    ({"email": "not-an-email"}, 400),
    ({"description": "nul \x00 ici"}, 400),
])
def test_post_bad_input(world, params, status):
    base = {"api_key": CLIENT_KEY, "service_code": "voirie", "lat": POINT_A[0], "long": POINT_A[1]}
    before = Report.objects.count()
    response = post(**{**base, **params})
    assert response.status_code == status, response.content
    assert response.json()[0]["code"] == status and response.json()[0]["description"]
    assert Report.objects.count() == before


def test_post_with_photo_checks_content(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    base = {"api_key": CLIENT_KEY, "service_code": "voirie", "lat": POINT_A[0], "long": POINT_A[1]}
    fake = SimpleUploadedFile("photo.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    assert post(files={"media": fake}, **base).status_code == 400
    real = SimpleUploadedFile("photo.jpg", jpeg_with_exif(), content_type="image/jpeg")
    response = post(files={"media": real}, **{**base, "description": "avec photo"})
    assert response.status_code == 201
    report = Report.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert report.photos.count() == 1


def test_service_request_updates_get_and_post(world):
    start = (timezone.now() - timedelta(hours=1)).isoformat()
    as_json, as_xml = both("servicerequestupdates", start_date=start)
    rows = as_json.json()
    assert {row["status"] for row in rows} == {"IN_PROGRESS", "FIXED"}
    assert all(set(row) >= {"update_id", "service_request_id", "status", "updated_datetime", "description"}
               for row in rows)
    xml_matches(rows, as_xml.content, "request_update")
    closed = Report.objects.get(description="Autre")
    url = f"{BASE}servicerequestupdates.json"
    data = {"api_key": CLIENT_KEY, "service_request_id": closed.pk, "update_id": "fms-1", "status": "OPEN",
            "description": "Toujours là", "updated_datetime": timezone.now().isoformat()}
    first = Client().post(url, data)
    assert first.status_code == 201
    replay = Client().post(url, data)
    assert replay.json()[0]["update_id"] == first.json()[0]["update_id"]
    closed.refresh_from_db()
    assert closed.reopen_requested
    assert ReportUpdate.objects.filter(report=closed, kind="reopen_request").count() == 1
    assert Client().post(url, {**data, "api_key": "bad"}).status_code == 403
    assert Client().post(url, {**data, "service_request_id": "999999"}).status_code == 404


TEXT = st.text(max_size=30)
PARAM = st.dictionaries(st.sampled_from(["status", "service_code", "start_date", "end_date", "page", "page_size",
                                         "lat", "long", "radius", "updated_after", "jurisdiction_id",
                                         "service_request_id", "api_key", "description", "attribute[volume]",
                                         "update_id", "email", "first_name"]), TEXT, max_size=6)
PATHS = ["discovery", "services", "services/depot", "services/zz", "requests", "requests/1", "requests/x",
         "tokens/abc", "servicerequestupdates"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), fmt=st.sampled_from(["json", "xml"]), method=st.sampled_from(["get", "post"]),
       params=PARAM)
def test_generated_open311_requests_never_get_a_server_error(world, path, fmt, method, params):
    client = Client(raise_request_exception=False)
    response = getattr(client, method)(f"{BASE}{path}.{fmt}", params)
    assert response.status_code < 500, (path, method, params, response.content[:300])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["get", "post"]),
       path=st.sampled_from(["reports", "reports/1", "reports/categories", "reports/1/updates", "reports/1/assign",
                             "reports/1/duplicate", "reports/999999", "reports/x"]),
       body=st.one_of(st.none(), st.dictionaries(st.sampled_from(
           ["lat", "lon", "service_code", "description", "status", "public_message", "agent_id", "original_id",
            "attributes", "destination_id", "internal_note"]),
           st.one_of(TEXT, st.integers(), st.floats(allow_nan=True), st.none(), st.lists(st.integers(), max_size=2)),
           max_size=5)),
       query=st.dictionaries(st.sampled_from(["status", "commune", "service_code", "overdue", "page"]), TEXT,
                             max_size=3))
def test_generated_api_requests_never_get_a_server_error(world, method, path, body, query):
    client = Client(raise_request_exception=False)
    client.force_login(world.handler.agent)
    url = f"/api/v1/{path}"
    if method == "get":
        response = client.get(url, query)
    else:
        response = client.post(url, json.dumps(body, allow_nan=True) if body is not None else "garbage{",
                               content_type="application/json")
    assert response.status_code < 500, (method, path, body, response.content[:300])


def test_searches_are_cached_until_a_report_changes(world, django_assert_max_num_queries):
    from django.test import override_settings

    first = report_submit(actor=PublicActor("t"), draft=draft(description="Avant")).report
    with override_settings(CONFIANCE_OPEN311_CACHE_SECONDS=30):
        one = get("requests.json", status="open")
        with django_assert_max_num_queries(1):  # the version check only
            again = get("requests.json", status="open")
        assert again.content == one.content
        assert get("requests.json", status="closed").content != one.content  # other parameters, other entry
        # a new report is seen at once
        second = report_submit(actor=PublicActor("t"), draft=draft(description="Après", point=POINT_A_SOUTH)).report
        ids = [row["service_request_id"] for row in get("requests.json", status="open").json()]
        assert str(second.pk) in ids and str(first.pk) in ids
        # so is a change of status
        report_respond(actor=make_actor(communes=[world.commune], role="technical_agent"), report=first,
                       status=ReportStatus.DONE, public_message="Réparé.")
        ids = [row["service_request_id"] for row in get("requests.json", status="open").json()]
        assert str(first.pk) not in ids
    with override_settings(CONFIANCE_OPEN311_CACHE_SECONDS=0):
        assert get("requests.json", status="open").status_code == 200


@pytest.mark.parametrize("count", [1, 4])
@pytest.mark.parametrize(("path", "queries"), [
    ("requests.json", 1), ("requests.xml", 1), ("services.json", 1), ("servicerequestupdates.json", 1),
])
def test_lists_are_read_in_a_fixed_number_of_queries(world, count, path, queries, django_assert_num_queries):
    """Measured when written: more reports must not mean more queries (the search cache is off here)."""
    from django.test import override_settings

    add_reports(world, count, handler=world.handler)
    with override_settings(CONFIANCE_OPEN311_CACHE_SECONDS=0):
        get(path)
        with django_assert_num_queries(queries):
            response = get(path)
    assert response.status_code == 200
