"""The public shell: the home page in French by default, for anyone, with nothing of the agents in it."""

import pytest
from django.test import Client
from django.urls import reverse

from confiance.accounts.tests.factories import make_agent
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db
AGENT_PAGES = ("console:home", "reports:list", "console:territory", "operations:console", "analytics:home")


def test_public_home_is_in_french_for_anyone():
    response = Client().get(reverse("portal:home"))
    body = response.content.decode()
    assert response.status_code == 200 and '<html lang="fr">' in body
    assert "Confiance, la plateforme du territoire de confiance" in body
    assert f'href="{reverse("reports:new")}"' in body and f'href="{reverse("accounts:login")}"' in body


def test_public_home_shows_no_agent_data():
    commune = make_commune(name="Mennecy")
    make_agent(communes=[commune], username="brigadier.dupont")
    body = Client().get(reverse("portal:home")).content.decode()
    assert "brigadier.dupont" not in body and "Se déconnecter" not in body and "live-labels" not in body
    for name in AGENT_PAGES:
        assert f'href="{reverse(name)}"' not in body, name


def test_public_home_reads_nothing_but_the_page(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert Client().get(reverse("portal:home")).status_code == 200


def test_english_is_offered_on_the_public_home():
    body = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("portal:home")).content.decode()
    assert '<html lang="en">' in body and 'value="fr"' in body
