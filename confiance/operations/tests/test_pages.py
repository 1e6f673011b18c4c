"""Operations pages and API through Django's test client: main courante form with the sensitive-data warning,
PDF export with a logged motive, interval report and CSV, console state, API errors, tenancy."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from confiance.operations.drafts import PersonDraft
from confiance.operations.models import Intervention, LogEntry
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.logbook import log_entry_create
from confiance.operations.services.units import assignment_engage, assignment_milestone
from confiance.operations.tests.factories import call, entry
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def client_for(actor) -> Client:
    client = Client()
    client.force_login(actor.agent)
    return client


def test_logbook_form_warns_then_saves_when_confirmed(world):
    client = client_for(world.agent)
    form = {"commune": world.commune.pk, "nature": world.nature.pk, "source": "patrouille",
            "text": "Le mis en cause, d'origine maghrébine, a insulté les agents."}
    response = client.post("/agents/main-courante/", form)
    assert response.status_code == 200
    assert "Attention : données interdites" in response.content.decode() and not LogEntry.objects.exists()
    response = client.post("/agents/main-courante/", {**form, "acknowledge_sensitive": "on"})
    assert response.status_code == 302 and LogEntry.objects.count() == 1
    page = client.get("/agents/main-courante/", {"commune": "91386"}).content.decode()
    assert "MC-" in page and "Tapage" in page


def test_logbook_form_errors_in_french(world):
    client = client_for(world.agent)
    response = client.post("/agents/main-courante/", {"commune": world.commune.pk, "nature": world.nature.pk,
                                                       "source": "patrouille", "text": "",
                                                       "person_role": "temoin"})
    body = response.content.decode()
    assert response.status_code == 200 and "Ce champ est obligatoire" in body
    assert "Le nom de la personne concernée est requis." in body
    response = client.post("/agents/main-courante/", {"commune": world.other.pk, "nature": world.nature.pk,
                                                       "source": "patrouille", "text": "x"})
    assert "Sélectionnez un choix valide" in response.content.decode()  # another commune's id is not a choice


def test_pdf_export_needs_a_motive_and_is_logged(world):
    log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(
        world, persons=[PersonDraft(role="victime", last_name="Lefèvre", first_name="Zoé")]))
    client = client_for(world.operator)
    day = timezone.localdate().isoformat()
    response = client.get("/agents/main-courante/pdf", {"commune": "91386", "jour": day})
    assert response.status_code == 302 and not AuditEntry.objects.filter(kind="access").exists()
    response = client.get("/agents/main-courante/pdf", {"commune": "91386", "jour": day,
                                                        "motif": "Réquisition judiciaire n° 42"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 1000
    logged = AuditEntry.objects.get(kind="access")
    assert logged.motive == "Réquisition judiciaire n° 42" and logged.extra["export"] == "main_courante_pdf"
    other = client_for(world.other_operator)
    response = other.get("/agents/main-courante/pdf", {"commune": "91386", "jour": day, "motif": "curiosité"})
    assert response.status_code == 403


def test_interval_report_page_and_csv(world):
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    assignment = assignment_engage(actor=world.operator, intervention=intervention, unit=world.units[0])
    assignment_milestone(actor=world.agent, assignment=assignment, step="on_scene_at")
    client = client_for(world.operator)
    page = client.get("/agents/interventions/delais/")
    assert page.status_code == 200 and "Mennecy" in page.content.decode()
    csv = client.get("/agents/interventions/delais/", {"format": "csv"})
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("commune;mois;priorité;interventions") and "Mennecy" in lines[1]
    assert client_for(world.elected).get("/agents/interventions/delais/").status_code == 403


def test_console_pages_and_state(world):
    intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    client = client_for(world.operator)
    assert client.get("/agents/console/").status_code == 200
    state = client.get("/agents/console/etat.json").json()
    assert {u["name"] for u in state["units"]} == {"PM 1", "PM 2", "PM 3"}
    assert len(state["interventions"]) == 1 and state["units"][2]["stale"] is True
    other = client_for(world.other_operator).get("/agents/console/etat.json").json()
    assert [u["name"] for u in other["units"]] == ["Ormoy 1"] and other["interventions"] == []
    assert client_for(world.elected).get("/agents/console/etat.json").status_code == 403
    field = client_for(world.agent).get("/agents/terrain/").content.decode()
    assert "PM 1" in field and "Aucune mission en cours." in field


def test_api_errors_have_one_shape(world):
    client = client_for(world.operator)
    base = "/api/v1/operations/"
    response = client.post(base + "interventions", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422) and "code" in response.json()
    response = client.post(base + "interventions", {"commune": "91386", "type_id": "abc", "lat": 48.56, "lon": 2.41},
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    response = client.post(base + "interventions", {"commune": "91468", "type_id": world.other_type.pk,
                                                    "lat": 48.585, "lon": 2.445}, content_type="application/json")
    assert response.status_code == 404  # another commune: not even named
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    response = client.post(base + f"interventions/{intervention.pk}/engage", {"unit_id": world.other_unit.pk},
                           content_type="application/json")
    assert response.status_code == 404
    response = client.post(base + f"interventions/{intervention.pk}/engage", {"unit_id": world.units[0].pk},
                           content_type="application/json")
    assert response.status_code == 201
    response = client.post(base + f"interventions/{intervention.pk}/engage", {"unit_id": world.units[0].pk},
                           content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "operations_unit_engaged"
    reco = client.get(base + f"interventions/{intervention.pk}/recommendation").json()
    assert reco["auto_dispatch"] is False and [c["name"] for c in reco["candidates"]] == ["PM 2"]
    response = client.post(base + "log-entries", {"commune": "91386", "nature_id": world.nature.pk,
                                                  "source": "appel", "text": "Personne séropositive agressée."},
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "operations_sensitive_data"
    assert response.json()["details"]["matches"][0]["category"] == "sante"
    assert Intervention.objects.count() == 1 and json.loads(json.dumps(reco))
