"""Generated input over every OTV interface (public form, private page, police pages, API): never a 5xx.

Seeded and bounded (FUZZ_EXAMPLES examples per interface), as tests/test_fuzz_interfaces.py does."""

from __future__ import annotations

import json
import os

import pytest
from django.core.cache import caches
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from confiance.prevention.tests.otv_factories import away_now, make_otv_world, register

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
NASTY = st.sampled_from([
    "0001-01-01", "9999-12-31", "2026-02-30", "²", "١٢", "999999999999999999", str(2**63), "-1", "0", "1e308", "nan",
    "inf", "a\x00b", "", " ", "%00", "[" * 50, "91386", "ras", "anomalie", "principale", "secondaire", "on",
])
VALUES = st.one_of(NASTY, st.text(max_size=30), st.integers().map(str), st.dates().map(lambda d: d.isoformat()))
FORM_KEYS = ["nonce", "commune", "last_name", "first_name", "address", "lat", "lon", "residence", "leaves_on",
             "returns_on", "email", "phone", "phone_away", "contact_name", "contact_phone", "alarm", "patrol_notes",
             "consent", "action"]
POLICE_KEYS = ["commune", "jour", "secteur", "motif", "debut", "fin", "outcome", "note", "lat", "lon", "retour",
               "acknowledge_sensitive"]


def _params(keys):
    return st.dictionaries(st.sampled_from(keys), VALUES, max_size=len(keys))


@pytest.fixture
def fuzz_world(settings):
    settings.CONFIANCE_RATE_LIMITS = {**settings.CONFIANCE_RATE_LIMITS, "otv_form": {"ip": ""}}
    world = make_otv_world()
    world.home = away_now(world)
    world.token = register(world).token
    caches["ratelimit"].clear()
    return world


@FUZZ
@given(data=_params(FORM_KEYS))
@example(data={"commune": "91386", "lat": "nan", "lon": "inf", "leaves_on": "2026-02-30", "nonce": "x" * 64})
def test_the_public_form_never_fails(client, fuzz_world, data):
    response = client.post(reverse("prevention:otv-register"), data)
    assert response.status_code < 500


@FUZZ
@given(data=_params(FORM_KEYS), token=st.one_of(st.just(""), st.text(max_size=120)))
def test_the_private_page_never_fails(client, fuzz_world, data, token):
    for link in (fuzz_world.token, token.replace("/", "") or "x"):
        response = client.post(reverse("prevention:otv-manage", args=[link]), data)
        assert response.status_code < 500


@FUZZ
@given(params=_params(POLICE_KEYS))
def test_the_police_pages_never_fail(client, fuzz_world, params):
    client.force_login(fuzz_world.agent.agent)
    for name in ["prevention:otv-homes", "prevention:otv-field", "prevention:otv-figures",
                 "prevention:otv-route-pdf"]:
        assert client.get(reverse(name), params).status_code < 500
    response = client.post(reverse("prevention:otv-passage", args=[fuzz_world.home.pk]), params)
    assert response.status_code < 500


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["commune", "day", "sector", "motive"]), VALUES, max_size=4),
       body=st.dictionaries(st.sampled_from(["registration_id", "outcome", "note", "lat", "lon",
                                              "acknowledge_sensitive"]),
                            st.one_of(VALUES, st.integers(), st.floats(), st.booleans(), st.none()), max_size=6))
@example(params={"commune": "91386", "day": "2026-02-30", "motive": "Contrôle"}, body={"registration_id": 2**63})
def test_the_api_never_fails(client, fuzz_world, params, body):
    client.force_login(fuzz_world.agent.agent)
    response = client.get("/api/v1/prevention/otv/homes", params)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "message", "details"}
    response = client.post("/api/v1/prevention/otv/passages", json.dumps(body), content_type="application/json")
    assert response.status_code < 500


def test_the_api_lists_the_homes_in_tour_order_and_notes_a_passage(client, fuzz_world):
    client.force_login(fuzz_world.agent.agent)
    refused = client.get("/api/v1/prevention/otv/homes", {"commune": "91386"})
    assert refused.status_code == 400 and "motif" in refused.json()["message"]  # no motive, no list
    homes = client.get("/api/v1/prevention/otv/homes", {"commune": "91386", "motive": "Patrouille API"}).json()
    assert [home["id"] for home in homes] == [fuzz_world.home.pk] and "email" not in homes[0]
    created = client.post("/api/v1/prevention/otv/passages",
                          {"registration_id": fuzz_world.home.pk, "outcome": "ras"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["log_entry_number"]
    client.force_login(fuzz_world.elected.agent)
    assert client.get("/api/v1/prevention/otv/homes", {"commune": "91386", "motive": "Curiosité"}).status_code == 404
