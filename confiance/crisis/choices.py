from django.db import models
from django.utils.translation import gettext_lazy as _


class CrisisLogKind(models.TextChoices):
    """What a crisis log entry records: an agent's note, or a step of the crisis written by the platform."""

    NOTE = "note", _("Note")
    DECLARED = "declared", _("Crise déclarée")
    COMMUNE_ADDED = "commune_added", _("Commune ajoutée")
    STEP_TICKED = "step_ticked", _("Étape cochée")
    ENDED = "ended", _("Fin de crise")


# Longest note of the crisis log, longest checklist step, most steps per template.
LOG_TEXT_MAX = 2000
STEP_TEXT_MAX = 300
STEPS_MAX = 60
