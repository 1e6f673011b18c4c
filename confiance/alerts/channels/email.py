"""E-mail channel: Django's mail backend (SMTP in production), one connection for a batch."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from confiance.alerts.channels import Outgoing, Report

logger = logging.getLogger(__name__)


def _message(item: Outgoing, connection) -> EmailMessage:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return EmailMessage(subject=item.subject, body=item.text, from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[item.address], connection=connection,
                        headers={"Message-ID": f"<{item.key}@{domain}>",
                                 "List-Unsubscribe": f"<{item.unsubscribe_url}>",
                                 "Auto-Submitted": "auto-generated"})


def send_batch(items: Sequence[Outgoing], report: Report) -> None:
    """Send each message over one connection, reporting each as soon as the server took it or refused it."""
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:  # server unreachable: every message waits for its next attempt
        for item in items:
            report(item, f"serveur de courriel injoignable : {error}"[:300])
        return
    try:
        for item in items:
            try:
                sent = connection.send_messages([_message(item, connection)])
            except Exception as error:
                logger.warning("alert e-mail %s not sent: %s", item.key, error)
                report(item, str(error)[:300] or error.__class__.__name__)
                continue
            report(item, None if sent else "refusé par le serveur de courriel")
    finally:
        with contextlib.suppress(Exception):  # a server gone at the end changes nothing to what was sent
            connection.close()
