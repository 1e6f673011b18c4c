"""Retention of the prevention app's personal data (retention engine, `confiance retention run`)."""

from datetime import timedelta

from django.conf import settings
from django.db import models

from confiance.prevention.choices import RegistrationStatus
from confiance.privacy.choices import RetentionAction
from confiance.privacy.retention_engine import RetentionRule, register

# --- Opération Tranquillité Vacances ---------------------------------------------------------


def _otv_days() -> timedelta:
    return timedelta(days=settings.CONFIANCE_OTV_PURGE_DAYS)


# A registration returning on day R is kept through day R + N (Paris) and deleted from day R + N + 1; its passages
# go with it (the main courante entries they wrote stay, under the police-file retention: they name no resident).
register(RetentionRule(
    name="prevention.otv_registrations",
    model="prevention.OtvRegistration",
    date_field="returns_on",
    max_age=_otv_days,
    action=RetentionAction.DELETE,
    description="Inscriptions OTV et leurs passages : effacées CONFIANCE_OTV_PURGE_DAYS jours après la date de "
                "retour.",
))

register(RetentionRule(
    name="prevention.otv_cancelled",
    model="prevention.OtvRegistration",
    date_field="cancelled_at",
    max_age=_otv_days,
    action=RetentionAction.DELETE,
    pending=lambda: models.Q(status=RegistrationStatus.CANCELLED),
    description="Inscriptions OTV annulées : effacées CONFIANCE_OTV_PURGE_DAYS jours après l'annulation.",
))

# --- end of Opération Tranquillité Vacances --------------------------------------------------
