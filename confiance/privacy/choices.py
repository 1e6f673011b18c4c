from django.db import models
from django.utils.translation import gettext_lazy as _


class JournalKind(models.TextChoices):
    """Whether an entry records a change or a consultation."""

    WRITE = "write", _("Modification")
    ACCESS = "access", _("Consultation")


class RetentionAction(models.TextChoices):
    """What the retention engine does to records past their maximum age."""

    DELETE = "delete", _("Suppression")
    ANONYMISE = "anonymise", _("Anonymisation")
    EXPORT_THEN_DELETE = "export_delete", _("Export pour archives puis suppression")
