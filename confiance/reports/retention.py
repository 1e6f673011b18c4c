"""Retention of citizen reports: contact details, followers and photos go after closure; e-mails after 90 days."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Now

from confiance.privacy.choices import RetentionAction
from confiance.privacy.retention_engine import RetentionRule, register
from confiance.reports.models import SUBMISSION_REPLAY_WINDOW


def _personal_days() -> timedelta:
    return timedelta(days=settings.CONFIANCE_REPORT_PERSONAL_DATA_DAYS)


register(RetentionRule(
    name="reports.reporter_identity",
    model="reports.Report",
    date_field="closed_at",
    max_age=_personal_days,
    action=RetentionAction.ANONYMISE,
    pending=lambda: models.Q(is_open=False, personal_data_removed_at__isnull=True),
    anonymise={"reporter_name": "", "reporter_email": "", "reporter_phone": "", "reporter_device_id": "",
               "personal_data_removed_at": Now()},
    description="Coordonnées du déclarant : effacées après la clôture (délai CONFIANCE_REPORT_PERSONAL_DATA_DAYS).",
))

register(RetentionRule(
    name="reports.followers",
    model="reports.ReportFollower",
    date_field="report__closed_at",
    max_age=_personal_days,
    action=RetentionAction.DELETE,
    pending=lambda: models.Q(report__is_open=False),
    description="Adresses des personnes qui suivent un signalement clos.",
))

register(RetentionRule(
    name="reports.photos",
    model="reports.ReportPhoto",
    date_field="report__closed_at",
    max_age=_personal_days,
    action=RetentionAction.DELETE,
    pending=lambda: models.Q(report__is_open=False),
    description="Photos des signalements clos (elles peuvent montrer des personnes ou des plaques).",
))

register(RetentionRule(
    name="reports.notifications",
    model="reports.ReportNotification",
    date_field="created_at",
    max_age=lambda: timedelta(days=90),
    action=RetentionAction.DELETE,
    description="Courriels envoyés aux déclarants et aux services (adresse et contenu).",
))

register(RetentionRule(
    name="reports.submissions",
    model="reports.ReportSubmission",
    date_field="created_at",
    max_age=lambda: SUBMISSION_REPLAY_WINDOW,
    action=RetentionAction.DELETE,
    description="Empreintes des envois, gardées le temps de reconnaître un envoi rejoué (24 heures).",
))
