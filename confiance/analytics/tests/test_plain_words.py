"""Analyses in plain words (issue 15, point 13): each result opens with a sentence computed from it, indicators say
which way is better, a dataset fixes its commune, an élu never takes an imported dataset's events one by one, and
figures, dates and CSV cells read as the reader writes them."""

import csv
import html
import io
import re
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from confiance.analytics import formatting, summaries
from confiance.analytics.errors import AnalysisInputError
from confiance.analytics.forms import AnalysisForm
from confiance.analytics.models import DatasetEvent
from confiance.analytics.selectors import dataset_list_for_actor, phase_indicators
from confiance.analytics.services import analysis_start
from confiance.analytics.stats.points import project
from confiance.analytics.stats.temporal import compare_periods
from confiance.analytics.tests.factories import TODAY, event_query
from confiance.operations.tests.factories import make_actor
from confiance.privacy.models import AuditEntry

NBSP = "\u00a0"


def plain(text: str) -> str:
    """The text with its non-breaking spaces as plain spaces, to compare with what a reader sees."""
    return text.replace(NBSP, " ").replace("\u202f", " ")


# --- Sentences for fixed synthetic results ----------------------------------------------------------

def knox_result(ratio, p_value, *, observed=64, expected=50.0, same_location=True, protected=False,
                categories=("Cambriolage",)):
    """A Knox table whose closest band (after "same place", masked) carries the ratio and p-value asked."""
    rows = 1 + 3 if same_location else 3
    table = [[10] * 3 for _ in range(rows)]
    ratios = [[1.0] * 3 for _ in range(rows)]
    p_values = [[0.5] * 3 for _ in range(rows)]
    expected_table = [[10.0] * 3 for _ in range(rows)]
    first = 1 if same_location else 0
    if same_location:
        table[0][0] = None  # fewer than 5 pairs at the same place: masked, so the sentence uses the next band
    table[first][0], ratios[first][0], p_values[first][0], expected_table[first][0] = observed, ratio, p_value, expected
    return {"events": 800, "categories": list(categories), "disclosure": {"protected": protected},
            "knox": {"spatial_edges_m": [200.0, 400.0, 600.0], "same_location": same_location,
                     "temporal_edges_days": [7.0, 14.0], "rows": ["r"] * rows, "columns": ["c"] * 3,
                     "observed": table, "expected": expected_table, "knox_ratio": ratios, "p_value": p_values,
                     "permutations": 999}}


@pytest.fixture
def french():
    with translation.override("fr"):
        yield


def test_knox_sentence_says_how_much_higher_the_risk_is(french):
    sentences = summaries.headline("near_repeat", knox_result(1.28, 0.001))
    assert plain(sentences[0]) == ("Dans les 200 m et les 7 jours qui suivent un cambriolage, le risque d'un autre "
                                   "cambriolage est 28 % plus élevé que si les faits survenaient au hasard.")
    assert plain(sentences[1]).startswith("Dans cette case du tableau : 64 paires de faits observées pour 50 attendues")
    assert "999 tirages" in sentences[1]


def test_knox_sentence_without_significance_says_so(french):
    sentence = plain(summaries.headline("near_repeat", knox_result(1.4, 0.31))[0])
    assert sentence.startswith("Aucune répétition significative : dans les 200 m et les 7 jours qui suivent un "
                               "cambriolage")
    assert "40 %" not in sentence


def test_knox_sentence_in_times_at_the_same_place_and_for_any_category(french):
    result = knox_result(3.46, 0.001, same_location=False, categories=("Tapage", "Tags"))
    assert plain(summaries.headline("near_repeat", result)[0]).startswith(
        "Dans les 200 m et les 7 jours qui suivent un fait, le risque d'un autre fait est 3,5 fois plus élevé")
    same_place = knox_result(1.5, 0.01)
    same_place["knox"]["observed"][0][0] = 30
    same_place["knox"]["knox_ratio"][0][0] = 2.0
    same_place["knox"]["p_value"][0][0] = 0.001
    assert summaries.headline("near_repeat", same_place)[0].startswith(
        "Au même endroit, dans les 7 jours qui suivent un cambriolage, le risque d'un autre cambriolage est 2 fois")
    same_place["disclosure"]["protected"] = True
    assert summaries.headline("near_repeat", same_place)[0].startswith("Dans la même maille de 500 m, dans les 7 jours")


