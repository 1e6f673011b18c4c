"""Agents and memberships: refusals name what was wrong, and nothing is written."""

import pytest
from django.utils import translation

from confiance.accounts.errors import AccountError, AccountErrorCode
from confiance.accounts.models import Agent, Membership
from confiance.accounts.services import agent_create, membership_grant
from confiance.accounts.tests.factories import make_agent
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db


def test_a_taken_username_is_a_conflict():
    make_agent(username="dupont")
    with translation.override("fr"), pytest.raises(AccountError) as caught:
        agent_create(actor=None, username="dupont", password="x" * 12)
    assert caught.value.code == AccountErrorCode.USERNAME_TAKEN and caught.value.status_code == 409
    assert "dupont" in caught.value.message and Agent.objects.filter(username="dupont").count() == 1


def test_an_unknown_role_is_refused():
    agent, commune = make_agent(username="martin"), make_commune(name="Mine")
    with translation.override("fr"), pytest.raises(AccountError) as caught:
        membership_grant(actor=None, agent=agent, commune=commune, role="astronaute")
    assert caught.value.code == AccountErrorCode.ROLE_UNKNOWN and "astronaute" in caught.value.message
    assert not Membership.objects.filter(agent=agent).exists()
