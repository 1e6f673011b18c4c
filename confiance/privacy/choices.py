from django.db import models
from django.utils.translation import gettext_lazy as _

# The permission to read the journal; accounts' Permission.AUDIT_VIEW takes its value from here, so privacy
# needs nothing from accounts (accounts and territory journal their writes through privacy).
AUDIT_VIEW_PERMISSION = "privacy.audit_view"


class JournalKind(models.TextChoices):
    """Whether an entry records a change or a consultation."""

    WRITE = "write", _("Modification")
    ACCESS = "access", _("Consultation")


class CheckpointKind(models.TextChoices):
    RETENTION = "retention", _("entrées supprimées par la conservation")
    SEAL = "seal", _("scellement des entrées d'avant les clés")


class RetentionAction(models.TextChoices):
    """What the retention engine does to records past their maximum age."""

    DELETE = "delete", _("Suppression")
    ANONYMISE = "anonymise", _("Anonymisation")
    EXPORT_THEN_DELETE = "export_delete", _("Export pour archives puis suppression")
