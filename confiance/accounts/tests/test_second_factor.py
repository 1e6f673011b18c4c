"""The second factor follows rights on every request; enrolment needs an administrator's single-use link."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.accounts.access import SECOND_FACTOR_SESSION_KEY, Actor
from confiance.accounts.models import Agent, EnrolmentLink, Membership
from confiance.accounts.services import enrolment_link_issue, membership_grant
from confiance.accounts.tests.factories import PASSWORD, make_agent
from confiance.accounts.tests.test_login import current_code, post_login
from confiance.core.errors import NotFoundError
from confiance.privacy.models import AuditEntry
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db

TWO_FA = "/comptes/double-authentification/"


def link_path(secret: str) -> str:
    return f"{TWO_FA}lien/{secret}/"


def logged_in(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


# --- Evaluated on every request ----------------------------------------------------------------------------------


def test_an_agent_promoted_to_administrator_must_pass_the_second_factor_at_the_next_request():
    commune = make_commune()
    agent = make_agent(communes=[commune], role="police_agent")
    client = Client()
    post_login(client, agent.username, PASSWORD)
    assert client.get("/agents/").status_code == 200
    membership_grant(actor=None, agent=agent, commune=commune, role="administrator")
    home = client.get("/agents/")
    assert home.status_code == 302 and home["Location"].startswith(TWO_FA)
    api = client.get("/api/v1/accounts/me")
    assert api.status_code == 401 and api.json()["code"] == "second_factor_required"
    assert client.get("/live/events").status_code == 401


def test_made_superuser_in_a_session_requires_the_second_factor():
    agent = make_agent(communes=[make_commune()], role="technical_agent")
    client = logged_in(agent)
    assert client.get("/agents/").status_code == 200
    agent.is_superuser = True
    agent.save()
    assert client.get("/agents/")["Location"].startswith(TWO_FA)


def test_a_session_computed_under_an_older_list_of_sensitive_roles_is_recomputed():
    """RSSI joined the sensitive roles: a session that cached "no second factor" before must not keep it."""
    agent = make_agent(communes=[make_commune()], role="rssi")
    client = logged_in(agent)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = {"stamp": [agent.access_revision, "administrator,dpo,shift_supervisor"],
                                          "required": False}
    session.save()
    assert client.get("/agents/")["Location"].startswith(TWO_FA)


def test_losing_the_sensitive_role_lifts_the_requirement():
    commune = make_commune()
    agent = make_agent(communes=[commune], role="dpo")
    client = logged_in(agent)
    assert client.get("/agents/").status_code == 302
    Membership.objects.filter(agent=agent, role="dpo").delete()
    Membership.objects.create(agent=agent, commune=commune, role="police_agent")
    assert client.get("/agents/").status_code == 200


def test_rights_revision_moves_with_memberships_activation_superuser_password_and_token_communes():
    from confiance.accounts.services import api_token_create

    commune, other = make_commune(), make_commune()
    agent = make_agent(communes=[commune], role="police_agent", password=None)

    def revision() -> int:
        return Agent.objects.get(pk=agent.pk).access_revision

    seen = [revision()]
    membership = Membership.objects.create(agent=agent, commune=other, role="police_agent")
    seen.append(revision())
    membership.delete()
    seen.append(revision())
    fresh = Agent.objects.get(pk=agent.pk)
    fresh.is_active = False
    fresh.save(update_fields=["is_active"])
    seen.append(revision())
    fresh.set_password("another long password")
    fresh.save()
    seen.append(revision())
    token = api_token_create(actor=None, agent=agent, name="t", communes=[commune], permissions=["reports.view"]).token
    seen.append(revision())
    token.communes.add(other)
    seen.append(revision())
    assert seen == sorted(set(seen)) and len(seen) == 7  # strictly increasing: every change counted
    unchanged = Agent.objects.get(pk=agent.pk)
    unchanged.first_name = "Renommé"
    unchanged.save()
    assert revision() == seen[-1]  # a change that alters no right leaves it


def test_a_stale_instance_never_moves_the_revision_backwards():
    agent = make_agent(communes=[make_commune()], password=None)
    stale = Agent.objects.get(pk=agent.pk)
    Membership.objects.create(agent=agent, commune=make_commune(), role="police_agent")
    before = Agent.objects.get(pk=agent.pk).access_revision
    stale.is_active = False
    stale.save()
    assert Agent.objects.get(pk=agent.pk).access_revision == before + 1 == stale.access_revision


def test_the_agents_pages_outside_sign_in_are_behind_the_second_factor():
    commune = make_commune()
    admin = make_agent(communes=[commune], role="administrator", password=None)
    target = make_agent(communes=[commune], password=None)
    response = logged_in(admin).get(f"/comptes/agents/{target.pk}/lien-double-authentification/")
    assert response.status_code == 302 and response["Location"].startswith(TWO_FA)


# --- Enrolment needs an administrator's link -------------------------------------------------------------------


def test_password_alone_does_not_enrol_an_authenticator():
    agent = make_agent(communes=[make_commune()], role="shift_supervisor")
    client = Client()
    post_login(client, agent.username, PASSWORD)
    page = client.get(f"{TWO_FA}activer/")
    assert page.status_code == 403 and "Lien d'activation requis" in page.content.decode()
    posted = client.post(f"{TWO_FA}activer/", {"code": "123456"})
    assert posted.status_code == 403
    assert not TOTPDevice.objects.filter(user=agent).exists()  # no secret was even generated


def test_an_enrolment_link_serves_once_for_its_agent_and_is_journaled():
    commune = make_commune()
    chief = make_agent(communes=[commune], role="shift_supervisor")
    intruder = make_agent(communes=[commune], role="police_agent", password=None)
    admin = make_agent(communes=[commune], role="administrator", password=None)
    issued = enrolment_link_issue(actor=Actor(agent=admin), agent=chief)
    assert EnrolmentLink.objects.get().key_hash != issued.secret  # only its hash is kept

    other = logged_in(intruder)
    assert other.post(link_path(issued.secret)).status_code == 403  # another agent cannot use it...
    client = logged_in(chief)
    assert client.get(link_path(issued.secret)).status_code == 200  # ...a GET (mail scanner) consumes nothing
    used = client.post(link_path(issued.secret))
    assert used.status_code == 302 and used["Location"].startswith(f"{TWO_FA}activer/")
    page = client.get(f"{TWO_FA}activer/?next=/agents/")
    assert page.status_code == 200 and "secret" in page.content.decode()
    device = TOTPDevice.objects.get(user=chief, confirmed=False)
    done = client.post(f"{TWO_FA}activer/", {"code": current_code(device), "next": "/agents/"})
    assert done["Location"] == "/agents/"

    again = logged_in(chief)
    assert again.post(link_path(issued.secret)).status_code == 403  # single use
    actions = list(AuditEntry.objects.filter(action__startswith="accounts.").order_by("id")
                   .values_list("action", flat=True))
    assert actions[-3:] == ["accounts.enrolment_link_issue", "accounts.enrolment_link_redeem", "accounts.totp_enrol"]


def test_an_expired_or_superseded_link_is_refused():
    commune = make_commune()
    chief = make_agent(communes=[commune], role="dpo", password=None)
    actor = Actor(agent=make_agent(communes=[commune], role="administrator", password=None))
    first = enrolment_link_issue(actor=actor, agent=chief)
    second = enrolment_link_issue(actor=actor, agent=chief)
    client = logged_in(chief)
    assert client.post(link_path(first.secret)).status_code == 403  # a new link lapses the earlier ones
    EnrolmentLink.objects.filter(pk=second.link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post(link_path(second.secret)).status_code == 403


def test_the_enrolment_window_after_the_link_expires():
    commune = make_commune()
    chief = make_agent(communes=[commune], role="dpo", password=None)
    actor = Actor(agent=make_agent(communes=[commune], role="administrator", password=None))
    client = logged_in(chief)
    client.post(link_path(enrolment_link_issue(actor=actor, agent=chief).secret))
    session = client.session
    session["confiance_2fa_enrolment"]["until"] = (timezone.now() - timedelta(seconds=1)).isoformat()
    session.save()
    assert client.get(f"{TWO_FA}activer/").status_code == 403


def test_opening_the_link_signed_out_leads_back_to_it_after_sign_in():
    commune = make_commune()
    chief = make_agent(communes=[commune], role="shift_supervisor")
    actor = Actor(agent=make_agent(communes=[commune], role="administrator", password=None))
    path = link_path(enrolment_link_issue(actor=actor, agent=chief).secret)
    client = Client()
    to_login = client.get(path)
    assert to_login.status_code == 302 and to_login["Location"].startswith("/comptes/connexion/")
    response = client.post(to_login["Location"], {"username": chief.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == path
    assert "Continuer" in response.content.decode()


def test_who_may_issue_a_link():
    mennecy, ormoy = make_commune(), make_commune()
    admin = Actor(agent=make_agent(communes=[mennecy], role="administrator", password=None))
    chief = Actor(agent=make_agent(communes=[mennecy], role="shift_supervisor", password=None))
    local = make_agent(communes=[mennecy], role="dpo", password=None)
    elsewhere = make_agent(communes=[ormoy], role="dpo", password=None)
    superuser = Actor(agent=make_agent(superuser=True, password=None))
    assert enrolment_link_issue(actor=admin, agent=local).secret
    for actor, agent in [(admin, elsewhere), (chief, local), (admin, superuser.agent)]:
        with pytest.raises(NotFoundError):
            enrolment_link_issue(actor=actor, agent=agent)
    assert enrolment_link_issue(actor=superuser, agent=elsewhere).secret


def verified_client(agent: Agent) -> Client:
    device = TOTPDevice.objects.create(user=agent, name="t", confirmed=True)
    client = Client()
    post_login(client, agent.username, PASSWORD)
    client.post(TWO_FA, {"code": current_code(device), "next": "/agents/"})
    return client


def test_an_administrator_issues_a_link_from_the_agents_page():
    mennecy, ormoy = make_commune(), make_commune()
    admin = make_agent(communes=[mennecy], role="administrator")
    local = make_agent(communes=[mennecy], role="dpo", password=None)
    elsewhere = make_agent(communes=[ormoy], role="dpo", password=None)
    client = verified_client(admin)
    page = f"/comptes/agents/{local.pk}/lien-double-authentification/"
    assert client.get(page).status_code == 200
    issued = client.post(page, {"hours": "4"})
    assert issued.status_code == 200 and "/comptes/double-authentification/lien/" in issued.content.decode()
    link = EnrolmentLink.objects.get(agent=local)
    assert timedelta(hours=3, minutes=59) < link.expires_at - link.created_at <= timedelta(hours=4)
    assert "hours" in client.post(page, {"hours": "100000"}).context["form"].errors
    assert client.get(f"/comptes/agents/{elsewhere.pk}/lien-double-authentification/").status_code == 404


def test_the_admin_action_issues_links_shown_once():
    superuser = make_agent(superuser=True)
    chief = make_agent(communes=[make_commune()], role="shift_supervisor", password=None)
    client = verified_client(superuser)
    response = client.post("/admin/accounts/agent/", {"action": "issue_enrolment_link", "_selected_action": [chief.pk]})
    assert response.status_code == 200
    assert "/comptes/double-authentification/lien/" in response.content.decode()
    assert EnrolmentLink.objects.filter(agent=chief, issued_by=superuser).count() == 1
    assert AuditEntry.objects.filter(action="accounts.enrolment_link_issue").count() == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(secret=st.text(min_size=1, max_size=300),
       hours=st.one_of(st.integers(), st.text(max_size=30)))
def test_generated_input_on_the_link_pages_never_errors(secret, hours):
    agent = Agent.objects.filter(username="fuzz").first() or make_agent(
        username="fuzz", communes=[make_commune()], role="police_agent", password=None)
    admin = Agent.objects.filter(username="fuzz-admin").first() or make_agent(username="fuzz-admin", superuser=True,
                                                                             password=None)
    client = logged_in(agent)
    for method in (client.get, client.post):
        assert method(f"{TWO_FA}lien/{quote(secret, safe='')}/").status_code in {200, 301, 302, 403, 404}
    admin_client = logged_in(admin)
    session = admin_client.session
    session[SECOND_FACTOR_SESSION_KEY] = {"stamp": [admin.access_revision, "x"], "required": True}
    session.save()
    response = admin_client.post(f"/comptes/agents/{agent.pk}/lien-double-authentification/", {"hours": hours})
    assert response.status_code in {200, 302, 404}
