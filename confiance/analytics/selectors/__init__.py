"""Reads for analytics: event point sets from the other apps' selectors, runs, datasets, indicators, open data.

One module per subject: events (the query and the point set every analysis starts from), runs (analysis runs and
imported datasets), indicators (by phase), publication (open data) and exports (the point set for analysts' own
tools). Every public name is imported here: `from confiance.analytics.selectors import event_set` and
`selectors.open_data(...)` work as they did when this was one module.
"""

from confiance.analytics.selectors.events import (
    EARLIEST,
    MAX_PERIOD_DAYS,
    PARIS,
    EventQuery,
    EventSet,
    analysable_communes,
    event_set,
    period_bounds,
)
from confiance.analytics.selectors.exports import (
    CELL_FIELDS,
    EXPORT_FIELDS,
    SOURCE_PERMISSIONS,
    event_cells,
    event_points,
    may_export_events,
)
from confiance.analytics.selectors.indicators import (
    DELAY_FIGURES,
    HIGHER,
    LOWER,
    MASKED,
    REPORT_FIGURES,
    phase_indicators,
)
from confiance.analytics.selectors.publication import open_data, open_data_geojson
from confiance.analytics.selectors.runs import (
    dataset_first_event,
    dataset_get_for_actor,
    dataset_list_for_actor,
    require_dataset_area,
    run_get_for_actor,
    run_list_for_actor,
)

__all__ = [
    "CELL_FIELDS",
    "DELAY_FIGURES",
    "EARLIEST",
    "EXPORT_FIELDS",
    "HIGHER",
    "LOWER",
    "MASKED",
    "MAX_PERIOD_DAYS",
    "PARIS",
    "REPORT_FIGURES",
    "SOURCE_PERMISSIONS",
    "EventQuery",
    "EventSet",
    "analysable_communes",
    "dataset_first_event",
    "dataset_get_for_actor",
    "dataset_list_for_actor",
    "event_cells",
    "event_points",
    "event_set",
    "may_export_events",
    "open_data",
    "open_data_geojson",
    "period_bounds",
    "phase_indicators",
    "require_dataset_area",
    "run_get_for_actor",
    "run_list_for_actor",
]