def test_hot_spot_sentence_counts_zones_and_their_share(french):
    features = [{"properties": {"n": n, "c": c}} for n, c in [(120, 1), (80, 1), (40, 1), (10, 0), (0, -1)]]
    result = {"events": 1000, "grid": {"size_m": 100.0, "cells_in_area": 1200}, "cells": {"features": features},
              "zones": {"zones": 2, "cells": 3, "events": 240}}
    result["grid"]["cells_in_area"] = 1000
    sentences = [plain(s) for s in summaries.headline("hotspots", result)]
    assert sentences[0] == ("2 zones concentrent 24 % des faits, sur 0,3 % de la surface analysée (3 mailles de "
                            "100 m) : ce sont des points chauds significatifs.")
    quiet = result | {"cells": {"features": [{"properties": {"n": n, "c": 0}} for n in (30, 20, 10)]}}
    sentences = [plain(s) for s in summaries.headline("hotspots", quiet)]
    assert sentences[0] == "Les 3 mailles de 100 m les plus chargées concentrent 6 % des faits."
    assert sentences[1].startswith("Aucune ne ressort comme point chaud significatif")


def test_trend_sentence_compares_with_the_previous_period_and_says_if_significant(french):
    comparison = compare_periods(1102, 1234)
    assert comparison.p_value < 0.05 and round(100 * comparison.change, 1) == 12.0
    result = {"events": 1234, "categories": ["Cambriolage"],
              "weekly": {"trend_per_year_pct": -3.2, "above": ["x"], "seasonal": True},
              "comparison": {"available": True, "previous": 1102, "current": 1234, "change_pct": 12.0,
                             "p_value": comparison.p_value, "previous_start": "2024-12-01",
                             "previous_end": "2025-11-30"}}
    sentences = [plain(s) for s in summaries.headline("time", result)]
    assert sentences[0] == ("Hausse de 12 % par rapport à la période précédente de même durée (du 1 décembre 2024 "
                            "au 30 novembre 2025) : 1 234 faits contre 1 102.")
    assert sentences[1].startswith("Cette évolution est significative")
    assert sentences[2] == "Tendance de fond des cambriolages sur la période : \u22123 % par an."
    assert sentences[3] == "Une semaine a dépassé le niveau habituel."
    result["weekly"]["seasonal"] = False  # under two years the trend mixes the seasons: not in the headline
    assert not any("Tendance de fond" in s for s in summaries.headline("time", result))
    small = compare_periods(20, 18)
    result["comparison"] |= {"previous": 20, "current": 18, "change_pct": -10.0, "p_value": small.p_value}
    sentences = [plain(s) for s in summaries.headline("time", result)]
    assert sentences[0].startswith("Baisse de 10 %") and "n'est pas significative" in sentences[1]
    # overdispersed weekly counts make the same change less significant
    assert compare_periods(1102, 1234, dispersion=4).p_value > comparison.p_value


def test_forecast_sentence_gives_the_expected_range(french):
    result = {"loads": [{"label": "Ensemble", "week_total": 10.4, "baseline_week_total": 9.0, "week_low": 5,
                         "week_high": 16, "forecast_start": "2026-12-07"}],
              "pai": {"area_shares": [0.01, 0.05, 0.1], "hit_rate": [0.1, 0.234, 0.4]}}
    sentences = [plain(s) for s in summaries.headline("forecast", result)]
    assert sentences[0] == ("Semaine du 7 décembre 2026 au 13 décembre 2026 : entre 5 et 16 faits attendus (10 en "
                            "moyenne), contre 9 pour une semaine ordinaire des 4 dernières.")
    assert sentences[1] == "Les zones à surveiller (5 % de la surface) ont réuni 23 % des faits des semaines passées."


# --- Which way is better ------------------------------------------------------------------------

