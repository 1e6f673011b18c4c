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


def test_repeated_wrong_passwords_lock_the_account(settings):
    settings.CONFIANCE_LOCKOUT_THRESHOLD = 3
    agent = make_agent(communes=[make_commune()])
    client = Client()
    for _ in range(3):
        assert "incorrect" in post_login(client, agent.username, "wrong password").content.decode()
    response = post_login(client, agent.username, PASSWORD)  # even the right password is refused now
    assert "verrouillé" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert Agent.objects.get(pk=agent.pk).locked_until is not None
    assert AuditEntry.objects.filter(action="accounts.lockout").count() == 1


def test_lockout_expires(settings):
    from datetime import timedelta

    from django.utils import timezone

    agent = make_agent(communes=[make_commune()])
    Agent.objects.filter(pk=agent.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert post_login(Client(), agent.username, PASSWORD).status_code == 302


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
