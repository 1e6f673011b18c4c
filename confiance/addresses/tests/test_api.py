"""The public address endpoints: answers, French 4xx for bad input, rate limit, query count, generated input."""

import os
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from confiance.addresses.services import addresses_import
from confiance.addresses.tests.factories import ban_file, ban_line
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture
def addresses(tmp_path):
    make_commune(insee_code="91386", name="Mennecy")
    addresses_import(actor=None, path=ban_file(tmp_path, *[
        ban_line(f"r{n}", n, "Rue de l'Église", lat=f"48.56{n:02d}") for n in range(1, 13)],
        ban_line("p1", 4, "Rue Pasteur")))


def test_anyone_may_search_and_gets_labels_and_points(addresses, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # the rate counter lives in the cache; one query of addresses
        response = Client().get("/api/v1/addresses/", {"q": "4 eglise"})
    assert response.status_code == 200
    assert response.json() == [{"kind": "address", "label": "4 Rue de l'Église, 91540 Mennecy",
                                "street": "Rue de l'Église", "number": "4", "postal_code": "91540",
                                "city": "Mennecy", "insee_code": "91386", "lat": 48.5604, "lon": 2.43}]


def test_streets_are_proposed_without_a_number(addresses):
    body = Client().get("/api/v1/addresses/", {"q": "rue", "limit": "5"}).json()
    assert [(hit["kind"], hit["street"]) for hit in body] == [("street", "Rue Pasteur"), ("street", "Rue de l'Église")]


@pytest.mark.parametrize(("params", "message"), [
    ({}, "Recherche trop courte"), ({"q": "a"}, "Recherche trop courte"), ({"q": "x" * 201}, "Recherche trop longue"),
    ({"q": "rue", "limit": "0"}, "limit"), ({"q": "rue", "limit": "abc"}, "limit"),
    ({"q": "rue", "limit": "²"}, "limit"),
])
def test_bad_searches_are_a_french_400(params, message):
    response = Client().get("/api/v1/addresses/", params)
    assert response.status_code == 400
    assert response.json()["code"] == "addresses_query_invalid"
    assert message in response.json()["message"]


def test_a_nul_in_the_query_is_refused():
    assert Client().get("/api/v1/addresses/?q=ru%00e").status_code == 400


def test_the_search_is_rate_limited_per_address(addresses, settings):
    settings.CONFIANCE_RATE_LIMITS = {**settings.CONFIANCE_RATE_LIMITS, "address_search": {"ip": "2/m"}}
    client = Client()
    assert [client.get("/api/v1/addresses/", {"q": "rue"}).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/api/v1/addresses/", {"q": "rue"}).json()["code"] == "rate_limited"


def test_street_labels_in_a_box(addresses):
    body = Client().get("/api/v1/addresses/streets", {"bbox": "2.4,48.5,2.5,48.6"}).json()
    assert {label["name"] for label in body} == {"Rue de l'Église", "Rue Pasteur"}
    assert set(body[0]) == {"name", "lat", "lon", "angle"}


@pytest.mark.parametrize("bbox", ["", "1,2,3", "2.5,48.5,2.4,48.6", "0,0,10,10", "a,b,c,d", "2,48,2.1,91"])
def test_street_labels_need_a_valid_small_box(bbox):
    response = Client().get("/api/v1/addresses/streets", {"bbox": bbox})
    assert response.status_code == 400
    assert response.json()["message"].startswith(("Emprise", "Paramètre bbox"))


@FUZZ
@given(q=st.text(max_size=250), limit=st.one_of(st.none(), st.text(max_size=8), st.integers().map(str)))
@example(q="12 bis", limit=None)
@example(q="%", limit="20")
@example(q="_ _", limit="1")
@example(q="ǅ\u0301", limit="-1")
def test_generated_searches_never_fail_on_the_server(addresses_once, q, limit):
    params = {"q": q} if limit is None else {"q": q, "limit": limit}
    response = Client().get("/api/v1/addresses/?" + urlencode(params))
    assert response.status_code in (200, 400), response.content[:300]
    body = response.json()
    assert isinstance(body, list) and len(body) <= 20 if response.status_code == 200 else body["message"]


@pytest.fixture
def addresses_once(addresses, settings):
    settings.RATELIMIT_ENABLE = False
