import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from confiance.accounts.access import Actor
from confiance.accounts.models import Agent
from confiance.accounts.services import enrolment_link_issue
from confiance.accounts.tests.factories import PASSWORD, make_agent
from confiance.privacy.models import AuditEntry
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db

LOGIN = "/comptes/connexion/"


def post_login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_police_agent_logs_in_with_password_only():
    agent = make_agent(communes=[make_commune()], role="police_agent")
    client = Client()
    response = post_login(client, agent.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/agents/"
    assert client.get("/agents/").status_code == 200


def test_repeated_wrong_passwords_lock_the_account_from_that_address_only(settings):
    settings.CONFIANCE_LOCKOUT_THRESHOLD = 3
    agent = make_agent(communes=[make_commune()])
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(2):
        assert "incorrect" in post_login(client, agent.username, "wrong password").content.decode()
    assert "verrouillée" in post_login(client, agent.username, "wrong password").content.decode()
    response = post_login(client, agent.username, PASSWORD)  # even the right password is refused now, from here
    assert "verrouillée" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="accounts.lockout").count() == 1
    # The attacker's address is locked, not the account: the agent still gets in from their own machine.
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    assert post_login(elsewhere, agent.username, PASSWORD).status_code == 302
    assert Agent.objects.get(pk=agent.pk).locked_until is None


def test_lockout_tells_nothing_about_which_accounts_exist(settings):
    settings.CONFIANCE_LOCKOUT_THRESHOLD = 2
    agent = make_agent(communes=[make_commune()])
    answers = {}
    for username in (agent.username, "personne-inconnue"):
        client = Client(REMOTE_ADDR="203.0.113.9")
        answers[username] = [post_login(client, username, "wrong password").content.decode() for _ in range(3)]
    real, unknown = answers[agent.username], answers["personne-inconnue"]
    assert [("incorrect" in a, "verrouillée" in a) for a in real] == [(True, False), (False, True), (False, True)]
    assert [("incorrect" in a, "verrouillée" in a) for a in unknown] == [(True, False), (False, True), (False, True)]
    def shown(page: str, username: str) -> str:  # the page less its CSRF token
        return re.sub(r'value="[A-Za-z0-9]{64}"', "", page).replace(username, "X")

    assert [shown(a, agent.username) for a in real] == [shown(a, "personne-inconnue") for a in unknown]


