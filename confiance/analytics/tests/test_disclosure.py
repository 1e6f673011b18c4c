"""Aggregates that cannot re-identify: what an élu reads of police interventions never places one of them, no count
under 5 is readable, and runs are read only by those holding the rights their detail needs."""

import csv
import io
import json
from datetime import datetime, time, timedelta

import numpy as np
import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from confiance.accounts.access import Actor
from confiance.accounts.models import Membership
from confiance.analytics import disclosure
from confiance.analytics.models import AnalysisRun
from confiance.analytics.selectors import PARIS
from confiance.analytics.services import analysis_start
from confiance.analytics.stats.points import transform
from confiance.analytics.tests.factories import TODAY, event_query, world_for_call
from confiance.operations.models import Intervention
from confiance.operations.services.interventions import intervention_create
from confiance.operations.tests.factories import call, make_actor

pytestmark = pytest.mark.django_db

# Two groups and three lone interventions, more than 700 m from anything else, in Mennecy (2.40-2.42 E, 48.55-48.57 N).
GROUP_A = [(48.5652 + 0.00012 * (k % 4), 2.4052 + 0.00015 * (k // 4)) for k in range(12)]
GROUP_B = [(48.5551 + 0.0001 * k, 2.4151 + 0.0001 * k) for k in range(6)]
LONE = [(48.5515, 2.4015), (48.5685, 2.4185), (48.5595, 2.4110)]
PLANTED = GROUP_A + GROUP_B + LONE
# The finest parameters each form allows.
FINEST = {
    "hotspots": {"cell_m": 25, "bandwidth_m": 10, "h3_resolution": 12, "permutations": 19},
    "near_repeat": {"spatial_bandwidth_m": 1, "spatial_bands": 20, "temporal_bandwidth_days": 0.04,
                    "temporal_bands": 20, "permutations": 19},
    "time": {},
    "forecast": {"cell_m": 50, "by": "sector"},
}
DOWNLOADS = ["knox.csv", "mailles.geojson", "h3.geojson", "zones-predites.geojson"]
# Keys whose numbers count events (or pairs of events) in the results, tables and exports.
COUNT_KEYS = {"n", "observed", "counts", "history", "events", "nombre", "value", "previous", "observe"}


def plant(world):
    world_for_call(world)
    for k, point in enumerate(PLANTED):
        intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk,
                                           draft=call(world, point=point))
        moment = datetime.combine(TODAY - timedelta(days=3 + 5 * k), time(8 + k % 12, 7 * k % 60), tzinfo=PARIS)
        Intervention.objects.filter(pk=intervention.pk).update(created_at=moment)


def run_as(world, actor, kind, options, capture, **query):
    with capture(execute=True):
        run = analysis_start(actor=actor, kind=kind, query=event_query(world, **query), params=options)
    run.refresh_from_db()
    return run


def counts_in(value, key=None):
    """Every number found under a count key, however deep."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from counts_in(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from counts_in(item, key)
    elif key in COUNT_KEYS and isinstance(value, int | float) and not isinstance(value, bool):
        yield value


def event_polygons(body):
    """Geometries built from events (grid cells, H3 cells, predicted cells), not the communes' own boundaries."""
    for key in ("cells", "collection"):
        if isinstance(body, dict) and body.get("type") == "FeatureCollection":
            yield from (f["geometry"] for f in body["features"])
            return
        if isinstance(body, dict) and isinstance(body.get(key), dict):
            yield from event_polygons(body[key])
    if isinstance(body, dict):
        for key in ("h3", "next_week"):
            if isinstance(body.get(key), dict):
                yield from event_polygons(body[key])


def extent_m(geometry):
    ring = np.array(geometry["coordinates"][0])
    x, y = transform("EPSG:4326", "EPSG:2154", ring[:, 0], ring[:, 1])
    return float(np.ptp(x)), float(np.ptp(y))


def assert_cannot_locate(body, text):
    for point in PLANTED:
        for digits in (5, 6):
            assert f"{point[0]:.{digits}f}" not in text and f"{point[1]:.{digits}f}" not in text
    for geometry in event_polygons(body):
        assert geometry["type"] == "Polygon", geometry["type"]
        width, height = extent_m(geometry)
        assert width >= 480 and height >= 480, (width, height)


def assert_no_small_count(body):
    small = [n for n in counts_in(body) if 0 < n < disclosure.MIN_COUNT]
    assert not small, small


def test_an_elected_official_cannot_locate_a_planted_intervention(world, django_capture_on_commit_callbacks):
    plant(world)
    elected = Client()
    elected.force_login(world.analyst.agent)
    sources = ["interventions", "logbook", "reports"]
    seen = 0
    for kind, options in FINEST.items():
        run = run_as(world, world.analyst, kind, options, django_capture_on_commit_callbacks, sources=sources,
                     start=TODAY - timedelta(days=200))
        assert run.status == "done", (kind, run.error)
        assert run.result["disclosure"]["protected"] and run.params["protected"]
        url = f"/agents/analyse/resultats/{run.pk}/"
        page = elected.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Maille élargie pour protéger les personnes" in html
        api = elected.get(f"/api/v1/analytics/runs/{run.pk}")
        assert api.status_code == 200
        bodies = [(api.json()["result"], api.content.decode()), (run.result, json.dumps(run.result)),
                  ({}, html), (elected.get(url + "etat.json").json(), "")]
        for name in DOWNLOADS:
            response = elected.get(url + name)
            if response.status_code != 200:
                continue
            text = response.content.decode()
            if name.endswith(".csv"):
                rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
                bodies.append(({"rows": [{"observe": int(r["observe"])} for r in rows if r["observe"].isdigit()]},
                               text))
            else:
                bodies.append((json.loads(text), text))
        for body, text in bodies:
            assert_cannot_locate(body, text)
            assert_no_small_count(body)
        assert elected.get(url + "evenements.csv").status_code == 403
        seen += 1
        result = run.result
        if kind == "hotspots":
            assert result["h3"]["resolution"] <= disclosure.MAX_H3_RESOLUTION
            assert result["grid"]["size_m"] % disclosure.LATTICE_M == 0
            mapped = sum(f["properties"]["n"] for f in result["cells"]["features"])
            assert 0 < mapped <= len(GROUP_A) + len(GROUP_B)  # the lone ones are on no map
            assert "moins de 5" in html
        if kind == "near_repeat":
            knox = result["knox"]
            assert knox["close_pairs"] is None and knox["spatial_edges_m"][0] >= disclosure.LATTICE_M
            assert knox["temporal_edges_days"][0] >= disclosure.MIN_KNOX_DAYS
        if kind == "time":
            assert "daily" not in result
            cells = [n for row in result["hour_of_week"]["counts"] for n in row]
            hidden = result["events"] - sum(n for n in cells if n is not None)
            assert hidden == 0 or (hidden >= 5 and sum(n is None for n in cells) >= 2)
            assert "&lt; 5" in html
        if kind == "forecast":
            loads = result["loads"]
            hidden = loads[0]["events"] - sum(load["events"] or 0 for load in loads[1:])
            assert hidden == 0 or (hidden >= 5 and sum(load["events"] is None for load in loads[1:]) >= 2)
    assert seen == len(FINEST)
    # indicators and open data over the same interventions
    period = {"communes": [world.commune.pk], "start": (TODAY - timedelta(days=200)).isoformat(),
              "end": TODAY.isoformat()}
    indicators = elected.get("/api/v1/analytics/indicators", {"communes": world.commune.insee_code,
                                                              "start": period["start"], "end": period["end"]}).json()
    assert_no_small_count(indicators)
    opendata = elected.get("/agents/analyse/donnees-ouvertes/", period | {"format": "geojson",
                                                                          "sources": ["interventions"]})
    assert_no_small_count(json.loads(opendata.content))
    table = elected.get("/agents/analyse/donnees-ouvertes/", period | {"format": "csv", "sources": ["interventions"]})
    text = table.content.decode()
    assert_cannot_locate({}, text)
    assert all(row["nombre"] == "" or int(row["nombre"]) >= 5
               for row in csv.DictReader(io.StringIO(text), delimiter=";"))


def test_the_same_analysis_by_a_police_operator_keeps_its_detail(world, django_capture_on_commit_callbacks):
    plant(world)
    run = run_as(world, world.operator, "hotspots", FINEST["hotspots"], django_capture_on_commit_callbacks,
                 sources=["interventions"], start=TODAY - timedelta(days=200))
    assert run.status == "done" and not run.result["disclosure"]["protected"]
    assert run.result["h3"]["resolution"] == 12 and run.result["grid"]["size_m"] == 25
    assert run.result["h3"]["cells"] >= len(LONE)  # one ~10 m cell per lone intervention: police detail


def test_run_visibility_follows_the_rights_its_detail_needs(world, burglaries, django_capture_on_commit_callbacks):
    plant(world)
    other_elected = make_actor(communes=[world.commune], role="elected_official")
    police = make_actor(communes=[world.commune], role="police_agent")
    options = {"permutations": 19}
    runs = {
        "operator_interventions": run_as(world, world.operator, "hotspots", options, django_capture_on_commit_callbacks,
                                         sources=["interventions"], start=TODAY - timedelta(days=200)),
        "elected_interventions": run_as(world, world.analyst, "hotspots", options, django_capture_on_commit_callbacks,
                                        sources=["interventions"], start=TODAY - timedelta(days=200)),
        "elected_reports": run_as(world, world.analyst, "time", {}, django_capture_on_commit_callbacks,
                                  sources=["reports"]),
        "elected_dataset": run_as(world, world.analyst, "time", {}, django_capture_on_commit_callbacks,
                                  dataset_id=burglaries.pk),
        "operator_dataset": run_as(world, world.operator, "time", {}, django_capture_on_commit_callbacks,
                                   dataset_id=burglaries.pk),
    }
    # an imported dataset is seen event by event with the police files' right only: the élu's run is protected
    assert [r.params["protected"] for r in runs.values()] == [False, True, False, True, False]
    readers = {"operator": world.operator, "police": police, "elected": world.analyst, "other_elected": other_elected,
               "outsider": world.outsider, "technician": world.technician}
    expected = {
        "operator_interventions": {"operator", "police"},
        "elected_interventions": {"operator", "police", "elected", "other_elected"},
        "elected_reports": {"operator", "police", "elected", "other_elected"},
        "elected_dataset": {"operator", "police", "elected", "other_elected"},
        "operator_dataset": {"operator", "police"},
    }
    for name, run in runs.items():
        for reader, actor in readers.items():
            client = Client()
            client.force_login(actor.agent)
            status = {client.get(f"/agents/analyse/resultats/{run.pk}/").status_code,
                      client.get(f"/agents/analyse/resultats/{run.pk}/etat.json").status_code,
                      client.get(f"/api/v1/analytics/runs/{run.pk}").status_code}
            if reader in expected[name]:
                assert status == {200}, (name, reader, status)
            else:
                assert 200 not in status, (name, reader, status)
    # a run from before the policy (no marker) counts as detailed
    legacy = runs["operator_interventions"]
    AnalysisRun.objects.filter(pk=legacy.pk).update(params={"query": legacy.params["query"], "options": {}},
                                                    result={k: v for k, v in legacy.result.items()
                                                            if k != "disclosure"})
    client = Client()
    client.force_login(other_elected.agent)
    assert client.get(f"/api/v1/analytics/runs/{legacy.pk}").status_code == 404
    # an author who loses the police rights loses their detailed runs too
    Membership.objects.filter(agent=world.operator.agent).update(role="elected_official")
    client.force_login(world.operator.agent)
    assert client.get(f"/api/v1/analytics/runs/{legacy.pk}").status_code == 404
    assert client.get(f"/api/v1/analytics/runs/{runs['elected_interventions'].pk}").status_code == 200
    assert not disclosure.may_read_run(Actor(agent=world.operator.agent), legacy)


def test_a_protected_run_over_fewer_than_5_events_computes_nothing(world, django_capture_on_commit_callbacks):
    world_for_call(world)
    for point in LONE:
        intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world, point=point))
    run = run_as(world, world.analyst, "time", {}, django_capture_on_commit_callbacks, sources=["interventions"])
    assert run.status == "failed" and "Moins de 5 événements" in run.error["message"]
    assert run_as(world, world.operator, "time", {}, django_capture_on_commit_callbacks,
                  sources=["interventions"]).status == "done"


