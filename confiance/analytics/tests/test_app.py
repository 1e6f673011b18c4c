"""The analytics app as agents use it: event sets from every source, runs in the background, pages, API,
imported datasets, indicators by phase, and open data that cannot identify an event."""

import csv
import io
import json
from datetime import date, timedelta

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone

from confiance.analytics.choices import RunStatus
from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode
from confiance.analytics.models import AnalysisRun, Dataset, DatasetEvent
from confiance.analytics.selectors import EventQuery, event_set, open_data, phase_indicators
from confiance.analytics.services import analysis_start, dataset_import, run_execute
from confiance.core.errors import NotFoundError
from confiance.operations.models import InterventionType
from confiance.operations.services.interventions import intervention_create
from confiance.operations.tests.factories import call, configure_commune, make_actor
from confiance.privacy.models import AuditEntry
from confiance.reports.services import PublicActor, report_submit
from confiance.reports.tests.factories import draft, make_world
from confiance.territory.tests.factories import make_sector

pytestmark = pytest.mark.django_db
CITIZEN = PublicActor("citoyen (test)")
TODAY = timezone.localdate()


def _csv(rows) -> bytes:
    out = io.StringIO()
    out.write("date,heure,categorie,lat,lon\n")
    for day, hour, category, lat, lon in rows:
        out.write(f"{day:%d/%m/%Y},{hour},{category},{lat},{lon}\n")
    return out.getvalue().encode()


@pytest.fixture
def world():
    world = make_world()
    configure_commune(world.commune)
    world.analyst = make_actor(communes=[world.commune], role="elected_official")
    world.operator = make_actor(communes=[world.commune], role="csu_operator")
    world.technician = make_actor(communes=[world.commune], role="technical_agent")
    world.outsider = make_actor(communes=[world.other], role="elected_official")
    return world


@pytest.fixture
def burglaries(world):
    """A year of imported burglaries in commune A: a hot corner and near repeats, fixed seed."""
    rng = np.random.default_rng(3)
    rows = []
    for offset in range(364):
        day = TODAY - timedelta(days=364 - offset)
        for _ in range(rng.poisson(1.5)):
            if rng.random() < 0.5:
                lat, lon = 48.552 + rng.normal(0, 0.0008), 2.402 + rng.normal(0, 0.001)
            else:
                lat, lon = rng.uniform(48.551, 48.569), rng.uniform(2.401, 2.419)
            rows.append((day, int(rng.integers(0, 24)), "Cambriolage", round(lat, 6), round(lon, 6)))
            if rng.random() < 0.3 and offset < 360:
                rows.append((day + timedelta(days=int(rng.integers(0, 4))), 12, "Cambriolage",
                             round(lat + 0.0003, 6), round(lon, 6)))
    return dataset_import(actor=world.analyst, commune_id=world.commune.pk, name="Cambriolages", data=_csv(rows),
                          crs=None)


def _query(world, **kwargs) -> EventQuery:
    return EventQuery(commune_ids=kwargs.pop("commune_ids", [world.commune.pk]),
                      start=kwargs.pop("start", TODAY - timedelta(days=364)), end=kwargs.pop("end", TODAY), **kwargs)


def test_event_set_merges_sources_with_sector_and_no_personal_data(world):
    report = report_submit(actor=CITIZEN, draft=draft(description="Trou")).report
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk,
                                       draft=call(world_for_call(world), point=(48.565, 2.405)))
    report_submit(actor=CITIZEN, draft=draft(point=(48.585, 2.445), code="voirie"))  # other commune
    events = event_set(actor=world.operator, query=_query(world))
    assert sorted(events.source.tolist()) == ["interventions", "reports"]
    assert set(events.sector_id.tolist()) == {world.sector.pk}  # both in the northern sector
    assert events.crs == "EPSG:2154" and np.all(np.isfinite(events.x))
    assert set(vars(events)) >= {"lat", "lon", "seconds", "category"}
    assert not {"reporter_name", "description", "address", "id"} & set(vars(events))
    assert report.pk and intervention.pk
    # sources narrowed, categories filtered, sector filter
    only_reports = event_set(actor=world.operator, query=_query(world, sources=["reports"]))
    assert only_reports.source.tolist() == ["reports"]
    assert len(event_set(actor=world.operator, query=_query(world, categories=["Dépôt sauvage"]))) == 0
    other_sector = make_sector(commune=world.commune, code="sud", lon=2.40, lat=48.55, size=0.005)
    assert len(event_set(actor=world.operator, query=_query(world, sector_ids=[other_sector.pk]))) == 0


