"""Handling of reports by agents: responses and status changes, assignment, duplicates, bulk actions, moderation,
the reporter's identity."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.accounts.selectors import agent_can_in_commune
from confiance.core.errors import ApplicationError
from confiance.core.live import publish_on_commit
from confiance.privacy.choices import AccessMotive
from confiance.privacy.services import access_log_record, audit_record
from confiance.reports.access import may_handle, require_handle
from confiance.reports.choices import CLOSED_STATUSES, TRANSITIONS, ReportStatus, UpdateKind
from confiance.reports.drafts import BulkResult
from confiance.reports.errors import ReportError, ReportErrorCode
from confiance.reports.events import ReportStatusChanged
from confiance.reports.models import Category, Destination, Report, ReportFollower, ReportPhoto, ReportUpdate
from confiance.reports.notifications import notification_queue
from confiance.reports.services.history import follower_emails, history_append, report_locked
from confiance.reports.services.routing import dispatch_to, expected_at, routing_destinations

# Stored in the history, so in the platform's language (French), whatever the language of the request.
DUPLICATE_MESSAGE = "Ce signalement fait doublon avec le signalement n° {original}."


def _apply_status(report: Report, status: str, now: datetime) -> str:
    previous = report.status
    if status not in TRANSITIONS.get(previous, frozenset()):
        raise ReportError(ReportErrorCode.TRANSITION_REFUSED,
                          _("Passage impossible de « %(from)s » à « %(to)s ».")
                          % {"from": ReportStatus(previous).label, "to": ReportStatus(status).label},
                          details={"from": previous, "to": status}, status_code=409)
    report.status = status
    report.is_open = status not in CLOSED_STATUSES
    if report.is_open:
        report.closed_at = None
        report.reopen_requested = False
        report.feedback_fixed = None
        if previous in CLOSED_STATUSES:
            report.overdue_notified_at = None
            report.expected_at = expected_at(report.category, now)
    elif previous not in CLOSED_STATUSES:
        report.closed_at = now
    report.updated_at = now
    return previous


def _response_check(status: str, public_message: str, internal_note: str) -> None:
    if status and status not in ReportStatus.values:
        raise ReportError(ReportErrorCode.STATUS_UNKNOWN, _("État inconnu : %(status)s.") % {"status": status})
    if not (status or public_message or internal_note):
        raise ReportError(ReportErrorCode.NOTHING_TO_RECORD,
                          _("Rien à enregistrer : choisissez un état ou écrivez un message."))
    if status == ReportStatus.DUPLICATE:
        raise ReportError(ReportErrorCode.DUPLICATE_STATUS_REFUSED, _("Utilisez « Marquer comme doublon »."))


def _status_published(report: Report, status: str) -> None:
    publish_on_commit(ReportStatusChanged(report_id=report.pk, status=status,
                                          status_label=str(ReportStatus(status).label)),
                      commune_id=report.commune_id)


@transaction.atomic
def report_respond(*, actor: Actor, report: Report, status: str = "", public_message: str = "",
                   internal_note: str = "", now: datetime | None = None) -> ReportUpdate:
    """A status change and/or a public message and/or an internal note, as one history entry."""
    now = now or timezone.now()
    require_handle(actor, report)
    report = report_locked(report)
    public_message, internal_note = (public_message or "").strip(), (internal_note or "").strip()
    _response_check(status, public_message, internal_note)
    previous = ""
    if status:
        previous = _apply_status(report, status, now)
    else:
        report.updated_at = now
    if public_message:
        report.status_notes = public_message
    report.save()
    kind = UpdateKind.STATUS if status else (UpdateKind.PUBLIC if public_message else UpdateKind.NOTE)
    update = history_append(report, actor=actor, kind=kind, now=now, status=status, status_from=previous,
                            public_message=public_message, internal_note=internal_note)
    if status or public_message:
        notification_queue(report=report, recipients=follower_emails(report), template="updated",
                           context={"update": update, "status_label": report.get_status_display()})
    audit_record(actor=actor, action="reports.respond", target=report, commune_id=report.commune_id,
                 extra={"status": status, "from": previous, "public": bool(public_message),
                        "note": bool(internal_note)})
    if status:
        _status_published(report, status)
    return update


def _assignee(report: Report, agent_id: int) -> dict[str, Any]:
    if not agent_can_in_commune(agent_id=agent_id, permission=Permission.REPORTS_HANDLE,
                                commune_id=report.commune_id):
        raise ReportError(ReportErrorCode.ASSIGNEE_INVALID,
                          _("Cet agent ne traite pas les signalements de cette commune."))
    data = {"assigned_to": agent_id, "previous": report.assigned_to_id}
    report.assigned_to_id = agent_id
    return data


@transaction.atomic
def report_assign(*, actor: Actor, report: Report, agent_id: int | None = None,
                  destination: Destination | None = None, internal_note: str = "",
                  now: datetime | None = None) -> ReportUpdate:
    """Assign to an agent who may handle reports of the commune, and/or transfer to another destination."""
    now = now or timezone.now()
    require_handle(actor, report)
    report = report_locked(report)
    data: dict[str, Any] = _assignee(report, agent_id) if agent_id is not None else {}
    if destination is not None:
        if destination.commune_id != report.commune_id or not destination.active:
            raise ReportError(ReportErrorCode.DESTINATION_UNKNOWN, _("Destinataire inconnu dans cette commune."))
        dispatch_to(report, [destination], now)
        data["destination"] = destination.name
    if not data:
        raise ReportError(ReportErrorCode.NOTHING_TO_ASSIGN, _("Choisissez un agent ou un destinataire."))
    report.updated_at = now
    report.save(update_fields=["assigned_to", "updated_at"])
    update = history_append(report, actor=actor, kind=UpdateKind.ASSIGNMENT, now=now, internal_note=internal_note,
                            data=data)
    audit_record(actor=actor, action="reports.assign", target=report, commune_id=report.commune_id, extra=data)
    return update


def _followers_moved(report: Report, original: Report, now: datetime) -> list[str]:
    moved = []
    for follower in report.followers.all():
        _follower, created = ReportFollower.objects.get_or_create(
            report=original, email=follower.email,
            defaults={"token": secrets.token_urlsafe(32), "created_at": now})
        if created:
            moved.append(follower.email)
    return moved


@transaction.atomic
def report_mark_duplicate(*, actor: Actor, report: Report, original: Report, public_message: str = "",
                          now: datetime | None = None) -> Report:
    """Close a report as a duplicate of another; its followers now follow the original and are told."""
    now = now or timezone.now()
    require_handle(actor, report)
    report = report_locked(report)
    while original.duplicate_of is not None:
        original = original.duplicate_of
    if original.pk == report.pk or original.commune_id != report.commune_id:
        raise ReportError(ReportErrorCode.DUPLICATE_INVALID,
                          _("Le signalement d'origine doit être un autre signalement de la même commune."))
    previous = _apply_status(report, ReportStatus.DUPLICATE, now)
    message = public_message.strip() or DUPLICATE_MESSAGE.format(original=original.pk)
    report.duplicate_of = original
    report.status_notes = message
    report.save()
    moved = _followers_moved(report, original, now)
    history_append(report, actor=actor, kind=UpdateKind.DUPLICATE, now=now, status=ReportStatus.DUPLICATE,
                   status_from=previous, public_message=message, data={"original": original.pk})
    notification_queue(report=report, recipients=follower_emails(report), template="duplicate",
                       context={"original": original})
    audit_record(actor=actor, action="reports.duplicate", target=report, commune_id=report.commune_id,
                 extra={"original": original.pk, "followers_moved": len(moved)})
    _status_published(report, ReportStatus.DUPLICATE)
    return original


def _requalified(actor: Actor, report: Report, service_code: str, internal_note: str, now: datetime) -> str:
    """Requalify one report; the reason it was refused, or "" when done."""
    if not may_handle(actor, report):
        return _("non autorisé")
    report = report_locked(report)
    category = Category.objects.filter(commune_id=report.commune_id, service_code=service_code,
                                       active=True).first()
    if category is None:
        return _("catégorie inconnue dans la commune")
    if category.pk == report.category_id:
        return _("déjà dans cette catégorie")
    previous = report.category
    report.category = category
    report.updated_at = now
    if report.is_open:
        report.expected_at = expected_at(category, report.created_at)
    report.save(update_fields=["category", "updated_at", "expected_at"])
    dispatch_to(report, routing_destinations(commune_id=report.commune_id, category_id=category.pk,
                                             sector_id=report.sector_id), now)
    change = {"from": previous.service_code, "to": category.service_code}
    history_append(report, actor=actor, kind=UpdateKind.REQUALIFY, now=now, internal_note=internal_note, data=change)
    audit_record(actor=actor, action="reports.requalify", target=report, commune_id=report.commune_id, extra=change)
    return ""


@transaction.atomic
def report_bulk_requalify(*, actor: Actor, reports: Iterable[Report], service_code: str,
                          internal_note: str = "", now: datetime | None = None) -> BulkResult:
    """Move reports to another category of their commune; they are routed again to its destinations."""
    now = now or timezone.now()
    done, refused = [], {}
    for report in reports:
        reason = _requalified(actor, report, service_code, internal_note, now)
        if reason:
            refused[report.pk] = reason
        else:
            done.append(report.pk)
    return BulkResult(done=done, refused=refused)


def report_bulk_done(*, actor: Actor, reports: Iterable[Report], public_message: str = "",
                     now: datetime | None = None) -> BulkResult:
    """Mark several reports "service fait", each in its own transaction; refusals are listed, not fatal."""
    done, refused = [], {}
    for report in reports:
        try:
            report_respond(actor=actor, report=report, status=ReportStatus.DONE, public_message=public_message,
                           now=now)
        except ApplicationError as error:
            refused[report.pk] = error.message
        else:
            done.append(report.pk)
    return BulkResult(done=done, refused=refused)


@transaction.atomic
def report_moderate(*, actor: Actor, report: Report, hide_description: bool | None = None,
                    photo_id: int | None = None, hide_photo: bool | None = None, reason: str = "",
                    now: datetime | None = None) -> ReportUpdate:
    """Hide (or show again) the description or one photo from the public."""
    now = now or timezone.now()
    require_handle(actor, report)
    report = report_locked(report)
    data: dict[str, Any] = {}
    if hide_description is not None:
        report.description_hidden = hide_description
        report.updated_at = now
        report.save(update_fields=["description_hidden", "updated_at"])
        data["description_hidden"] = hide_description
    if photo_id is not None and hide_photo is not None:
        updated = ReportPhoto.objects.filter(report=report, pk=photo_id).update(hidden=hide_photo)
        if not updated:
            raise ReportError(ReportErrorCode.PHOTO_NOT_FOUND, _("Photo introuvable."), status_code=404)
        data.update({"photo": photo_id, "photo_hidden": hide_photo})
    if not data:
        raise ReportError(ReportErrorCode.NOTHING_TO_MODERATE, _("Rien à modérer."))
    update = history_append(report, actor=actor, kind=UpdateKind.MODERATION, now=now, internal_note=reason,
                            data=data)
    audit_record(actor=actor, action="reports.moderate", target=report, commune_id=report.commune_id, extra=data)
    return update


def report_reporter_reveal(*, actor: Actor, report: Report, motive: str) -> dict[str, Any]:
    """The reporter's contact details, for the handling service; the consultation is logged with its motive."""
    require_handle(actor, report)
    access_log_record(actor=actor, target=report, motive=motive, extra={"fields": "reporter"},
                      motive_code=AccessMotive.REPORT)
    return {"name": report.reporter_name, "email": report.reporter_email, "phone": report.reporter_phone,
            "removed_at": report.personal_data_removed_at}
