from enum import StrEnum
from typing import Any

from confiance.core.errors import ApplicationError


class AnalyticsErrorCode(StrEnum):
    TOO_FEW_EVENTS = "analytics_too_few_events"
    NO_SPREAD = "analytics_no_spread"
    BANDS_INVALID = "analytics_bands_invalid"
    EXTENT_TOO_LARGE = "analytics_extent_too_large"
    TOO_MANY_PAIRS = "analytics_too_many_pairs"
    PERIOD_INVALID = "analytics_period_invalid"
    PERIOD_TOO_LONG = "analytics_period_too_long"
    HISTORY_TOO_SHORT = "analytics_history_too_short"
    TOO_FEW_CELLS = "analytics_too_few_cells"
    DATASET_OTHER_COMMUNE = "analytics_dataset_other_commune"
    COORDINATES_INVALID = "analytics_coordinates_invalid"
    PARAMETER_INVALID = "analytics_parameter_invalid"
    IMPORT_INVALID = "analytics_import_invalid"


class AnalysisInputError(ApplicationError):
    """The data or the parameters cannot give a meaningful result; the message says why, in French."""

    def __init__(self, code: AnalyticsErrorCode, message: str, **details: Any) -> None:
        super().__init__(code, message, details=details)