@pytest.mark.django_db
def test_indicators_say_which_direction_is_better(world):
    table = phase_indicators(actor=world.analyst, commune_ids=[world.commune.pk], start=TODAY - timedelta(days=30),
                             end=TODAY)
    figures = {f["key"]: f for phase in ("pendant", "apres") for f in table["communes"][0][phase]}
    assert figures["response_p50"]["direction"] == "lower"
    assert figures["overdue_share"]["direction"] == "lower"
    assert figures["resolution_rate"]["direction"] == "higher"
    assert figures["interventions"]["direction"] is None and figures["reports"]["direction"] is None
    client = Client()
    client.force_login(world.analyst.agent)
    body = client.get("/agents/analyse/indicateurs/", {"communes": [world.commune.pk], "start": (
        TODAY - timedelta(days=30)).isoformat(), "end": TODAY.isoformat()}).content.decode()
    body = html.unescape(body)
    assert "plus c'est bas, mieux c'est" in body and "plus c'est haut, mieux c'est" in body
    assert "Part des signalements résolus" in body
    text = re.sub(r"<[^>]+>", " ", body.split("<main")[-1])  # a date input's value is ISO; the browser shows it local
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "an ISO date shows on the page"


def test_a_change_in_the_better_direction_is_said_in_words_not_only_colour():
    from django.template.loader import render_to_string
    with translation.override("fr"):
        better = render_to_string("analytics/_indicator_row.html", {"phase": "Pendant", "item": {
            "available": True, "label": "Délai", "value": 9.5, "previous": 12.0, "unit": "min", "change_pct": -20.8,
            "better": True, "direction": "lower"}})
        worse = render_to_string("analytics/_indicator_row.html", {"phase": "Après", "item": {
            "available": True, "label": "Part résolue", "value": 40.0, "previous": 50.0, "unit": "%",
            "change_pct": -20.0, "better": False, "direction": "higher"}})
    assert "en baisse" in better and "mieux" in better and "9,5 min" in better and "\u221220,8" in better
    assert "moins bien" in worse and "plus c'est haut" in html.unescape(worse)
    assert "40 %" in worse and "40,0" not in worse


# --- A dataset implies its area -----------------------------------------------------------------

