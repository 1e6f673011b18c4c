"""Retention of analyses: results (aggregates) and finished background task records kept
CONFIANCE_ANALYTICS_RUN_DAYS (180 by default); imported datasets are deleted by their analyst."""

from datetime import timedelta

from django.conf import settings

from confiance.privacy.choices import RetentionAction
from confiance.privacy.retention_engine import RetentionRule, register


def _runs() -> timedelta:
    return timedelta(days=settings.CONFIANCE_ANALYTICS_RUN_DAYS)


register(RetentionRule(
    name="analytics.runs",
    model="analytics.AnalysisRun",
    date_field="created_at",
    max_age=_runs,
    action=RetentionAction.DELETE,
    description="Analyses (résultats agrégés) : supprimées après le délai choisi (180 jours par défaut).",
))

register(RetentionRule(
    name="analytics.task_results",
    model="django_tasks_database.DBTaskResult",
    date_field="enqueued_at",
    max_age=_runs,
    action=RetentionAction.DELETE,
    description="Traces des tâches d'arrière-plan : supprimées avec les analyses.",
))
