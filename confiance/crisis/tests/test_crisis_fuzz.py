"""Generated input over every crisis page and endpoint (ids, query strings, form bodies): never a 5xx, and nothing
written by a refused request. Seeded and bounded (FUZZ_EXAMPLES examples per endpoint)."""

from __future__ import annotations

import os

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from confiance.crisis.models import CrisisLogEntry
from confiance.crisis.services import crisis_declare
from confiance.territory.choices import CrisisKind

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
DEEP = "[" * 5000 + "]" * 5000
NASTY = st.sampled_from([
    "0", "-1", "²", "١٢", str(2**63), "9" * 40, "1e3", "a\x00b", "", " ", "%00", "1,2,²", DEEP[:60], DEEP,
    '{"type": "Polygon", "coordinates": [[[2.4, 48.5], [2.5, 48.5], [2.5, 48.6], [2.4, 48.5]]]}',
    '{"type": "Polygon", "coordinates": [[[999, 999], [1, 1], [2, 2], [999, 999]]]}',
    '{"type": "Feature", "geometry": null}', '{"type": "MultiPolygon", "coordinates": "x"}', "nan", "inenstock",
])
VALUES = st.one_of(NASTY, st.text(max_size=30), st.integers().map(str))
IDS = st.one_of(NASTY.filter(lambda text: "/" not in text and "\x00" not in text and "%" not in text),
                st.integers(min_value=-(2**70), max_value=2**70).map(str), st.text(
                    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#%\x00"), max_size=12))


@pytest.fixture
def setup(world, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    crisis = crisis_declare(actor=world.chef_both, kind=CrisisKind.FLOOD,
                            commune_ids=[world.ops.commune.pk, world.ops.other.pk])
    client = Client()
    client.force_login(world.chef_both.agent)
    return client, crisis


def _ok(response):
    assert response.status_code < 500, response.content[:300]


@FUZZ
@given(crisis_id=IDS, step_id=IDS)
@example(crisis_id=str(2**63), step_id="1")
@example(crisis_id="1", step_id="99999999999999999999")
def test_crisis_urls_never_fail(setup, crisis_id, step_id):
    client, _crisis = setup
    if not crisis_id.strip() or not step_id.strip():
        return
    for url in (f"/agents/crises/{crisis_id}/", f"/agents/crises/{crisis_id}/etat.json",
                f"/agents/crises/{crisis_id}/rapport.pdf"):
        _ok(client.get(url))
    for url in (f"/agents/crises/{crisis_id}/etapes/{step_id}/cocher", f"/agents/crises/{crisis_id}/journal",
                f"/agents/crises/{crisis_id}/communes"):
        _ok(client.post(url, {"text": "x", "commune": step_id}))
        _ok(client.post(url, {"text": "x"}, HTTP_ACCEPT="application/json"))


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["type", "communes", "titre", "x"]), VALUES, max_size=4))
@example(params={"communes": "1," * 5000, "type": "inondation"})
@example(params={"titre": "\x00", "communes": "²"})
def test_declaration_page_query_never_fails(setup, params):
    client, _crisis = setup
    _ok(client.get("/agents/crises/declarer/", params))
    _ok(client.get("/agents/crises/", params))


@FUZZ
@given(body=st.dictionaries(st.sampled_from(["kind", "title", "communes", "zone"]), VALUES, max_size=4))
@example(body={"kind": "inondation", "zone": DEEP})
@example(body={"kind": "inondation", "zone": '{"type": "Polygon", "coordinates": [[[2.4, 48.5]]]}'})
@example(body={"kind": "autre", "communes": str(2**63)})
def test_declaration_form_never_fails(setup, body):
    client, _crisis = setup
    _ok(client.post("/agents/crises/declarer/", body))


@FUZZ
@given(text=VALUES, commune=VALUES)
def test_log_form_never_fails_and_refusals_write_nothing(setup, text, commune):
    client, crisis = setup
    before = CrisisLogEntry.objects.count()
    response = client.post(f"/agents/crises/{crisis.pk}/journal", {"text": text, "commune": commune},
                           HTTP_ACCEPT="application/json")
    _ok(response)
    if response.status_code >= 400:
        assert CrisisLogEntry.objects.count() == before
