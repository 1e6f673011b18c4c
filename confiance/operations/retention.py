"""Retention of police files: main courante and interventions 3 years (archived, then deleted); positions 30 days."""

from datetime import timedelta

from django.conf import settings

from confiance.privacy.choices import RetentionAction
from confiance.privacy.retention_engine import RetentionRule, register


def _police_files() -> timedelta:
    return timedelta(days=365 * settings.CONFIANCE_POLICE_FILE_YEARS + 1)


register(RetentionRule(
    name="operations.assignments",
    model="operations.Assignment",
    date_field="intervention__created_at",
    max_age=_police_files,
    action=RetentionAction.EXPORT_THEN_DELETE,
    description="Engagements des unités : avec leur intervention, 3 ans, puis archivés et supprimés.",
    order=50,
))

register(RetentionRule(
    name="operations.log_persons",
    model="operations.LogPerson",
    date_field="entry__created_at",
    max_age=_police_files,
    action=RetentionAction.EXPORT_THEN_DELETE,
    description="Personnes concernées par la main courante : avec leur entrée, 3 ans, puis archivées et supprimées.",
    order=50,
))

register(RetentionRule(
    name="operations.interventions",
    model="operations.Intervention",
    date_field="created_at",
    max_age=_police_files,
    action=RetentionAction.EXPORT_THEN_DELETE,
    description="Interventions de la police municipale : 3 ans, puis archivées et supprimées.",
))

register(RetentionRule(
    name="operations.log_entries",
    model="operations.LogEntry",
    date_field="created_at",
    max_age=_police_files,
    action=RetentionAction.EXPORT_THEN_DELETE,
    description="Main courante (avec les personnes concernées) : 3 ans au plus, puis archivée et supprimée.",
))

register(RetentionRule(
    name="operations.positions",
    model="operations.UnitPosition",
    date_field="received_at",
    max_age=lambda: timedelta(days=settings.CONFIANCE_POSITION_HISTORY_DAYS),
    action=RetentionAction.DELETE,
    description="Historique des positions des patrouilles (CONFIANCE_POSITION_HISTORY_DAYS jours).",
))

register(RetentionRule(
    name="operations.unit_messages",
    model="operations.UnitMessage",
    date_field="sent_at",
    max_age=_police_files,
    action=RetentionAction.EXPORT_THEN_DELETE,
    description="Messages du poste aux unités : comme les interventions, 3 ans, puis archivés et supprimés.",
))

register(RetentionRule(
    name="operations.push_deliveries",
    model="operations.PushDelivery",
    date_field="created_at",
    max_age=lambda: timedelta(days=7),
    action=RetentionAction.DELETE,
    description="Notifications non remises (page terrain fermée) : supprimées après 7 jours.",
))
