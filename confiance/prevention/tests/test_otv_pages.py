"""The resident's pages over HTTP: the form, CSRF, the rate limit, the private page; the police list's queries."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from confiance.prevention.models import OtvRegistration
from confiance.prevention.tests.otv_factories import HOME_A, away_now, register

pytestmark = pytest.mark.django_db


def _form(world, **changes):
    today = timezone.localdate()
    data = {"nonce": "a" * 32, "commune": world.commune.pk, "last_name": "Martin", "first_name": "Claire",
            "address": "12 Rue de l'Église", "lat": HOME_A[0], "lon": HOME_A[1], "residence": "principale",
            "leaves_on": (today + timedelta(days=5)).isoformat(),
            "returns_on": (today + timedelta(days=12)).isoformat(),
            "email": "claire@example.org", "phone": "0612345678", "consent": "on"}
    data.update(changes)
    return data


@pytest.fixture(autouse=True)
def _fresh_limits():
    caches["ratelimit"].clear()


def test_the_form_registers_once_and_opens_the_private_page(otv_world, client):
    page = client.get(reverse("prevention:otv-register"))
    assert page.status_code == 200 and "Mennecy" in page.content.decode() and b'name="nonce"' in page.content
    response = client.post(reverse("prevention:otv-register"), _form(otv_world))
    assert response.status_code == 302 and "/tranquillite-vacances/inscription/" in response["Location"]
    private = client.get(response["Location"])
    assert private.status_code == 200 and "12 Rue de l&#x27;Église" in private.content.decode()
    replay = client.post(reverse("prevention:otv-register"), _form(otv_world))
    assert replay.status_code == 302 and replay["Location"] == reverse("prevention:otv-sent")
    assert OtvRegistration.objects.count() == 1


def test_a_refused_form_says_why_by_its_field(otv_world, client):
    today = timezone.localdate()
    response = client.post(reverse("prevention:otv-register"), _form(
        otv_world, returns_on=(today + timedelta(days=3)).isoformat()))
    assert response.status_code == 400 and "La date de retour doit suivre" in response.content.decode()
    assert not OtvRegistration.objects.exists()


def test_the_form_needs_its_csrf_token(otv_world):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("prevention:otv-register"), _form(otv_world)).status_code == 403
    assert not OtvRegistration.objects.exists()


def test_the_form_is_rate_limited(otv_world, client, settings):
    settings.CONFIANCE_RATE_LIMITS = {**settings.CONFIANCE_RATE_LIMITS, "otv_form": {"ip": "2/10m"}}
    statuses = [client.post(reverse("prevention:otv-register"), _form(otv_world, nonce=f"{i:032d}")).status_code
                for i in range(3)]
    assert statuses[:2] == [302, 302] and statuses[2] == 429
    assert OtvRegistration.objects.count() == 2


def test_another_link_shows_nothing_and_changes_nothing(otv_world, client):
    mine, theirs = register(otv_world), register(otv_world, last_name="Autre")
    forged = mine.token[:-2] + ("xy" if not mine.token.endswith("xy") else "zz")
    assert client.get(reverse("prevention:otv-manage", args=[forged])).status_code == 404
    assert client.post(reverse("prevention:otv-manage", args=[forged]), {"action": "cancel"}).status_code == 404
    client.post(reverse("prevention:otv-manage", args=[mine.token]), {"action": "cancel"})
    statuses = dict(OtvRegistration.objects.values_list("pk", "status"))
    assert statuses == {mine.registration.pk: "annulee", theirs.registration.pk: "active"}


def test_the_police_list_queries_do_not_grow_with_the_homes(otv_world, client):
    client.force_login(otv_world.agent.agent)
    params = {"commune": "91386", "motif": "Patrouille de nuit"}
    away_now(otv_world)
    client.get(reverse("prevention:otv-homes"), params)  # per-process caches (territory, rights) filled
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("prevention:otv-homes"), params).status_code == 200
    for index in range(8):
        away_now(otv_world, address=f"{index} Rue des Roses")
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("prevention:otv-homes"), params).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize(("who", "shown"), [("agent", True), ("operator", True), ("elected", False),
                                            ("technician", False)])
def test_the_menu_links_the_otv_homes_for_the_police_only(otv_world, client, who, shown):
    client.force_login(getattr(otv_world, who).agent)
    page = client.get(reverse("console:home")).content.decode()
    assert (reverse("prevention:otv-homes") in page) is shown
