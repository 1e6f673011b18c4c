"""Analytics reads: event sets from every source, indicators by phase, open data that cannot identify an event."""

import json
from datetime import date, timedelta

import numpy as np
import pytest

from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode
from confiance.analytics.selectors import event_set, open_data, phase_indicators
from confiance.analytics.services import analysis_start
from confiance.analytics.tests.factories import CITIZEN, TODAY, event_query, world_for_call
from confiance.core.errors import NotFoundError
from confiance.operations.services.interventions import intervention_create
from confiance.operations.tests.factories import call
from confiance.reports.services.submission import report_submit
from confiance.reports.tests.factories import draft
from confiance.territory.tests.factories import make_sector

pytestmark = pytest.mark.django_db


def test_event_set_merges_sources_with_sector_and_no_personal_data(world):
    report = report_submit(actor=CITIZEN, draft=draft(description="Trou")).report
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk,
                                       draft=call(world_for_call(world), point=(48.565, 2.405)))
    report_submit(actor=CITIZEN, draft=draft(point=(48.585, 2.445), code="voirie"))  # other commune
    events = event_set(actor=world.operator, query=event_query(world))
    assert sorted(events.source.tolist()) == ["interventions", "reports"]
    assert set(events.sector_id.tolist()) == {world.sector.pk}  # both in the northern sector
    assert events.crs == "EPSG:2154" and np.all(np.isfinite(events.x))
    assert set(vars(events)) >= {"lat", "lon", "seconds", "category"}
    assert not {"reporter_name", "description", "address", "id"} & set(vars(events))
    assert report.pk and intervention.pk
    # sources narrowed, categories filtered, sector filter
    only_reports = event_set(actor=world.operator, query=event_query(world, sources=["reports"]))
    assert only_reports.source.tolist() == ["reports"]
    assert len(event_set(actor=world.operator, query=event_query(world, categories=["Dépôt sauvage"]))) == 0
    other_sector = make_sector(commune=world.commune, code="sud", lon=2.40, lat=48.55, size=0.005)
    assert len(event_set(actor=world.operator, query=event_query(world, sector_ids=[other_sector.pk]))) == 0


def test_unavailable_source_is_said_not_counted(world):
    events = event_set(actor=world.operator, query=event_query(world, sources=["reports", "alarms"]))
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
        event_set(actor=world.operator, query=event_query(world, **kwargs))
    assert caught.value.code == error


def test_another_communes_ids_are_not_found(world, burglaries):
    with pytest.raises(NotFoundError):
        event_set(actor=world.outsider, query=event_query(world))
    with pytest.raises(NotFoundError):
        event_set(actor=world.outsider,
                  query=event_query(world, commune_ids=[world.other.pk], dataset_id=burglaries.pk))
    with pytest.raises(NotFoundError):
        analysis_start(actor=world.technician, kind="hotspots", query=event_query(world), params={})


def test_indicators_say_which_sources_are_missing(world):
    report_submit(actor=CITIZEN, draft=draft())
    result = phase_indicators(actor=world.analyst, commune_ids=[world.commune.pk], start=TODAY - timedelta(days=30),
                              end=TODAY)
    commune = result["communes"][0]
    avant = {i["key"]: i for i in commune["avant"]}
    assert avant["otv_homes"]["available"] and avant["otv_passages"]["available"]
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
