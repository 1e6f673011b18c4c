"""E-mail channel: Django's mail backend (SMTP in production), one connection for a batch.

Over SMTP the messages of one alert differ only by their recipient, Message-ID and unsubscription link: the
headers common to the batch are encoded once and each message is handed to the open SMTP session as bytes (what
Django's EmailMessage would build: UTF-8, 8bit). Other backends (files in the demo, memory in tests) get Django
EmailMessages."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from email.header import Header
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from confiance.alerts.channels import Outgoing, Report

logger = logging.getLogger(__name__)


def _domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"


def _message(item: Outgoing, connection) -> EmailMessage:
    return EmailMessage(subject=item.subject, body=item.text, from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[item.address], connection=connection,
                        headers={"Message-ID": f"<{item.key}@{_domain()}>",
                                 "List-Unsubscribe": f"<{item.unsubscribe_url}>",
                                 "Auto-Submitted": "auto-generated"})


def _raw(item: Outgoing, date: str, subjects: dict[str, str]) -> bytes:
    subject = subjects.get(item.subject)
    if subject is None:
        subject = subjects[item.subject] = Header(item.subject, "utf-8").encode()
    headers = (f"From: {settings.DEFAULT_FROM_EMAIL}\r\nTo: {item.address}\r\nSubject: {subject}\r\n"
               f"Date: {date}\r\nMessage-ID: <{item.key}@{_domain()}>\r\n"
               f"List-Unsubscribe: <{item.unsubscribe_url}>\r\nAuto-Submitted: auto-generated\r\n"
               "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n"
               "Content-Transfer-Encoding: 8bit\r\n\r\n")
    return headers.encode("ascii", "replace") + item.text.replace("\n", "\r\n").encode("utf-8")


def _send_smtp(connection: SmtpBackend, items: Sequence[Outgoing], report: Report) -> None:
    date, subjects = formatdate(localtime=False), {}
    session = connection.connection
    for item in items:
        try:
            refused = session.sendmail(settings.DEFAULT_FROM_EMAIL, [item.address], _raw(item, date, subjects))
        except Exception as error:
            logger.warning("alert e-mail %s not sent: %s", item.key, error)
            report(item, str(error)[:300] or error.__class__.__name__)
            if not isinstance(error, ValueError):
                with contextlib.suppress(Exception):
                    session.rset()
            continue
        report(item, "refusé par le serveur de courriel" if refused else None)


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
        if isinstance(connection, SmtpBackend) and connection.connection is not None:
            _send_smtp(connection, items, report)
            return
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
