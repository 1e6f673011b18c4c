"""The main courante form sends the browser back only to a page of this site; the interval CSV writes text as
text (a spreadsheet never reads a formula from it)."""

import pytest
from django.test import Client

from confiance.operations.models import LogEntry
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.units import assignment_engage
from confiance.operations.tests.factories import call

pytestmark = pytest.mark.django_db


def client_for(actor) -> Client:
    client = Client()
    client.force_login(actor.agent)
    return client


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)"])
def test_logbook_form_never_redirects_off_site(world, target):
    response = client_for(world.agent).post("/agents/main-courante/", {
        "commune": world.commune.pk, "nature": world.nature.pk, "source": "patrouille",
        "text": "Stationnement gênant devant l'école.", "next": target})
    assert response.status_code == 302 and LogEntry.objects.count() == 1
    assert response["Location"] == "/agents/main-courante/"


def test_logbook_form_follows_a_path_of_this_site(world):
    response = client_for(world.agent).post("/agents/main-courante/", {
        "commune": world.commune.pk, "nature": world.nature.pk, "source": "patrouille",
        "text": "Stationnement gênant devant l'école.", "next": "/agents/main-courante/?commune=91386"})
    assert response["Location"] == "/agents/main-courante/?commune=91386"


def test_interval_csv_escapes_formulas(world):
    world.commune.name = "=HYPERLINK(\"https://evil.example\",\"Mennecy\")"
    world.commune.save(update_fields=["name"])
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    assignment_engage(actor=world.operator, intervention=intervention, unit=world.units[0])
    lines = client_for(world.operator).get("/agents/interventions/delais/", {"format": "csv"}).content.decode()
    assert "'=HYPERLINK" in lines and "\n=HYPERLINK" not in lines and ";=HYPERLINK" not in lines
