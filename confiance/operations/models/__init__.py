"""Police municipale operations: main courante, interventions, units, assignments, road graph.

One module per aggregate, as `services/` is: logbook, interventions, units (statuses, crews, assignments, pooling),
positions, roads, messages (the field page) and common (the yearly numbering). Every model and constant is imported
here: `from confiance.operations.models import Intervention` is how the rest of the code names them.
"""

from confiance.operations.models.common import TEXT_MAX_LENGTH, Counter
from confiance.operations.models.interventions import ChecklistStep, Intervention, InterventionStep, InterventionType
from confiance.operations.models.logbook import DayVisa, LogEntry, LogPerson, Nature
from confiance.operations.models.messages import PushDelivery, PushSubscription, UnitMessage
from confiance.operations.models.positions import RejectedPosition, UnitPosition
from confiance.operations.models.roads import RoadEdge, RoadImport, RoadNode
from confiance.operations.models.units import Assignment, PoolingAgreement, Shift, Unit, UnitStatus

__all__ = [
    "TEXT_MAX_LENGTH",
    "Assignment",
    "ChecklistStep",
    "Counter",
    "DayVisa",
    "Intervention",
    "InterventionStep",
    "InterventionType",
    "LogEntry",
    "LogPerson",
    "Nature",
    "PoolingAgreement",
    "PushDelivery",
    "PushSubscription",
    "RejectedPosition",
    "RoadEdge",
    "RoadImport",
    "RoadNode",
    "Shift",
    "Unit",
    "UnitMessage",
    "UnitPosition",
    "UnitStatus",
]
