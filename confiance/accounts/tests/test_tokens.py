from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from confiance.accounts.errors import AccountError, AccountErrorCode
from confiance.accounts.models import ApiToken
from confiance.accounts.services import api_token_create, api_token_revoke
from confiance.accounts.tests.factories import make_agent
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    mine, other = make_commune(name="Mine"), make_commune(name="Other", lon=2.5)
    agent = make_agent(communes=[mine, other], role="administrator")
    issued = api_token_create(actor=None, agent=agent, name="SIG", communes=[mine],
                              permissions=["territory.view"], days=30)
    return mine, other, agent, issued


def get(path, secret):
    return Client().get(path, headers={"Authorization": f"Bearer {secret}"})


def test_token_is_stored_hashed_and_scoped(setup):
    mine, other, _, issued = setup
    token = ApiToken.objects.get()
    assert issued.secret not in (token.key_hash, token.prefix) and len(token.key_hash) == 64
    response = get("/api/v1/territory/communes", issued.secret)
    assert response.status_code == 200
    assert [c["insee_code"] for c in response.json()["items"]] == [mine.insee_code]
    assert get(f"/api/v1/territory/communes/{other.insee_code}", issued.secret).status_code == 404
    me = get("/api/v1/accounts/me", issued.secret).json()
    assert me["permissions"] == {mine.insee_code: ["territory.view"]}


def test_token_cannot_write_beyond_its_permissions(setup):
    mine, _, _, issued = setup
    ring = [[2.401, 48.551], [2.402, 48.551], [2.402, 48.552], [2.401, 48.551]]
    response = Client().post("/api/v1/territory/zones", content_type="application/json",
                             headers={"Authorization": f"Bearer {issued.secret}"},
                             data={"commune_insee": mine.insee_code, "name": "Z", "kind": "autre",
                                   "geometry": {"type": "Polygon", "coordinates": [ring]}})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("change, code", [
    ({"expires_at": timezone.now() - timedelta(seconds=1)}, "token_expired"),
    ({"revoked_at": timezone.now()}, "token_revoked"),
])
def test_expired_or_revoked_token_gets_401_in_the_error_shape(setup, change, code):
    *_, issued = setup
    ApiToken.objects.update(**change)
    response = get("/api/v1/territory/communes", issued.secret)
    assert response.status_code == 401
    assert response.json() == {"code": code, "message": response.json()["message"], "details": {}}


def test_revoke_service_and_forged_secrets(setup):
    *_, issued = setup
    api_token_revoke(actor=None, token=issued.token)
    assert get("/api/v1/accounts/me", issued.secret).json()["code"] == "token_revoked"
    forged = issued.secret[:-4] + "AAAA"
    assert get("/api/v1/accounts/me", forged).json()["code"] == "token_invalid"
    assert get("/api/v1/accounts/me", "garbage").json()["code"] == "token_invalid"


def test_token_scope_is_checked_on_issue(setup):
    mine, _, agent, _ = setup
    with pytest.raises(AccountError):
        api_token_create(actor=None, agent=agent, name="x", communes=[mine], permissions=["everything"])
    with pytest.raises(AccountError):
        api_token_create(actor=None, agent=agent, name="x", communes=[], permissions=["territory.view"])
    with pytest.raises(AccountError):
        api_token_create(actor=None, agent=agent, name="x", communes=[mine], permissions=["territory.view"],
                         days=100_000)


@pytest.mark.parametrize(("arguments", "code"), [
    ({"permissions": ["everything"]}, AccountErrorCode.TOKEN_SCOPE_INVALID),
    ({"communes": []}, AccountErrorCode.TOKEN_SCOPE_INVALID),
    ({"days": 100_000}, AccountErrorCode.TOKEN_LIFETIME_INVALID),
])
def test_a_refused_token_says_what_was_wrong_in_french(setup, arguments, code):
    mine, _, agent, _ = setup
    asked = {"communes": [mine], "permissions": ["territory.view"], "days": 30} | arguments
    with translation.override("fr"), pytest.raises(AccountError) as caught:
        api_token_create(actor=None, agent=agent, name="x", **asked)
    assert caught.value.code == code and caught.value.message.endswith(".")
    assert ApiToken.objects.count() == 1  # the fixture's token only


def test_the_token_of_a_disabled_agent_says_so(setup):
    _, _, agent, issued = setup
    agent.is_active = False
    agent.save()
    body = get("/api/v1/accounts/me", issued.secret).json()
    assert body["code"] == AccountErrorCode.TOKEN_AGENT_INACTIVE and "désactivé" in body["message"]


def test_refused_presentations_are_counted_for_the_rssi_by_kind_account_and_address(setup):
    from confiance.accounts.models import SecurityEvent

    _, _, agent, issued = setup
    for _ in range(3):
        Client(REMOTE_ADDR="203.0.113.40").get("/api/v1/accounts/me", headers={"Authorization": "Bearer cft_x_y"})
    Client(REMOTE_ADDR="203.0.113.41").get("/api/v1/accounts/me", headers={"Authorization": "Bearer garbage"})
    api_token_revoke(actor=None, token=issued.token)
    get("/api/v1/accounts/me", issued.secret)
    ApiToken.objects.update(revoked_at=None, expires_at=timezone.now() - timedelta(seconds=1))
    get("/api/v1/accounts/me", issued.secret)
    rows = {(row.kind, row.ip_address): row for row in SecurityEvent.objects.all()}
    assert rows[("token_unknown", "203.0.113.40")].count == 3  # one counter, incremented
    assert rows[("token_unknown", "203.0.113.40")].agent is None
    assert rows[("token_unknown", "203.0.113.41")].count == 1
    assert rows[("token_revoked", "127.0.0.1")].agent == agent
    assert rows[("token_expired", "127.0.0.1")].agent == agent
    secret_part = issued.secret.split("_", 2)[2]  # the random part may hold "_" itself: split as the service does
    assert not any(secret_part in str(value) for row in rows.values() for value in vars(row).values())
