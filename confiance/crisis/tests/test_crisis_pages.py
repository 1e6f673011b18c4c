"""Crisis pages through Django's test client: declaration (pre-filled from the flood), the crisis view and its
state, ticks and notes, the end and the report, the banner on the agents' pages, tenancy."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from confiance.crisis.models import CrisisLogEntry, CrisisStep, CrisisStepTick
from confiance.crisis.services import crisis_close, crisis_declare
from confiance.territory.choices import CrisisKind
from confiance.territory.models import CrisisSharing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True  # the chef de poste's second factor is tested in accounts


def client_for(actor) -> Client:
    client = Client()
    client.force_login(actor.agent)
    return client


def _crisis(world, **kwargs):
    return crisis_declare(actor=world.chef_both, kind=CrisisKind.FLOOD, title="Crue de l'Essonne",
                          commune_ids=[world.ops.commune.pk, world.ops.other.pk], **kwargs)


def test_the_flood_button_prefills_the_declaration(world):
    client = client_for(world.chef_both)
    listing = client.get("/agents/crises/").content.decode()
    assert "Déclarer une crise" in listing and "data-declare-crisis" in listing
    ids = f"{world.ops.commune.pk},{world.ops.other.pk},{world.outside.pk}"
    page = client.get("/agents/crises/declarer/", {"type": "inondation", "communes": ids}).content.decode()
    assert 'value="inondation" selected' in page
    assert page.count("checked") == 2  # the outside commune is not one where this chef declares
    console = client.get("/agents/console/").content.decode()
    assert "data-declare-crisis" in console


def test_declaring_from_the_form_opens_the_crisis_view(world):
    client = client_for(world.elected)
    response = client.post("/agents/crises/declarer/",
                           {"kind": "neige", "title": "", "communes": [world.ops.commune.pk]})
    crisis = CrisisSharing.objects.get()
    assert response.status_code == 302 and response.url == f"/agents/crises/{crisis.pk}/"
    page = client.get(response.url).content.decode()
    assert "Neige" in page and "Terminer la crise" in page
    refused = client.post("/agents/crises/declarer/", {"kind": "neige", "communes": [world.ops.other.pk]})
    assert refused.status_code == 400 and CrisisSharing.objects.count() == 1


def test_zone_and_bad_input_are_answered_by_the_form(world):
    client = client_for(world.chef_both)
    for zone in ("{", "[]", '{"type": "Point", "coordinates": [1, 2]}', "[" * 50 + "]" * 50, "\x00"):
        response = client.post("/agents/crises/declarer/", {"kind": "incendie", "zone": zone})
        assert response.status_code == 400, zone
    assert not CrisisSharing.objects.exists()


def test_state_ticks_notes_and_end(world):
    crisis = _crisis(world)
    client = client_for(world.other_operator)
    state = client.get(f"/agents/crises/{crisis.pk}/etat.json").json()
    assert {row["commune"] for row in state["alarms"]} == {"Mennecy", "Ormoy"}
    step = CrisisStep.objects.filter(crisis=crisis, commune=world.ops.other).first()
    answer = client.post(f"/agents/crises/{crisis.pk}/etapes/{step.pk}/cocher", HTTP_ACCEPT="application/json")
    assert answer.status_code == 200 and CrisisStepTick.objects.get().ticked_by_id == world.other_operator.agent.pk
    mennecy_step = CrisisStep.objects.filter(crisis=crisis, commune=world.ops.commune).first()
    denied = client.post(f"/agents/crises/{crisis.pk}/etapes/{mennecy_step.pk}/cocher", HTTP_ACCEPT="application/json")
    assert denied.status_code == 404 and CrisisStepTick.objects.count() == 1
    note = client.post(f"/agents/crises/{crisis.pk}/journal", {"text": "Pont fermé", "commune": world.ops.other.pk})
    assert note.status_code == 302 and CrisisLogEntry.objects.filter(text="Pont fermé").exists()
    assert client.post(f"/agents/crises/{crisis.pk}/terminer").status_code == 403  # an operator does not end it
    ended = client_for(world.chef_both).post(f"/agents/crises/{crisis.pk}/terminer")
    assert ended.status_code == 302
    crisis.refresh_from_db()
    assert crisis.ended_at is not None and crisis.ended_at <= timezone.now()
    after = client.get(f"/agents/crises/{crisis.pk}/etat.json").json()
    assert {row["commune"] for row in after["alarms"]} == {"Ormoy"} and after["crisis"]["active"] is False


def test_report_only_after_the_end(world):
    crisis = _crisis(world)
    client = client_for(world.chef_both)
    assert client.get(f"/agents/crises/{crisis.pk}/rapport.pdf").status_code == 302
    crisis_close(actor=world.chef_both, crisis=crisis)
    response = client.get(f"/agents/crises/{crisis.pk}/rapport.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    elected = client_for(world.elected).get(f"/agents/crises/{crisis.pk}/rapport.pdf")
    assert elected.status_code == 200 and elected.content.startswith(b"%PDF")


def test_banner_on_the_agents_pages_of_the_communes_concerned(world):
    crisis = _crisis(world)
    for actor in (world.technician, world.other_operator, world.elected):
        page = client_for(actor).get("/agents/").content.decode()
        assert "data-crisis-banner" in page and f"/agents/crises/{crisis.pk}/" in page
    outsider = client_for(world.outsider_operator).get("/agents/").content.decode()
    assert "data-crisis-banner" not in outsider
    crisis_close(actor=world.chef_both, crisis=crisis)
    assert "data-crisis-banner" not in client_for(world.technician).get("/agents/").content.decode()


def test_outsiders_find_nothing(world):
    crisis = _crisis(world)
    client = client_for(world.outsider_operator)
    for url in ("", "etat.json", "rapport.pdf"):
        assert client.get(f"/agents/crises/{crisis.pk}/{url}").status_code == 404
    assert client.post(f"/agents/crises/{crisis.pk}/journal", {"text": "x"}).status_code == 404
    state = client.get(f"/agents/crises/{crisis.pk}/etat.json")
    assert json.loads(state.content)["code"] == "not_found"
    assert client_for(world.dpo).get("/agents/crises/").status_code == 403
    assert client_for(world.ops.operator).get("/agents/crises/declarer/").status_code == 403
    assert CrisisLogEntry.objects.count() == 1


def test_crisis_view_query_count(world, django_assert_max_num_queries):
    crisis = _crisis(world)
    client = client_for(world.chef_both)
    client.get(f"/agents/crises/{crisis.pk}/etat.json")
    with django_assert_max_num_queries(30):
        client.get(f"/agents/crises/{crisis.pk}/etat.json")