def world_for_call(world):
    """call() needs the intervention types of the commune, configured by the fixture."""
    world.noise = InterventionType.objects.get(commune=world.commune, code="tapage")
    return world


def test_unavailable_source_is_said_not_counted(world):
    events = event_set(actor=world.operator, query=_query(world, sources=["reports", "alarms"]))
    assert "alarms" in events.unavailable and "supervision" in events.unavailable["alarms"]
    assert events.sources == ["reports"]


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"start": TODAY, "end": TODAY - timedelta(days=3)}, AnalyticsErrorCode.PERIOD_INVALID),
    ({"start": date(1990, 1, 1)}, AnalyticsErrorCode.PERIOD_INVALID),
    ({"end": TODAY + timedelta(days=900)}, AnalyticsErrorCode.PERIOD_INVALID),
    ({"commune_ids": []}, AnalyticsErrorCode.PARAMETER_INVALID),
    ({"sources": ["nonsense"]}, AnalyticsErrorCode.PARAMETER_INVALID),
])
def test_event_set_bad_queries(world, kwargs, error):
    with pytest.raises(AnalysisInputError) as caught:
        event_set(actor=world.operator, query=_query(world, **kwargs))
    assert caught.value.code == error


def test_another_communes_ids_are_not_found(world, burglaries):
    with pytest.raises(NotFoundError):
        event_set(actor=world.outsider, query=_query(world))
    with pytest.raises(NotFoundError):
        event_set(actor=world.outsider, query=_query(world, commune_ids=[world.other.pk], dataset_id=burglaries.pk))
    with pytest.raises(NotFoundError):
        analysis_start(actor=world.technician, kind="hotspots", query=_query(world), params={})


def test_every_analysis_runs_in_the_background_and_is_audited(world, burglaries, django_capture_on_commit_callbacks):
    for kind, options in [("hotspots", {"permutations": 99}), ("near_repeat", {"permutations": 49}),
                          ("time", {}), ("forecast", {})]:
        with django_capture_on_commit_callbacks(execute=True):
            run = analysis_start(actor=world.analyst, kind=kind, query=_query(world, dataset_id=burglaries.pk),
                                 params=options)
        run.refresh_from_db()
        assert run.status == RunStatus.DONE, (kind, run.error)
        assert run.progress == 1.0 and run.result["events"] == burglaries.events
    runs = {r.kind: r.result for r in AnalysisRun.objects.all()}
    assert runs["hotspots"]["gi"]["hot"] > 0
    assert runs["hotspots"]["density"]["bandwidth_source"] == "rule"
    knox = runs["near_repeat"]["knox"]
    assert knox["knox_ratio"][1][0] > 1.1 and knox["p_value"][1][0] <= 0.05  # the planted near repeats
    assert len(runs["time"]["hour_of_week"]["counts"]) == 7
    assert runs["forecast"]["loads"][0]["backtest"]["origins"] == 12
    assert runs["forecast"]["pai"]["pai"][0] > 1
    assert AuditEntry.objects.filter(action="analytics.run_start").count() == 4


def test_a_failed_analysis_says_why_in_french_and_a_replay_does_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_start(actor=world.analyst, kind="near_repeat", query=_query(world), params={})
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error["code"] == AnalyticsErrorCode.TOO_FEW_EVENTS and "Aucun événement" in run.error["message"]
    finished = run.finished_at
    run_execute(run_id=str(run.pk))
    run.refresh_from_db()
    assert run.finished_at == finished


