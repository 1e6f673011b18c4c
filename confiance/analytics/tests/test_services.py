"""Analytics writes: runs in the background, audited, failing in French; imported datasets checked first."""

from datetime import timedelta

import pytest

from confiance.analytics.choices import RunStatus
from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode
from confiance.analytics.models import AnalysisRun, Dataset, DatasetEvent
from confiance.analytics.services import analysis_start, dataset_import, run_execute
from confiance.analytics.tests.factories import TODAY, event_query, events_csv
from confiance.core.errors import NotFoundError
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_every_analysis_runs_in_the_background_and_is_audited(world, burglaries, django_capture_on_commit_callbacks):
    """As an operator, who may see the imported burglaries one by one: the detailed results."""
    for kind, options in [("hotspots", {"permutations": 99}), ("near_repeat", {"permutations": 49}),
                          ("time", {}), ("forecast", {})]:
        with django_capture_on_commit_callbacks(execute=True):
            run = analysis_start(actor=world.operator, kind=kind, query=event_query(world, dataset_id=burglaries.pk),
                                 params=options)
        run.refresh_from_db()
        assert run.status == RunStatus.DONE, (kind, run.error)
        assert run.progress == 1.0 and run.result["events"] == burglaries.events
        assert not run.result["disclosure"]["protected"]
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
        run = analysis_start(actor=world.analyst, kind="near_repeat", query=event_query(world), params={})
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error["code"] == AnalyticsErrorCode.TOO_FEW_EVENTS and "Aucun événement" in run.error["message"]
    finished = run.finished_at
    run_execute(run_id=str(run.pk))
    run.refresh_from_db()
    assert run.finished_at == finished


def test_bad_parameters_fail_the_run_with_the_field_named(world, burglaries, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_start(actor=world.analyst, kind="hotspots", query=event_query(world, dataset_id=burglaries.pk),
                             params={"cell_m": "beaucoup"})
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error["details"]["field"] == "cell_m"
    with pytest.raises(AnalysisInputError):
        analysis_start(actor=world.analyst, kind="astrologie", query=event_query(world), params={})


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
    dataset = dataset_import(actor=world.analyst, commune_id=world.commune.pk, name="cas limite", data=events_csv(rows),
                             crs=None)
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_start(actor=world.operator, kind=kind, query=event_query(world, dataset_id=dataset.pk),
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