@pytest.mark.django_db
def test_a_dataset_sets_the_analysed_commune_and_refuses_another(world, burglaries):
    both = make_actor(communes=[world.commune, world.other], role="elected_official")
    datasets = list(dataset_list_for_actor(actor=both))
    base = {"kind": "hotspots", "start": (TODAY - timedelta(days=90)).isoformat(), "end": TODAY.isoformat(),
            "dataset": str(burglaries.pk), "cell_m": 100, "h3_resolution": 9, "permutations": 99,
            "spatial_bandwidth_m": 100, "spatial_bands": 3, "temporal_bandwidth_days": 7, "temporal_bands": 3,
            "by": "commune"}
    form = AnalysisForm(base, communes=[world.commune, world.other], datasets=datasets)
    assert form.is_valid(), form.errors
    assert form.query().commune_ids == [world.commune.pk]  # nothing ticked: the dataset's commune
    form = AnalysisForm(base | {"communes": [str(world.commune.pk), str(world.other.pk)]},
                        communes=[world.commune, world.other], datasets=datasets)
    assert not form.is_valid()
    assert "ne couvre que Mennecy" in str(form.errors["communes"])
    assert form.dataset_areas()[str(burglaries.pk)]["commune"] == str(world.commune.pk)
    assert re.search(r"Cambriolages \(Mennecy, \d[\d\xa0]* événements, du \d+ \w+ \d{4} au \d+ \w+ \d{4}\)",
                     dict(form.fields["dataset"].choices)[str(burglaries.pk)])
    with pytest.raises(AnalysisInputError, match="ne couvre que la commune de Mennecy"):
        analysis_start(actor=both, kind="time", query=event_query(
            world, commune_ids=[world.commune.pk, world.other.pk], dataset_id=burglaries.pk), params={})
    client = Client()
    client.force_login(both.agent)
    response = client.post("/api/v1/analytics/runs", {"kind": "time", "query": {
        "communes": ["91386", "91468"], "start": "2026-01-01", "end": "2026-02-01", "dataset_id": burglaries.pk}},
        content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "analytics_dataset_other_commune"
    page = client.get("/agents/analyse/").content.decode()
    assert 'id="dataset-areas"' in page and "analysis-form.js" in page


# --- An élu never takes an imported dataset's events one by one ----------------------------------

def run_on(world, actor, dataset, kind, capture, **options):
    with capture(execute=True):
        run = analysis_start(actor=actor, kind=kind, query=event_query(world, dataset_id=dataset.pk),
                             params={"permutations": 19} | options)
    run.refresh_from_db()
    assert run.status == "done", run.error
    return run


@pytest.mark.django_db
def test_an_elected_official_gets_a_french_refusal_and_only_coarse_cells(world, burglaries,
                                                                       django_capture_on_commit_callbacks):
    run = run_on(world, world.analyst, burglaries, "hotspots", django_capture_on_commit_callbacks,
                 cell_m=25, h3_resolution=12)
    assert run.result["disclosure"]["protected"]
    assert run.result["grid"]["size_m"] == 500 and run.result["h3"]["resolution"] == 8
    elected = Client()
    elected.force_login(world.analyst.agent)
    url = f"/agents/analyse/resultats/{run.pk}/"
    refused = elected.get(url + "evenements.csv")
    body = refused.content.decode()
    assert refused.status_code == 403 and refused["Content-Type"].startswith("text/html")
    assert "Accès réservé" in body and "fichiers de la police municipale" in body and "mailles-500m.csv" in body
    assert not AuditEntry.objects.filter(action="analytics.events_export").exists()
    page = elected.get(url).content.decode()
    assert "evenements.csv" not in page and "mailles-500m.csv" in page
    cells = elected.get(url + "mailles-500m.csv")
    assert cells.status_code == 200
    text = cells.content.decode()
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert rows and all(int(row["nombre"]) >= 5 and row["maille_cote_m"] == "500" for row in rows)
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", rows[0]["periode_debut"])
    for lat, lon in DatasetEvent.objects.filter(dataset=burglaries).values_list("lat", "lon"):
        assert f"{lat:.6f}".replace(".", ",") not in text and f"{lon:.6f}".replace(".", ",") not in text
    # every position given is the centre of a 500 m lattice cell, not an event's
    lats = np.array([float(row["maille_centre_lat"].replace(",", ".")) for row in rows])
    lons = np.array([float(row["maille_centre_lon"].replace(",", ".")) for row in rows])
    x, y, _crs = project(lats, lons, run.result["crs"])
    assert np.allclose(np.mod(x, 500), 250, atol=2) and np.allclose(np.mod(y, 500), 250, atol=2)
    assert sum(int(row["nombre"]) for row in rows) <= burglaries.events
    # the operator, who sees police files, takes the events one by one, with local times
    operator = Client()
    operator.force_login(world.operator.agent)
    detailed = run_on(world, world.operator, burglaries, "time", django_capture_on_commit_callbacks)
    assert not detailed.result["disclosure"]["protected"]
    export = operator.get(f"/agents/analyse/resultats/{detailed.pk}/evenements.csv")
    lines = list(csv.DictReader(io.StringIO(export.content.decode()), delimiter=";"))
    assert export.status_code == 200 and len(lines) == burglaries.events
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", lines[0]["date_heure"]) and "," in lines[0]["lat"]
    # nor may the élu read the operator's detailed run
    assert elected.get(f"/agents/analyse/resultats/{detailed.pk}/").status_code == 404
    assert elected.get(f"/agents/analyse/resultats/{detailed.pk}/evenements.csv").status_code == 404


# --- Figures, dates and CSV cells in the reader's locale --------------------------------------------

def test_figures_and_dates_read_as_the_reader_writes_them():
    with translation.override("fr"):
        assert plain(formatting.number(1234)) == "1 234" and formatting.number(2.0, 1) == "2"
        assert plain(formatting.number(1234.56, 1)) == "1 234,6" and plain(formatting.percent(28.2)) == "28 %"
        assert formatting.day("2026-12-01") == "1 décembre 2026" and formatting.day(date(2026, 12, 1), short=True) == (
            "01/12/2026")
        assert formatting.moment("2026-06-01T12:05:00+00:00") == "01/06/2026 14:05"  # Paris summer time
        assert formatting.csv_value(True) == "oui" and formatting.csv_value(False) == "non"
        assert formatting.csv_value(48.5612) == "48,5612" and formatting.csv_value(None) == ""
        assert formatting.csv_row({"debut": "2026-11-30", "n": 7}, dates=("debut",)) == {"debut": "30/11/2026", "n": 7}
        assert formatting.csv_value(datetime(2026, 1, 5, 8, 0)) == "05/01/2026 08:00"


@pytest.mark.django_db
def test_a_result_page_shows_no_raw_code(world, burglaries, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(world.analyst.agent)
    for kind in ("near_repeat", "time", "forecast", "hotspots"):
        run = run_on(world, world.analyst, burglaries, kind, django_capture_on_commit_callbacks)
        page = client.get(f"/agents/analyse/resultats/{run.pk}/").content.decode()
        visible = re.sub(r"<script.*?</script>", "", page.split("<main")[-1], flags=re.S)
        assert 'class="card headline"' in visible, kind
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", visible), (kind, re.findall(r".{40}\d{4}-\d{2}-\d{2}.{20}",
                                                                                     visible))
        assert not re.search(r"\d\.\d", re.sub(r"<[^>]+>", " ", visible)), kind  # no decimal point
        assert "None" not in visible and "True" not in visible and "False" not in visible, kind
        if kind == "near_repeat":
            knox = client.get(f"/agents/analyse/resultats/{run.pk}/knox.csv").content.decode()
            assert not re.search(r";\d+\.\d", knox)  # decimal comma
        if kind == "time":
            assert "période précédente de même durée" in visible