def test_bad_parameters_fail_the_run_with_the_field_named(world, burglaries, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_start(actor=world.analyst, kind="hotspots", query=_query(world, dataset_id=burglaries.pk),
                             params={"cell_m": "beaucoup"})
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error["details"]["field"] == "cell_m"
    with pytest.raises(AnalysisInputError):
        analysis_start(actor=world.analyst, kind="astrologie", query=_query(world), params={})


def test_dataset_import_checks_everything_first(world):
    before = DatasetEvent.objects.count()
    bad = b"date,lat,lon\n" + b"".join(b"pas une date,48.56,2.41\n" for _ in range(10))
    with pytest.raises(AnalysisInputError):
        dataset_import(actor=world.analyst, commune_id=world.commune.pk, name="x", data=bad, crs=None)
    with pytest.raises(AnalysisInputError):
        dataset_import(actor=world.analyst, commune_id=world.commune.pk, name="x", data=b"\xff\xfe\x00", crs=None)
    with pytest.raises(NotFoundError):
        dataset_import(actor=world.analyst, commune_id=world.other.pk, name="x", data=b"date,lat,lon\n", crs=None)
    assert DatasetEvent.objects.count() == before and not Dataset.objects.exists()
    lambert = b"x;y;date;categorie\n652000;6825000;2026-05-01;Tags\n652100;6825050;2026-05-02;Tags\n"
    dataset = dataset_import(actor=world.analyst, commune_id=world.commune.pk, name="L93", data=lambert,
                             crs="EPSG:2154")
    point = DatasetEvent.objects.filter(dataset=dataset).first()
    assert dataset.events == 2 and 48 < point.lat < 49 and point.x == 652000


def test_indicators_say_which_sources_are_missing(world):
    report_submit(actor=CITIZEN, draft=draft())
    result = phase_indicators(actor=world.analyst, commune_ids=[world.commune.pk], start=TODAY - timedelta(days=30),
                              end=TODAY)
    commune = result["communes"][0]
    avant = {i["key"]: i for i in commune["avant"]}
    assert not avant["otv_homes"]["available"] and "n'est pas encore installé" in avant["otv_homes"]["reason"]
    apres = {i["key"]: i for i in commune["apres"]}
    assert apres["reports"]["value"] == 1 and apres["reports"]["previous"] == 0
    assert not apres["extractions"]["available"]
    assert {i["key"] for i in commune["pendant"]} >= {"response_p50", "interventions"}


def test_open_data_cannot_identify_an_event(world, burglaries):
    reports = [report_submit(actor=CITIZEN, draft=draft(point=(48.565 + k * 0.0004, 2.405),
                                                        description=f"Détail {k} rue des Lilas")).report
               for k in range(7)]
    table = open_data(actor=world.analyst, commune_ids=[world.commune.pk], start=TODAY - timedelta(days=364),
                      end=TODAY, sources=["reports"])
    rows = table["rows"]
    assert rows and all(set(r) == set(table["fields"]) for r in rows)
    # every published count is at least 5; every smaller one is blank and flagged
    assert all((r["nombre"] is None and r["secret_statistique"]) or r["nombre"] >= 5 for r in rows)
    # no identifier, exact time, position, address or text of any event appears anywhere in the export
    text = json.dumps(rows, ensure_ascii=False)
    for report in reports:
        for forbidden in (report.tracking_token, f"{report.lat}", f"{report.lon}", report.description,
                          report.created_at.isoformat(), report.created_at.strftime("%H:%M")):
            assert forbidden not in text
    # the finest time is the ISO week, the finest place the sector; no totals to subtract from
    assert all(len(r["semaine_iso"]) == 8 and "T" not in r["debut_semaine"] for r in rows)
    assert "total" not in text
    # a week with 7 reports in one sector is published, the imported data is not part of "reports"
    assert any(r["nombre"] == 7 for r in rows)


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
    assert lines[0].startswith("secteur_code;") and "True" in lines[1]  # one report: suppressed
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


def test_api_runs(world, burglaries, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(world.analyst.agent)
    payload = {"kind": "time", "query": {"communes": [world.commune.insee_code],
                                         "start": (TODAY - timedelta(days=364)).isoformat(),
                                         "end": TODAY.isoformat(), "dataset_id": burglaries.pk}}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/analytics/runs", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    run_id = response.json()["id"]
    body = client.get(f"/api/v1/analytics/runs/{run_id}").json()
    assert body["status"] == "done" and "hour_of_week" in body["result"]
    assert client.post("/api/v1/analytics/runs", {"kind": "time", "query": {"communes": ["91468"],
                       "start": "2026-01-01", "end": "2026-02-01"}},
                       content_type="application/json").status_code == 404
    assert client.post("/api/v1/analytics/runs", {"kind": "time", "query": {"communes": "91386"}},
                       content_type="application/json").status_code == 422
    assert client.post("/api/v1/analytics/runs", "{pas du json", content_type="application/json").status_code in (
        400, 422)
    assert client.get("/api/v1/analytics/runs/pas-un-uuid").status_code == 404
    indicators = client.get("/api/v1/analytics/indicators", {"communes": world.commune.insee_code,
                                                             "start": "2026-01-01", "end": "2026-02-01"})
    assert indicators.status_code == 200 and indicators.json()["communes"][0]["commune"] == "Mennecy"


ONE_EVENT = [(TODAY - timedelta(days=3), 10, "Tags", 48.56, 2.41)]
ONE_PLACE = [(TODAY - timedelta(days=k * 3), 10, "Tags", 48.56, 2.41) for k in range(12)]
ONE_INSTANT = [(TODAY - timedelta(days=3), 10, "Tags", 48.552 + k * 0.001, 2.41) for k in range(12)]


@pytest.mark.parametrize(("rows", "kind", "expected"), [
    (ONE_EVENT, "hotspots", AnalyticsErrorCode.TOO_FEW_EVENTS),
    (ONE_EVENT, "near_repeat", AnalyticsErrorCode.TOO_FEW_EVENTS),
    (ONE_EVENT, "time", None),
    (ONE_EVENT, "forecast", None),
    (ONE_PLACE, "hotspots", AnalyticsErrorCode.NO_SPREAD),
    (ONE_PLACE, "near_repeat", AnalyticsErrorCode.NO_SPREAD),
    (ONE_PLACE, "time", None),
    (ONE_INSTANT, "near_repeat", AnalyticsErrorCode.NO_SPREAD),
    (ONE_INSTANT, "hotspots", None),
    (ONE_INSTANT, "forecast", None),
])
def test_degenerate_selections_give_a_clear_message(world, rows, kind, expected, django_capture_on_commit_callbacks):
    """A single event, all at one place, all at one instant: a French message, never a crash or a figure
    that means nothing."""
    dataset = dataset_import(actor=world.analyst, commune_id=world.commune.pk, name="cas limite", data=_csv(rows),
                             crs=None)
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_start(actor=world.analyst, kind=kind, query=_query(world, dataset_id=dataset.pk),
                             params={"permutations": 19})
    run.refresh_from_db()
    if expected is None:
        assert run.status == RunStatus.DONE, run.error
        messages = [v for k, v in run.result.items() if k.endswith("_error")] + [
            load.get("error") for load in run.result.get("loads", []) if load.get("error")]
        if kind in ("time", "forecast"):
            assert messages and all(isinstance(m, str) and m for m in messages)  # too short: said, not drawn
    else:
        assert run.status == RunStatus.FAILED
        assert run.error["code"] == expected and run.error["message"]


def test_point_export_needs_the_right_to_see_each_source(world, django_capture_on_commit_callbacks):
    report_submit(actor=CITIZEN, draft=draft(description="Secret du déclarant"))
    intervention_create(actor=world.operator, commune_id=world.commune.pk,
                        draft=call(world_for_call(world), point=(48.565, 2.405)))
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_start(actor=world.analyst, kind="time", query=_query(world), params={})
    elected, operator = Client(), Client()
    elected.force_login(world.analyst.agent)
    operator.force_login(world.operator.agent)
    url = f"/agents/analyse/resultats/{run.pk}/evenements.csv"
    refused = elected.get(url)
    assert refused.status_code == 403 and "droit de les consulter" in refused.content.decode()
    # the operator sees both sources in this commune
    operator_run = analysis_start(actor=world.operator, kind="time", query=_query(world), params={})
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