# --- The suppression rules themselves ---------------------------------------------------------------

def test_suppression_masks_small_counts_and_one_more_when_a_total_would_give_them_away():
    assert disclosure.protect_counts([10, 3, 7, 0]) == [10, None, None, 0]  # 3 alone: 7 goes with it
    assert disclosure.protect_counts([10, 3, 2, 9]) == [10, None, None, 9]  # 3 + 2 = 5: enough
    assert disclosure.protect_counts([6, 6, 0]) == [6, 6, 0]
    assert disclosure.protect_counts([4, 0]) == [None, None]  # the zero hides it
    assert disclosure.cell_size(25) == 500 and disclosure.cell_size(501) == 1000 and disclosure.cell_size(1000) == 1000
    assert disclosure.h3_resolution(12) == 8 and disclosure.h3_resolution(7) == 7
    monday, sunday = disclosure.widen_period(TODAY, TODAY)
    assert monday.weekday() == 0 and sunday.weekday() == 6 and (sunday - monday).days == 6
    x, y = disclosure.snap(np.array([652_001.0, 652_499.0]), np.array([6_825_010.0, 6_825_600.0]))
    assert x.tolist() == [652_250.0, 652_250.0] and y.tolist() == [6_825_250.0, 6_825_750.0]


@settings(max_examples=200, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.integers(0, 12)))
def test_no_row_or_column_of_a_masked_table_gives_a_small_count_away(table):
    mask = disclosure.suppress_table_mask(table)
    assert mask[(table > 0) & (table < 5)].all()
    for line, hidden in [*zip(table, mask, strict=True), *zip(table.T, mask.T, strict=True)]:
        values = line[hidden]
        if (values > 0).any() and len(line) > 1 and (line[~hidden] > 0).any():
            assert values.sum() >= 5 and (values > 0).sum() >= 2, (line, hidden)
