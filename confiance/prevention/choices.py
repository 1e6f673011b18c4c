"""Choices of the prevention app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- Opération Tranquillité Vacances ---------------------------------------------------------


class Residence(models.TextChoices):
    MAIN = "principale", _("Résidence principale")
    SECONDARY = "secondaire", _("Résidence secondaire")


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "annulee", _("Annulée par l'habitant")


class PassageOutcome(models.TextChoices):
    NOTHING_TO_REPORT = "ras", _("RAS (rien à signaler)")
    ANOMALY = "anomalie", _("Anomalie constatée")

# --- end of Opération Tranquillité Vacances --------------------------------------------------
