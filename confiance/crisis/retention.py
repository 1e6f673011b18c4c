"""Retention of crisis records: the log and the ticked steps name agents; they are kept like the police files
they accompany (CONFIANCE_POLICE_FILE_YEARS), then archived and deleted with their crisis's log."""

from datetime import timedelta

from django.conf import settings

from confiance.privacy.choices import RetentionAction
from confiance.privacy.retention_engine import RetentionRule, register


def _crisis_records() -> timedelta:
    return timedelta(days=365 * settings.CONFIANCE_POLICE_FILE_YEARS + 1)


register(RetentionRule(
    name="crisis.log_entries",
    model="crisis.CrisisLogEntry",
    date_field="at",
    max_age=_crisis_records,
    action=RetentionAction.EXPORT_THEN_DELETE,
    description="Journal de crise (noms des agents) : 3 ans, puis archivé et supprimé.",
))

register(RetentionRule(
    name="crisis.step_ticks",
    model="crisis.CrisisStepTick",
    date_field="ticked_at",
    max_age=_crisis_records,
    action=RetentionAction.EXPORT_THEN_DELETE,
    description="Étapes cochées des listes d'actions (qui, quand) : 3 ans, puis archivées et supprimées.",
))
