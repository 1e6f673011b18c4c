"""Citizens after submission: following a report by e-mail, feedback and reopen requests after closure, and the
comments of Open311 client applications."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.core.actors import Acting, PublicActor
from confiance.core.live import publish_on_commit
from confiance.reports.choices import UpdateKind
from confiance.reports.errors import ReportError, ReportErrorCode
from confiance.reports.events import ReportReopenRequested
from confiance.reports.models import DESCRIPTION_MAX_LENGTH, ClientApplication, Report, ReportFollower, ReportUpdate
from confiance.reports.notifications import notification_queue
from confiance.reports.services.history import destination_emails, history_append, report_locked

REPORTER = PublicActor("déclarant")
REASON_MIN_LENGTH = 5


@transaction.atomic
def report_follow(*, report: Report, email: str, now: datetime | None = None) -> bool:
    """Follow a report by e-mail (idempotent); True when a new follower was added."""
    now = now or timezone.now()
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ReportError(ReportErrorCode.CONTACT_INVALID, _("Adresse électronique invalide."),
                          details={"field": "email"}) from None
    _follower, created = ReportFollower.objects.get_or_create(
        report=report, email=email, defaults={"token": secrets.token_urlsafe(32), "created_at": now})
    if created:
        notification_queue(report=report, recipients=[email], template="followed")
    return created


def report_unfollow(*, token: str) -> bool:
    """Stop following, from the link of an e-mail; False when the link is no longer valid."""
    return ReportFollower.objects.filter(token=token).delete()[0] > 0


@transaction.atomic
def report_feedback(*, report: Report, fixed: bool, comment: str = "", now: datetime | None = None) -> ReportUpdate:
    """After closure, the reporter says whether the problem is fixed."""
    now = now or timezone.now()
    report = report_locked(report)
    if report.is_open:
        raise ReportError(ReportErrorCode.NOT_CLOSED, _("Ce signalement n'est pas encore clos."), status_code=409)
    report.feedback_fixed = fixed
    report.save(update_fields=["feedback_fixed"])
    return history_append(report, actor=REPORTER, kind=UpdateKind.FEEDBACK, now=now,
                          internal_note=(comment or "").strip()[:2000], data={"fixed": fixed})


@transaction.atomic
def report_reopen_request(*, report: Report, reason: str, actor: Acting | None = None,
                          data: dict[str, Any] | None = None, now: datetime | None = None) -> ReportUpdate:
    """A citizen asks to reopen a closed report; the handling services are told and decide."""
    now = now or timezone.now()
    report = report_locked(report)
    if report.is_open:
        raise ReportError(ReportErrorCode.NOT_CLOSED, _("Ce signalement est encore ouvert."), status_code=409)
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ReportError(ReportErrorCode.REASON_TOO_SHORT, _("Expliquez en quelques mots pourquoi le rouvrir."),
                          details={"field": "reason", "min": REASON_MIN_LENGTH})
    report.reopen_requested = True
    report.updated_at = now
    report.save(update_fields=["reopen_requested", "updated_at"])
    update = history_append(report, actor=actor or REPORTER, kind=UpdateKind.REOPEN_REQUEST, now=now,
                            internal_note=reason[:2000], data=data)
    notification_queue(report=report, recipients=destination_emails(report), template="reopen_requested",
                       context={"reason": reason})
    publish_on_commit(ReportReopenRequested(report_id=report.pk), commune_id=report.commune_id)
    return update


def _comment_clean(description: str) -> str:
    description = (description or "").strip()
    if not description:
        raise ReportError(ReportErrorCode.TEXT_REQUIRED, _("Le texte de la mise à jour est vide."),
                          details={"field": "description"})
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ReportError(ReportErrorCode.DESCRIPTION_TOO_LONG,
                          _("La description dépasse %(max)s caractères.") % {"max": DESCRIPTION_MAX_LENGTH},
                          details={"length": len(description), "max": DESCRIPTION_MAX_LENGTH})
    return description


@transaction.atomic
def report_comment_add(*, report: Report, client: ClientApplication, description: str, status: str = "",
                       client_update_id: str = "", now: datetime | None = None) -> ReportUpdate:
    """An update posted by an Open311 client (FixMyStreet extension): a comment, or a reopen request."""
    now = now or timezone.now()
    description = _comment_clean(description)
    actor = PublicActor(f"application {client.name}")
    data = {"client": client.pk, "client_update_id": client_update_id} if client_update_id else {}
    if status.lower() == "open" and not report.is_open:
        return report_reopen_request(report=report, reason=description, actor=actor, data=data, now=now)
    report = report_locked(report)
    report.updated_at = now
    report.save(update_fields=["updated_at"])
    return history_append(report, actor=actor, kind=UpdateKind.COMMENT, now=now, internal_note=description,
                          data=data)