def test_every_attempt_costs_one_password_hash(settings, monkeypatch):
    """Existing or not, locked or not: the same work, so the same time."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    settings.CONFIANCE_LOCKOUT_THRESHOLD = 2
    agent = make_agent(communes=[make_commune()])
    hashes = []
    for method in ("encode", "verify"):
        original = getattr(Argon2PasswordHasher, method)
        monkeypatch.setattr(Argon2PasswordHasher, method,
                            lambda self, *a, _o=original, _m=method, **kw: hashes.append(_m) or _o(self, *a, **kw))
    for username in (agent.username, "personne-inconnue"):
        client = Client(REMOTE_ADDR="203.0.113.10")
        for _ in range(3):  # wrong, then locked, then locked
            hashes.clear()
            post_login(client, username, "wrong password")
            assert len(hashes) == 1, (username, hashes)


def test_login_posts_are_rate_limited_per_address(settings):
    settings.CONFIANCE_RATE_LIMITS = {**settings.CONFIANCE_RATE_LIMITS, "login": {"ip": "3/m"}}
    client = Client(REMOTE_ADDR="203.0.113.11")
    for index in range(3):
        assert post_login(client, f"essai-{index}", "wrong password").status_code == 200
    refused = post_login(client, "essai-4", "wrong password")
    assert refused.status_code == 429 and "Trop de tentatives" in refused.content.decode()
    assert int(refused["Retry-After"]) >= 1
    assert post_login(Client(REMOTE_ADDR="203.0.113.12"), "essai-5", "x").status_code == 200


def test_chief_without_second_factor_reaches_nothing_but_the_code_page():
    agent = make_agent(communes=[make_commune()], role="shift_supervisor")
    client = Client()
    response = post_login(client, agent.username, PASSWORD)
    assert response["Location"].startswith("/comptes/double-authentification/")
    home = client.get("/agents/")
    assert home.status_code == 302 and home["Location"].startswith("/comptes/double-authentification/")
    api = client.get("/api/v1/accounts/me")
    assert api.status_code == 401 and api.json()["code"] == "second_factor_required"
    assert client.get("/live/events").status_code == 401


def test_chief_enrols_an_authenticator_through_an_enrolment_link_then_gets_in():
    commune = make_commune()
    agent = make_agent(communes=[commune], role="shift_supervisor")
    admin = make_agent(communes=[commune], role="administrator", password=None)
    issued = enrolment_link_issue(actor=Actor(agent=admin), agent=agent)
    client = Client()
    post_login(client, agent.username, PASSWORD)
    client.post(f"/comptes/double-authentification/lien/{issued.secret}/")
    enrol = client.get("/comptes/double-authentification/", follow=True)
    assert "Activer la double authentification" in enrol.content.decode()
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    wrong = client.post("/comptes/double-authentification/activer/", {"code": "000000", "next": "/agents/"})
    assert "Code incorrect" in wrong.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows down guessing
    device.throttle_reset()
    right = client.post("/comptes/double-authentification/activer/", {"code": current_code(device), "next": "/agents/"})
    assert right.status_code == 302 and right["Location"] == "/agents/"
    assert client.get("/agents/").status_code == 200
    assert client.get("/api/v1/accounts/me").status_code == 200


def test_second_factor_relaxed_only_in_demo_mode(settings):
    settings.CONFIANCE_2FA_RELAXED = True
    agent = make_agent(communes=[make_commune()], role="administrator")
    client = Client()
    assert post_login(client, agent.username, PASSWORD)["Location"] == "/agents/"
    assert client.get("/agents/").status_code == 200


def test_next_parameter_cannot_send_elsewhere():
    agent = make_agent(communes=[make_commune()], role="dpo")
    TOTPDevice.objects.create(user=agent, name="t", confirmed=True)
    client = Client()
    post_login(client, agent.username, PASSWORD)
    device = TOTPDevice.objects.get(user=agent)
    response = client.post("/comptes/double-authentification/",
                           {"code": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/agents/"


def _stored_text() -> str:
    from confiance.accounts.models import SecurityEvent

    return " ".join(str(value) for row in SecurityEvent.objects.all() for value in vars(row).values())


def test_failed_logins_are_counted_per_account_address_and_hour_without_what_was_typed(settings):
    from confiance.accounts.models import SecurityEvent

    settings.CONFIANCE_LOCKOUT_THRESHOLD = 3
    agent = make_agent(communes=[make_commune()])
    client = Client(REMOTE_ADDR="203.0.113.30")
    for _ in range(4):  # two wrong, the third locks, the fourth is refused as locked
        post_login(client, agent.username, "Secret-Tape-1")
    for _ in range(2):
        post_login(Client(REMOTE_ADDR="203.0.113.31"), "Mot-De-Passe-Dans-Le-Champ", "Secret-Tape-2")
    counts = {(row.kind, row.ip_address, row.agent_id): row.count for row in SecurityEvent.objects.all()}
    assert counts == {("login_password", "203.0.113.30", agent.pk): 3, ("lockout", "203.0.113.30", agent.pk): 1,
                      ("login_locked", "203.0.113.30", agent.pk): 1, ("login_unknown", "203.0.113.31", None): 2}
    stored = _stored_text()
    assert "Secret-Tape" not in stored  # no password
    assert "mot-de-passe-dans-le-champ" not in stored.lower()  # an unknown name only as a keyed hash
    assert post_login(Client(REMOTE_ADDR="198.51.100.30"), agent.username, PASSWORD).status_code == 302
    assert SecurityEvent.objects.count() == 4  # a success counts nothing


def test_an_attacker_cannot_fill_the_table(settings):
    from django.db.models import Sum

    from confiance.accounts.models import SecurityEvent

    settings.CONFIANCE_SECURITY_EVENTS_PER_HOUR = 5
    for index in range(40):  # a new name and address each time: past the cap, the hour's overflow counter
        post_login(Client(REMOTE_ADDR=f"203.0.113.{index + 100}"), f"inconnu-{index}", "x")
    assert SecurityEvent.objects.count() == 6
    assert SecurityEvent.objects.aggregate(total=Sum("count"))["total"] == 40
    overflow = SecurityEvent.objects.get(account_hash=SecurityEvent.OVERFLOW)
    assert overflow.count == 35 and overflow.ip_address == "" and overflow.kind == "login_unknown"


def test_a_wrong_or_missing_second_factor_code_is_counted():
    from confiance.accounts.models import SecurityEvent

    agent = make_agent(communes=[make_commune()], role="dpo")
    TOTPDevice.objects.create(user=agent, name="t", confirmed=True)
    client = Client(REMOTE_ADDR="203.0.113.50")
    post_login(client, agent.username, PASSWORD)
    assert "incorrect" in client.post("/comptes/double-authentification/", {"code": "000000"}).content.decode()
    client.post("/comptes/double-authentification/", {"code": ""})
    row = SecurityEvent.objects.get(kind="second_factor")
    assert (row.agent_id, row.ip_address, row.count) == (agent.pk, "203.0.113.50", 2)
