"""Shapes of the hypervision API (django-ninja), one section per concern."""

from ninja import Field, Schema

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
