"""Retention of the accounts app: the counters of failed authentications (accounts.SecurityEvent)."""

from datetime import timedelta

from django.conf import settings

from confiance.privacy.choices import RetentionAction
from confiance.privacy.retention_engine import RetentionRule, register

# The ANSSI's hygiene guide asks that security logs be kept and reviewed; the CNIL's recommendation on logging
# measures (délibération 2021-122) sets 6 months to 1 year for them: one year by default.
register(RetentionRule(
    name="accounts.security_events",
    model="accounts.SecurityEvent",
    date_field="last_at",
    max_age=lambda: timedelta(days=settings.CONFIANCE_SECURITY_EVENT_RETENTION_DAYS),
    action=RetentionAction.DELETE,
    description="Échecs de connexion, de double authentification et de jetons d'API, verrouillages : 1 an.",
))
