"""Generated input on every alerts endpoint and page: never a 5xx, whatever is sent."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.accounts.services import api_token_create
from confiance.alerts.models import Alert
from confiance.alerts.services.authoring import alert_draft, alert_submit
from confiance.alerts.services.publication import alert_approve
from confiance.alerts.tests.factories import flood_draft

pytestmark = pytest.mark.django_db
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
texts = st.text(max_size=60)
ids = st.one_of(st.integers(min_value=-2**70, max_value=2**70).map(str), texts)


@pytest.fixture
def setup(world, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    alert = alert_draft(actor=world.operator, commune_id=world.commune.pk, draft=flood_draft())
    alert_submit(actor=world.operator, alert_id=alert.pk)
    alert = alert_approve(actor=world.chief, alert_id=alert.pk)
    token = api_token_create(actor=None, agent=world.chief.agent, name="t", communes=[world.commune],
                             permissions=["alerts.view", "territory.view"]).secret
    client = Client()
    client.force_login(world.operator.agent)
    return world, alert, token, client


def _api(client_token, path, params=None):
    return Client().get(path, params or {}, HTTP_AUTHORIZATION=f"Bearer {client_token}")


def test_api_list_detail_cap(setup):
    _world, alert, token, _ = setup
    assert _api(token, "/api/v1/alerts").json()[0]["identifier"] == alert.identifier
    assert _api(token, f"/api/v1/alerts/{alert.pk}").json()["status"] == "published"
    assert _api(token, f"/api/v1/alerts/{alert.pk}/cap").content == alert.cap_xml.encode()
    assert _api(token, "/api/v1/alerts", {"status": "bogus"}).json()["code"] == "invalid_input"
    assert _api(token, "/api/v1/alerts/987654").status_code == 404


@SETTINGS
@given(commune=st.one_of(st.none(), texts), status=st.one_of(st.none(), texts),
       limit=st.one_of(st.none(), ids), alert_id=ids)
def test_api_never_fails(setup, commune, status, limit, alert_id):
    _, _, token, _ = setup
    params = {key: value for key, value in {"commune": commune, "status": status, "limit": limit}.items()
              if value is not None}
    assert _api(token, "/api/v1/alerts", params).status_code < 500
    for suffix in ("", "/cap"):
        assert _api(token, f"/api/v1/alerts/{alert_id}{suffix}".replace("//", "/x/")).status_code < 500


@SETTINGS
@given(insee=texts, identifier=texts)
def test_public_pages_never_fail(setup, insee, identifier):
    client = Client()
    for path in (f"/alertes/{insee}/", f"/alertes/{insee}/flux.atom", f"/alertes/cap/{identifier}.xml"):
        try:
            response = client.get(path)
        except ValueError:  # the test client itself refuses a few characters in a path
            continue
        assert response.status_code < 500


@SETTINGS
@given(fields=st.dictionaries(st.sampled_from(["event", "headline", "instruction", "onset", "expires", "area",
                                               "severity", "risk", "sectors", "template", "commune",
                                               "whole_commune"]),
                              st.one_of(texts, ids, st.just(json.dumps({"type": "FeatureCollection",
                                                                        "features": [{"geometry": None}]})))))
def test_draft_form_never_fails(setup, fields):
    world, _, _, client = setup
    fields.setdefault("commune", str(world.commune.pk))
    assert client.post("/agents/alertes/nouvelle/", fields).status_code < 500


@SETTINGS
@given(action=st.sampled_from(["soumission", "validation", "publication", "renvoi", "abandon", "fin",
                               "modifier/", "mise-a-jour/", "demande-fr-alert.pdf"]),
       alert_id=st.integers(min_value=1, max_value=2**40), note=texts)
def test_actions_never_fail(setup, action, alert_id, note):
    _world, alert, _, client = setup
    for target in (alert.pk, alert_id):
        assert client.post(f"/agents/alertes/{target}/{action}", {"note": note, "reason": note}).status_code < 500
    assert Alert.objects.filter(pk=alert.pk).exists()
