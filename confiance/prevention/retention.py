"""Retention of the prevention app's personal data (docs/configuration.md, docs/prevention-participation.md)."""

from datetime import timedelta

from django.conf import settings

from confiance.privacy.choices import RetentionAction
from confiance.privacy.retention_engine import RetentionRule, register

# --- Participation citoyenne ---------------------------------------------------------------------

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
