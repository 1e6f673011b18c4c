"""Retention of the prevention app's personal data (retention engine, `confiance retention run`)."""


from datetime import timedelta

from django.conf import settings
from django.db import models

from confiance.prevention.choices import RegistrationStatus
from confiance.privacy.choices import RetentionAction
from confiance.privacy.retention_engine import RetentionRule, register


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


register(RetentionRule(
    name="prevention.referents",
    model="prevention.Referent",
    date_field="revoked_at",
    max_age=lambda: timedelta(days=settings.CONFIANCE_REFERENT_RETENTION_DAYS),
    action=RetentionAction.DELETE,
    description="Référents de participation citoyenne révoqués : supprimés CONFIANCE_REFERENT_RETENTION_DAYS jours "
                "après la révocation (leurs observations restent, sans lien vers eux).",
))

register(RetentionRule(
    name="prevention.observations",
    model="prevention.Observation",
    date_field="created_at",
    max_age=lambda: timedelta(days=round(settings.CONFIANCE_OBSERVATION_RETENTION_MONTHS * 365.25 / 12)),
    action=RetentionAction.DELETE,
    description="Observations des référents et leur suivi : supprimées CONFIANCE_OBSERVATION_RETENTION_MONTHS mois "
                "après leur réception (une intervention ouverte depuis suit la durée des fichiers de police).",
))

# --- Réserve communale ---------------------------------------------------------------------------

register(RetentionRule(
    name="prevention.reserve_volunteers",
    model="prevention.ReserveVolunteer",
    date_field="left_on",
    max_age=lambda: timedelta(days=settings.CONFIANCE_RESERVE_RETENTION_DAYS),
    action=RetentionAction.DELETE,
    description="Réservistes ayant quitté la réserve (avec leurs réponses et leurs heures) : supprimés "
                "CONFIANCE_RESERVE_RETENTION_DAYS jours après leur départ.",
))