# --- Bad input on the new download and on the form's dataset: a French 4xx, never a 5xx --------------------

@pytest.mark.django_db
@hypothesis_settings(max_examples=25, deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(run_id=st.uuids(), params=st.dictionaries(st.sampled_from(["format", "start", "dataset", "communes"]),
                                                  st.text(max_size=12), max_size=3),
       dataset=st.one_of(st.integers(-5, 10**12).map(str), st.text(max_size=8)),
       communes=st.lists(st.text(max_size=6), max_size=3))
def test_bad_input_gets_a_clear_refusal(world, run_id, params, dataset, communes):
    client = Client()
    client.force_login(world.analyst.agent)
    response = client.get(f"/agents/analyse/resultats/{run_id}/mailles-500m.csv", params)
    assert response.status_code == 404 and "Analyse introuvable" in response.content.decode()
    response = client.post("/agents/analyse/", {"kind": "hotspots", "start": "2026-01-01", "end": "2026-02-01",
                                                "dataset": dataset, "communes": communes})
    assert response.status_code in (302, 400), response.status_code


@pytest.mark.django_db
def test_an_elected_officials_detailed_dataset_run_from_before_is_closed(world, burglaries,
                                                                        django_capture_on_commit_callbacks):
    """A run an élu made of a dataset before datasets counted as police files: neither listed nor readable."""
    from confiance.analytics.models import AnalysisRun
    from confiance.analytics.selectors import run_list_for_actor

    run = run_on(world, world.analyst, burglaries, "time", django_capture_on_commit_callbacks)
    assert run_list_for_actor(actor=world.analyst) == [run]
    AnalysisRun.objects.filter(pk=run.pk).update(params=run.params | {"protected": False}, result=run.result | {
        "disclosure": {"protected": False}})
    assert run_list_for_actor(actor=world.analyst) == []
    client = Client()
    client.force_login(world.analyst.agent)
    assert client.get(f"/agents/analyse/resultats/{run.pk}/").status_code == 404


@pytest.mark.django_db
def test_open_data_preview_and_csv_speak_the_readers_language(world):
    from confiance.analytics.tests.factories import CITIZEN
    from confiance.reports.services.submission import report_submit
    from confiance.reports.tests.factories import draft

    report_submit(actor=CITIZEN, draft=draft())
    client = Client()
    client.force_login(world.analyst.agent)
    period = {"communes": [world.commune.pk], "start": (TODAY - timedelta(days=30)).isoformat(),
              "end": TODAY.isoformat(), "sources": "reports"}
    page = client.get("/agents/analyse/donnees-ouvertes/", period).content.decode()
    text = re.sub(r"<[^>]+>", " ", page.split("<main")[-1])
    assert re.search(r"semaine \d+ de \d{4}", text) and "Secret statistique" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{4}-W\d{2}", text.split("Dictionnaire des données")[0])
    rows = list(csv.DictReader(io.StringIO(client.get("/agents/analyse/donnees-ouvertes/", period | {
        "format": "csv"}).content.decode()), delimiter=";"))
    assert rows[0]["secret_statistique"] == "oui" and re.fullmatch(r"\d{2}/\d{2}/\d{4}", rows[0]["debut_semaine"])
