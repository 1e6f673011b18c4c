"""Shapes of the hypervision API (django-ninja), one section per concern. Fields are listed explicitly: no token,
hash or MQTT client id ever leaves through them."""

from datetime import date, datetime

from ninja import Field, Schema

from confiance.core.parsing import DbId
from confiance.devices.choices import DeviceKind, DeviceState

# --- Registry ----------------------------------------------------------------------------------------------------


class DeviceQuery(Schema):
    commune: str | None = Field(None, max_length=10, description="Code INSEE de la commune")
    kind: DeviceKind | None = Field(None, description="Type de capteur")
    state: DeviceState | None = Field(None, description="État du capteur")


class QuantityOut(Schema):
    quantity: str
    label: str = Field(..., alias="get_quantity_display")
    unit: str


class DeviceOut(Schema):
    id: int
    identifier: str
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    commune_insee: str = Field(..., alias="commune.insee_code")
    commune_name: str = Field(..., alias="commune.name")
    sector_code: str | None = Field(None, alias="sector.code")
    gateway: str | None = Field(None, alias="gateway.identifier")
    lat: float
    lon: float
    address: str
    model: str
    manufacturer: str
    owner: str
    reporting_interval_s: int
    firmware_version: str
    expected_firmware_version: str
    active: bool
    state: str
    state_label: str = Field(..., alias="get_state_display")
    last_seen_at: datetime | None
    battery_pct: float | None
    signal_dbm: float | None
    quantities: list[QuantityOut]

    @staticmethod
    def resolve_sector_code(obj) -> str | None:
        return obj.sector.code if obj.sector_id else None

    @staticmethod
    def resolve_gateway(obj) -> str | None:
        return obj.gateway.identifier if obj.gateway_id else None

    @staticmethod
    def resolve_quantities(obj) -> list:
        return list(obj.quantities.all())


class GatewayOut(Schema):
    id: int
    identifier: str
    name: str
    commune_insee: str = Field(..., alias="commune.insee_code")
    commune_name: str = Field(..., alias="commune.name")
    model: str
    owner: str
    firmware_version: str
    expected_firmware_version: str
    active: bool
    last_seen_at: datetime | None
    device_count: int
    has_token: bool

    @staticmethod
    def resolve_has_token(obj) -> bool:
        return bool(obj.token_prefix and obj.token_hash)


class SdmQuery(Schema):
    commune: str | None = Field(None, max_length=10, description="Code INSEE de la commune")
    kind: DeviceKind | None = None
    limit: int = Field(100, ge=1, le=1000, description="Entités par page (NGSI-LD)")
    offset: int = Field(0, ge=0, le=10_000_000)


# --- ingestion (gateways' HTTP batches, NGSI-LD notifications) ---------------------------------------------------


class RejectionOut(Schema):
    reason: str = Field(description="Motif (DeadLetterReason) : malformed, wrong_type, unknown_device, "
                                    "unknown_quantity, future_time, time_invalid, oversize, schema_invalid, "
                                    "forbidden, disabled")
    label: str = Field(description="Motif en clair")
    device: str = Field(description="Identifiant annoncé du capteur, s'il est connu")
    detail: str


class IngestionOut(Schema):
    stored: int = Field(description="Mesures nouvelles enregistrées")
    duplicates: int = Field(description="Mesures déjà reçues (même capteur, grandeur et horodatage)")
    rejected: int = Field(description="Valeurs refusées, chacune versée aux messages rejetés")
    rejections: list[RejectionOut] = Field(description="Les motifs des refus (au plus 100)")
    truncated: bool = Field(description="Vrai quand il y a plus de refus que la liste n'en montre")


# --- Cameras and the register of extractions -----------------------------------------------------------------------


class CameraQuery(Schema):
    commune: str | None = Field(None, max_length=10, description="Code INSEE de la commune")


class CameraOut(Schema):
    """A camera of the registry; the stream link is never here (POST …/stream with a motive gives it)."""

    id: int
    identifier: str
    name: str
    commune_insee: str
    commune_name: str
    lat: float
    lon: float
    address: str
    camera_type: str
    direction_deg: int | None
    angle_deg: int | None
    range_m: int | None
    purposes: list[str]
    purpose_labels: list[str]
    authorisation_reference: str
    authorisation_date: date
    authorisation_expiry: date
    authorisation_state: str
    authorisation_state_label: str
    authorisation_retention_days: int
    retention_days: int
    privacy_mask_count: int
    authorised: bool = Field(..., description="L'agent est habilité individuellement sur cette caméra")


class StreamIn(Schema):
    motive: str = Field(..., min_length=5, max_length=500, description="Motif, écrit au journal des consultations")
    export: bool = False


class StreamOut(Schema):
    url: str


class MediumIn(Schema):
    file_name: str = Field(..., min_length=1, max_length=255)
    sha256: str = Field(..., min_length=64, max_length=64, pattern="^[0-9a-fA-F]{64}$")


class MediumOut(Schema):
    file_name: str
    sha256: str


class ExtractionIn(Schema):
    commune: str = Field(..., max_length=10, description="Code INSEE de la commune")
    officer_name: str = Field(..., min_length=1, max_length=200)
    officer_service: str = Field(..., min_length=1, max_length=200)
    requisition_reference: str = Field(..., min_length=1, max_length=120)
    camera_ids: list[DbId] = Field(..., min_length=1, max_length=200)
    span_start: datetime
    span_end: datetime


class DeliveryIn(Schema):
    media: list[MediumIn] = Field(..., min_length=1, max_length=100)


class ExtractionOut(Schema):
    id: int
    commune_insee: str
    officer_name: str
    officer_service: str
    requisition_reference: str
    requested_at: datetime
    span_start: datetime
    span_end: datetime
    status: str
    status_label: str
    delivered_at: datetime | None
    hold_in_force: bool
    purge_deadline: datetime | None
    urgent: bool
    camera_ids: list[int]
    media: list[MediumOut]


# --- Video analytics ----------------------------------------------------------------------------------------------


class VideoIngestionOut(Schema):
    stored: int = Field(description="Détections nouvelles, versées à la file d'examen des opérateurs")
    duplicates: int = Field(description="Événements déjà reçus (même caméra et même identifiant)")
    refused: int = Field(description="Événements refusés et comptés (rien n'en est conservé)")
    reasons: dict[str, int] = Field(description="Nombre d'événements refusés par motif")
