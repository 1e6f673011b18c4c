"""Shapes of the operations API (django-ninja)."""

from datetime import date, datetime

from ninja import Field, Schema

from confiance.core.parsing import BigInt, BoundedDatetime, DbId


class PersonIn(Schema):
    role: str = Field(description="requerant, victime, temoin, mis_en_cause, autre")
    last_name: str = Field(max_length=100)
    first_name: str = Field("", max_length=100)
    birth_date: date | None = None
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=40)


class LogEntryIn(Schema):
    commune: str = Field(description="Code INSEE de la commune")
    nature_id: DbId
    source: str = Field(description="appel, patrouille, videoprotection, capteur, signalement, referent, autre")
    text: str
    occurred_at: BoundedDatetime | None = None
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    persons: list[PersonIn] = []
    intervention_id: DbId | None = None
    report_id: DbId | None = None
    acknowledge_sensitive: bool = Field(False, description="Confirmer malgré l'alerte de données sensibles")


class LogEntryOut(Schema):
    id: int
    number: str
    commune_id: int
    occurred_at: datetime
    source: str
    nature: str
    purpose: str
    address: str
    lat: float | None
    lon: float | None
    text: str
    corrects: str | None
    author: str | None
    created_at: datetime
    editable_until: datetime


class InterventionIn(Schema):
    commune: str = Field(description="Code INSEE de la commune")
    type_id: DbId
    lat: float
    lon: float
    origin: str = "appel"
    priority: int | None = Field(None, description="1 urgente, 2 prioritaire, 3 normale ; défaut : celle du type")
    address: str = ""
    description: str = ""
    report_ids: list[DbId] = []
    log_entry_id: DbId | None = None
    alarm_ref: str = ""
    acknowledge_sensitive: bool = False
    caller_name: str = Field("", max_length=120, description="Nom du requérant (montré à qui traite l'intervention)")
    caller_phone: str = Field("", max_length=40, description="Téléphone du requérant")


class InterventionOut(Schema):
    id: int
    number: str
    commune_id: int
    commune: str
    type: str
    type_code: str
    priority: int
    priority_label: str
    status: str
    status_label: str
    origin: str
    address: str
    lat: float
    lon: float
    description: str
    created_at: str
    closure_reason: str
    report_ids: list[int]


class CloseIn(Schema):
    reason: str = Field(description="traite, sans_suite, infonde, police_nationale, gendarmerie, sdis, autre_service")
    note: str = ""


class StepSkipIn(Schema):
    reason: str = ""


class EngageIn(Schema):
    unit_id: DbId
    override_reason: str = ""
    recommended_rank: BigInt | None = None


class MilestoneIn(Schema):
    step: str = Field(description="en_route_at, on_scene_at, finished_at")
    at: BoundedDatetime | None = None


class StatusIn(Schema):
    status_code: str


class PositionIn(Schema):
    lat: float
    lon: float
    recorded_at: BoundedDatetime | None = None
    accuracy_m: float | None = None
    speed_kmh: float | None = None


class UnitOut(Schema):
    id: int
    name: str
    commune_id: int
    commune: str
    status_code: str
    status_label: str
    milestone: str
    milestone_label: str
    color: str
    status_at: str
    lat: float | None
    lon: float | None
    position_at: str | None
    stale: bool
    assignment: dict | None


class CandidateOut(Schema):
    unit_id: int
    name: str
    commune: str
    distance_m: int
    travel_s: int | None
    reasons: list[str]
    sharing: str = Field(description="vide (unité de la commune), convention ou crise")
    sharing_label: str


class RecommendationOut(Schema):
    by_road: bool
    auto_dispatch: bool
    candidates: list[CandidateOut]
    excluded: list[dict]


class AssignmentOut(Schema):
    id: int
    intervention_id: int
    unit_id: int
    engaged_at: datetime
    en_route_at: datetime | None
    on_scene_at: datetime | None
    finished_at: datetime | None


class StatusOptionOut(Schema):
    code: str
    label: str
    milestone: str
    milestone_label: str
    color: str


class CallerOut(Schema):
    name: str
    phone: str


class ChronologyEventOut(Schema):
    at: datetime | None
    kind: str = Field(description="call, engagement, milestone, step, note, closure")
    label: str
    text: str


class InterventionRecordOut(Schema):
    intervention: InterventionOut
    caller: CallerOut | None = Field(description="Absent pour qui ne traite pas l'intervention")
    chronology: list[ChronologyEventOut]


class UnitMessageIn(Schema):
    text: str = Field(max_length=4000, description="Message à l'équipage (500 caractères au plus)")
    acknowledge_sensitive: bool = False


class UnitMessageOut(Schema):
    id: int
    unit_id: int
    unit: str
    text: str
    sent_by: str
    sent_at: str
    acknowledged_by: str
    acknowledged_at: str | None


class PushKeysIn(Schema):
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)


class PushSubscriptionIn(Schema):
    endpoint: str = Field(max_length=1000)
    keys: PushKeysIn


class PushUnsubscribeIn(Schema):
    endpoint: str = Field(max_length=1000)
