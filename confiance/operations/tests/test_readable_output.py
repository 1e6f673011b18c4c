"""What a person reads: the API names refused fields in French (never "body.payload.lat"), and the delays report
writes months and minutes as a French reader does ("octobre 2026", "11", "4,5")."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from confiance.operations.selectors import minutes_text, month_label
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.units import assignment_engage, assignment_milestone
from confiance.operations.tests.factories import call
from config.api import field_label, validation_message


def client_for(actor) -> Client:
    client = Client()
    client.force_login(actor.agent)
    return client


@pytest.mark.django_db
def test_an_intervention_without_a_point_is_refused_in_words(world):
    response = client_for(world.operator).post(
        "/api/v1/operations/interventions", {"commune": "91386", "type_id": world.noise.pk},
        content_type="application/json")
    body = response.json()
    assert response.status_code == 422 and body["code"] == "invalid_input"
    assert body["message"] == "Données invalides : latitude, longitude."
    assert "body" not in body["message"] and "payload" not in body["message"]
    assert {error["label"] for error in body["details"]["errors"]} == {"latitude", "longitude"}


def test_field_names_without_their_path():
    assert field_label(("body", "payload", "lat")) == "latitude"
    assert field_label(("body", "payload", "persons", 0, "last_name")) == "last_name"  # no label: the last element
    assert field_label(("query", "since")) == "since"
    assert field_label(()) == ""
    assert validation_message([{"loc": ("body",)}]) == "Données invalides."
    assert validation_message([{"loc": ("body", "payload", "lat")}, {"loc": ("body", "payload", "lat")}]) == (
        "Données invalides : latitude.")


def test_months_and_minutes_as_read():
    assert month_label("2026-10") == "octobre 2026"
    assert month_label("2027-01") == "janvier 2027"
    assert minutes_text(11.0) == "11" and minutes_text(4.0) == "4" and minutes_text(0.0) == "0"
    assert minutes_text(4.5) == "4,5" and minutes_text(12.345) == "12,3"
    assert minutes_text(None) == ""


@pytest.mark.django_db
def test_delays_page_and_csv_in_local_formats(world):
    base = timezone.now()
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world),
                                       now=base - timedelta(minutes=30))
    assignment = assignment_engage(actor=world.operator, intervention=intervention, unit=world.units[0],
                                   now=base - timedelta(minutes=28))
    assignment_milestone(actor=world.agent, assignment=assignment, step="en_route_at",
                         at=base - timedelta(minutes=27))
    assignment_milestone(actor=world.agent, assignment=assignment, step="on_scene_at",
                         at=base - timedelta(minutes=20))
    month = month_label(timezone.localtime(intervention.created_at).strftime("%Y-%m"))
    client = client_for(world.operator)
    page = client.get("/agents/interventions/delais/").content.decode()
    assert f"<td>{month}</td>" in page
    assert "<td>2 / 2</td>" in page and "<td>10 / 10</td>" in page  # whole minutes, no ",0"
    assert ",0" not in page and "—" in page  # the unfinished time on scene: a dash
    lines = client.get("/agents/interventions/delais/", {"format": "csv"}).content.decode().splitlines()
    cells = lines[1].split(";")
    assert cells[0] == "Mennecy" and cells[1] == month and cells[3] == "1"
    assert ";10;10;" in lines[1] and ",0" not in lines[1]
