"""Agents' report pages against injected text: the CSV export writes a citizen's text as text (never a formula),
the bulk form sends the browser back only to a page of this site."""

import csv
import io

import pytest
from django.test import Client

from confiance.accounts.tests.factories import make_agent
from confiance.core.actors import PublicActor
from confiance.reports.services.submission import report_submit
from confiance.reports.tests.factories import draft, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.mark.parametrize("payload", ["=HYPERLINK(\"https://evil.example\")", "+1+cmd|' /C calc'!A0", "-2+3",
                                     "@SUM(A1:A9)", "\t=1", "\r=1"])
def test_csv_export_escapes_formulas_from_citizens(world, payload):
    report_submit(actor=PublicActor("t"), draft=draft(description=payload, address=payload))
    client = Client()
    client.force_login(make_agent(communes=[world.commune], role="technical_agent"))
    body = client.get("/agents/signalements/", {"format": "csv"}).content.decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(body, newline=""), delimiter=";"))
    assert row["description"].startswith("'") and row["adresse"].startswith("'")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "?x=1"])
def test_bulk_form_never_redirects_off_site(world, target):
    client = Client()
    client.force_login(make_agent(communes=[world.commune], role="technical_agent"))
    response = client.post("/agents/signalements/lot/", {"action": "done", "ids": [1], "next": target})
    assert response.status_code == 302 and response["Location"] == "/agents/signalements/"


def test_bulk_form_keeps_the_list_filters(world):
    client = Client()
    client.force_login(make_agent(communes=[world.commune], role="technical_agent"))
    response = client.post("/agents/signalements/lot/", {"action": "done", "ids": [1],
                                                          "next": "/agents/signalements/?etat=open"})
    assert response["Location"] == "/agents/signalements/?etat=open"
