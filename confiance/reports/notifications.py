"""E-mails of the reports app: rendered from templates into an outbox table, sent after commit.

Senders (the mail thread after a commit, the sweep, any other process) claim rows with a conditional UPDATE
before sending (pending -> sending, with a claim token and time), then mark them sent, or pending again with
one more attempt, or failed after MAX_ATTEMPTS: each e-mail leaves once even when senders meet. The mail thread
is the in-process wake-up of the `reports_sweep` loop (a management command): it sends at once what a commit
queued, and the loop sends whatever it missed (a crashed process, a refused connection).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import close_old_connections, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from confiance.core.inserts import insert_rows
from confiance.reports.choices import NotificationStatus
from confiance.reports.models import Report, ReportFollower, ReportNotification
from confiance.reports.sql import notifications_claim, notifications_mark_sent

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BATCH = 500  # notifications per connection and per UPDATE
# A claim older than this is taken to be a crashed sender's: its rows may be claimed again (and sent twice then).
CLAIM_TIMEOUT = timedelta(minutes=15)


def _absolute(path: str) -> str:
    return settings.CONFIANCE_PUBLIC_URL.rstrip("/") + path


def tracking_url(report: Report) -> str:
    return _absolute(reverse("reports:track", args=[report.tracking_token]))


def notification_queue(*, report: Report, recipients: Iterable[str], template: str,
                       context: dict[str, Any] | None = None) -> list[int]:
    """Render `reports/email/<template>.txt` (first line: subject) for each recipient; send after commit."""
    return notifications_store(notification_render(report=report, recipients=recipients, template=template,
                                                   context=context))


def notification_render(*, report: Report, recipients: Iterable[str], template: str,
                        context: dict[str, Any] | None = None,
                        tokens: dict[str, str] | None = None) -> list[ReportNotification]:
    """The unsaved notifications of one template for each recipient.

    `tokens` gives the recipients' unfollow tokens when the caller knows them (a report just created has no
    follower but its reporter); otherwise they are read.
    """
    recipients = sorted({r.strip().lower() for r in recipients if r and r.strip()})
    if not recipients:
        return []
    base = {
        "report": report, "public_url": _absolute(reverse("reports:public", args=[report.pk])),
        "agent_url": _absolute(reverse("reports:detail", args=[report.pk])), **(context or {}),
    }
    if "original" in base:
        base["original_url"] = _absolute(reverse("reports:public", args=[base["original"].pk]))
    if tokens is None:
        tokens = dict(ReportFollower.objects.filter(report=report, email__in=recipients)
                      .values_list("email", "token"))
    now = timezone.now()
    rows = []
    for email in recipients:
        token = tokens.get(email)
        extra = {"unfollow_url": _absolute(reverse("reports:unfollow", args=[token])) if token else ""}
        if email == report.reporter_email:
            extra["tracking_url"] = tracking_url(report)
        with translation.override("fr"):
            text = render_to_string(f"reports/email/{template}.txt", base | extra)
        subject, _, body = text.strip().partition("\n")
        rows.append(ReportNotification(report=report, recipient=email, subject=subject.strip()[:200],
                                       body=body.strip(), created_at=now))
    return rows


def notifications_store(rows: list[ReportNotification]) -> list[int]:
    """Save rendered notifications in one insert, in the caller's transaction; they leave after commit."""
    if not rows:
        return []
    insert_rows(rows)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: notification_send_soon(ids))
    return ids


class _Mailer:
    """One mail thread per process; ids queued while it works are sent together, over one connection."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: list[int] = []
        self._running: Future | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="confiance-mail")

    def submit(self, ids: list[int]) -> Future:
        with self._lock:
            self._ids.extend(ids)
            if self._running is None:
                self._running = self._executor.submit(self._drain)
            return self._running

    def _drain(self) -> None:
        close_old_connections()
        try:
            while True:
                with self._lock:
                    batch, self._ids = self._ids[:BATCH], self._ids[BATCH:]
                    if not batch:
                        self._running = None
                        return
                try:
                    notification_send(ids=batch, limit=len(batch))
                except Exception:  # the rows stay pending; the sweep sends them
                    logger.exception("background send of %d notifications failed", len(batch))
        finally:
            close_old_connections()


_mailer = _Mailer()


def notification_send_soon(ids: list[int]) -> Future | None:
    """Send these notifications on the mail thread (or now, when CONFIANCE_MAIL_IN_BACKGROUND is off)."""
    if not settings.CONFIANCE_MAIL_IN_BACKGROUND:
        notification_send(ids=ids, limit=len(ids))
        return None
    return _mailer.submit(ids)


def notification_send(*, ids: Iterable[int] | None = None, limit: int = 200) -> tuple[int, int]:
    """Claim pending notifications (the given ones, or the oldest), send them over one connection; (sent, failed)."""
    token, rows = _claim(ids=ids, limit=limit)
    if not rows:
        return 0, 0
    sent, failed = _deliver(rows)
    for notification, error in failed:
        _record_failure(notification, error, token=token)
    notifications_mark_sent(ids=sent, token=token, now=timezone.now())
    return len(sent), len(failed)


def _claim(*, ids: Iterable[int] | None, limit: int) -> tuple[str, list[ReportNotification]]:
    """Take rows with a conditional UPDATE (pending, or claimed too long ago) before anything leaves.

    Two senders over the same rows (the mail thread and the sweep, or two processes) each get the rows their own
    UPDATE changed: on PostgreSQL a sender skips the rows another one is claiming and re-checks the condition on
    rows changed meanwhile, on SQLite writers take turns (`notifications_claim`, one statement).
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    return token, notifications_claim(token=token, now=now, stale_before=now - CLAIM_TIMEOUT,
                                      max_attempts=MAX_ATTEMPTS, limit=limit,
                                      ids=list(ids) if ids is not None else None)


def _deliver(rows: list[ReportNotification]) -> tuple[list[int], list[tuple[ReportNotification, Exception]]]:
    """Send each claimed row over one connection: the ids sent, and the rows refused with their error."""
    sent: list[int] = []
    failed: list[tuple[ReportNotification, Exception]] = []
    mail = get_connection()
    try:
        mail.open()
    except Exception as exc:  # each message below tries again and records its own failure
        logger.warning("mail connection not opened: %s", exc)
    try:
        for notification in rows:
            message = EmailMessage(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL,
                                   [notification.recipient], connection=mail)
            try:
                message.send()
            except Exception as exc:  # any transport failure: keep the row, retry at the next sweep
                logger.warning("notification %s not sent: %s", notification.pk, exc)
                failed.append((notification, exc))
                continue
            sent.append(notification.pk)
    finally:
        mail.close()
    return sent, failed


def _record_failure(notification: ReportNotification, error: Exception, *, token: str) -> None:
    """Give a refused row back to the queue, or give up after MAX_ATTEMPTS."""
    attempts = notification.attempts + 1
    status = NotificationStatus.FAILED if attempts >= MAX_ATTEMPTS else NotificationStatus.PENDING
    ReportNotification.objects.filter(pk=notification.pk, claim_token=token).update(
        attempts=attempts, last_error=str(error)[:300], status=status, claim_token="", claimed_at=None)
