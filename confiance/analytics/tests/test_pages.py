"""Analytics pages as agents use them: ask, follow and download an analysis; indicators; open data; imports."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.test import Client

from confiance.analytics.models import AnalysisRun, Dataset
from confiance.analytics.services import analysis_start, dataset_import
from confiance.analytics.tests.factories import CITIZEN, TODAY, event_query, events_csv, world_for_call
from confiance.operations.services.interventions import intervention_create
from confiance.operations.tests.factories import call
from confiance.privacy.models import AuditEntry
from confiance.reports.services.submission import report_submit
from confiance.reports.tests.factories import draft

pytestmark = pytest.mark.django_db


def test_pages_for_an_elected_official(world, burglaries, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(world.analyst.agent)
    assert client.get("/agents/analyse/").status_code == 200
    response = client.post("/agents/analyse/", {"kind": "near_repeat", "communes": [world.commune.pk],
                                                "start": (TODAY - timedelta(days=3)).isoformat(),
                                                "end": (TODAY - timedelta(days=10)).isoformat(),
                                                "sources": ["reports"], "cell_m": 100, "h3_resolution": 9,
                                                "permutations": 99, "spatial_bandwidth_m": 100, "spatial_bands": 3,
                                                "temporal_bandwidth_days": 7, "temporal_bands": 3, "by": "commune"})
    assert response.status_code == 400 and "précède son début" in response.content.decode()
    assert not AnalysisRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/agents/analyse/", {
            "kind": "near_repeat", "communes": [world.commune.pk], "start": (TODAY - timedelta(days=364)).isoformat(),
            "end": TODAY.isoformat(), "dataset": burglaries.pk, "cell_m": 100, "h3_resolution": 9,
            "permutations": 99, "spatial_bandwidth_m": 100, "spatial_bands": 3, "temporal_bandwidth_days": 7,
            "temporal_bands": 3, "by": "commune"})
    assert response.status_code == 302
    page = client.get(response.url)
    body = page.content.decode()
    assert page.status_code == 200 and "Test de Knox" in body and "même lieu" in body
    csv_response = client.get(response.url + "knox.csv")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode()), delimiter=";"))
    assert rows[0][0] == "distance" and len(rows) == 1 + 5 * 4
    assert client.get(response.url + "mailles.geojson").status_code == 404  # not a map analysis
    state = client.get(response.url + "etat.json").json()
    assert state["status"] == "done" and state["progress"] == 1.0
    # another commune's agent cannot read it
    other = Client()
    other.force_login(world.outsider.agent)
    assert other.get(response.url).status_code == 404
    assert other.get(response.url + "etat.json").status_code == 404
    assert client.get("/agents/analyse/resultats/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_pages_refuse_those_without_the_right(world):
    client = Client()
    client.force_login(world.technician.agent)
    assert client.get("/agents/analyse/").status_code == 403
    assert client.get("/agents/analyse/indicateurs/").status_code == 403


def test_indicator_and_open_data_pages(world):
    report_submit(actor=CITIZEN, draft=draft())
    client = Client()
    client.force_login(world.analyst.agent)
    period = {"communes": [world.commune.pk], "start": (TODAY - timedelta(days=30)).isoformat(),
              "end": TODAY.isoformat()}
    body = client.get("/agents/analyse/indicateurs/", period).content.decode()
    assert "Non disponible" in body and "Signalements reçus" in body
    response = client.get("/agents/analyse/donnees-ouvertes/", period | {"format": "csv", "sources": "reports"})
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("secteur_code;") and lines[1].endswith(";oui")  # one report: suppressed, in words
    assert "True" not in response.content.decode() and "-W" not in lines[1].split(";")[4]
    geo = json.loads(client.get("/agents/analyse/donnees-ouvertes/", period | {"format": "geojson"}).content)
    assert geo["features"][0]["properties"]["nombre"] is None
    dictionary = client.get("/agents/analyse/donnees-ouvertes/", {"format": "dictionnaire"}).content.decode()
    assert dictionary.startswith("champ;type;description")
    bad = client.get("/agents/analyse/donnees-ouvertes/", period | {"communes": [world.other.pk]})
    assert bad.status_code == 400


def test_import_page_reports_errors_and_keeps_nothing(world):
    client = Client()
    client.force_login(world.analyst.agent)
    upload = io.BytesIO(b"foo,bar\n1,2\n")
    upload.name = "mauvais.csv"
    response = client.post("/agents/analyse/jeux/", {"name": "Essai", "commune": world.commune.pk, "file": upload},
                           follow=True)
    assert "Import refusé" in response.content.decode() and not Dataset.objects.exists()


def test_point_export_needs_the_right_to_see_each_source(world, django_capture_on_commit_callbacks):
    report_submit(actor=CITIZEN, draft=draft(description="Secret du déclarant"))
    intervention_create(actor=world.operator, commune_id=world.commune.pk,
                        draft=call(world_for_call(world), point=(48.565, 2.405)))
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_start(actor=world.analyst, kind="time", query=event_query(world), params={})
    elected, operator = Client(), Client()
    elected.force_login(world.analyst.agent)
    operator.force_login(world.operator.agent)
    url = f"/agents/analyse/resultats/{run.pk}/evenements.csv"
    refused = elected.get(url)
    assert refused.status_code == 403 and "droit de les consulter" in refused.content.decode()
    # the operator sees both sources in this commune
    operator_run = analysis_start(actor=world.operator, kind="time", query=event_query(world), params={})
    response = operator.get(f"/agents/analyse/resultats/{operator_run.pk}/evenements.csv")
    lines = response.content.decode().splitlines()
    assert lines[0].split(";") == ["source", "categorie", "date_heure", "lat", "lon", "x_m", "y_m",
                                   "systeme_metrique", "commune_insee", "secteur_code"]
    assert len(lines) == 3 and "Secret" not in response.content.decode()
    assert AuditEntry.objects.filter(action="analytics.events_export").count() == 1
    # reports alone: the élu may (reports.view)
    api = elected.get("/api/v1/analytics/events", {"communes": world.commune.insee_code,
                                                   "start": (TODAY - timedelta(days=5)).isoformat(),
                                                   "end": TODAY.isoformat(), "sources": "reports"})
    assert api.status_code == 200 and api.json()["features"][0]["properties"]["source"] == "reports"


# Measured baselines (NetBox-style): a list page reads the same number of rows whatever it lists.
# Every agent page: + the crisis banner's one read.
HOME_QUERIES = 8
INDICATORS_QUERIES = 21  # the "avant" figures of prevention add 10 (OTV and Participation citoyenne, two periods)
OPEN_DATA_QUERIES = 10  # one look-up of the sector index: events take the sector of their 500 m cell


def test_analysis_home_lists_runs_and_datasets_in_fixed_queries(world, burglaries, django_assert_num_queries):
    client = Client()
    client.force_login(world.analyst.agent)
    analysis_start(actor=world.analyst, kind="time", query=event_query(world), params={})
    client.get("/agents/analyse/")
    with django_assert_num_queries(HOME_QUERIES):
        assert client.get("/agents/analyse/").status_code == 200
    for k in range(3):
        analysis_start(actor=world.analyst, kind="hotspots", query=event_query(world), params={})
        dataset_import(actor=world.analyst, commune_id=world.commune.pk, name=f"Jeu {k}",
                       data=events_csv([(TODAY - timedelta(days=3), 10, "Tags", 48.56, 2.41)]), crs=None)
    with django_assert_num_queries(HOME_QUERIES):
        body = client.get("/agents/analyse/").content.decode()
    assert "Jeu 2" in body


def test_indicator_and_open_data_pages_in_fixed_queries(world, django_assert_num_queries):
    report_submit(actor=CITIZEN, draft=draft())
    client = Client()
    client.force_login(world.analyst.agent)
    period = {"communes": [world.commune.pk], "start": (TODAY - timedelta(days=30)).isoformat(),
              "end": TODAY.isoformat()}
    client.get("/agents/analyse/indicateurs/", period)
    with django_assert_num_queries(INDICATORS_QUERIES):
        assert client.get("/agents/analyse/indicateurs/", period).status_code == 200
    with django_assert_num_queries(OPEN_DATA_QUERIES):
        assert client.get("/agents/analyse/donnees-ouvertes/", period | {"sources": "reports"}).status_code == 200
    for k in range(4):
        report_submit(actor=CITIZEN, draft=draft(description=f"Trou {k}"))
    with django_assert_num_queries(INDICATORS_QUERIES):
        assert client.get("/agents/analyse/indicateurs/", period).status_code == 200
    with django_assert_num_queries(OPEN_DATA_QUERIES):
        assert client.get("/agents/analyse/donnees-ouvertes/", period | {"sources": "reports"}).status_code == 200
