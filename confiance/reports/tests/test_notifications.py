"""E-mails of reports: sent together, retried, given up."""


import pytest
from django.core import mail
from django.core.mail.backends import locmem

from confiance.reports.choices import NotificationStatus
from confiance.reports.drafts import Reporter
from confiance.reports.models import ReportNotification
from confiance.reports.notifications import MAX_ATTEMPTS, notification_send
from confiance.reports.tests.factories import make_world, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


class CountingBackend(locmem.EmailBackend):
    """The test mail transport: counts connections opened and refuses mail to addresses containing "panne"."""

    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return True

    def send_messages(self, messages):
        if any("panne" in address for message in messages for address in message.to):
            raise ConnectionRefusedError("serveur de messagerie injoignable")
        return super().send_messages(messages)


def test_notifications_leave_together_over_one_connection(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    mail.outbox = []
    CountingBackend.opened = 0
    for index in range(3):
        submit(world, description=f"n° {index}", reporter=Reporter(email=f"ana{index}@example.org", consent=True))
    queued = ReportNotification.objects.count()  # the reporters' receipts and the services' e-mails
    assert queued >= 3 and notification_send() == (queued, 0)
    assert CountingBackend.opened == 1
    assert {f"ana{i}@example.org" for i in range(3)} <= {message.to[0] for message in mail.outbox}
    assert len(mail.outbox) == queued
    sent = ReportNotification.objects.all()
    assert {(n.status, n.attempts) for n in sent} == {(NotificationStatus.SENT, 1)}
    assert all(n.sent_at is not None for n in sent)
    assert notification_send() == (0, 0)  # nothing is sent twice


def test_a_refused_notification_is_retried_then_given_up_the_others_leave(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    mail.outbox = []
    submit(world, description="a", reporter=Reporter(email="ana@example.org", consent=True))
    submit(world, description="b", reporter=Reporter(email="panne@example.org", consent=True))
    assert notification_send() == (ReportNotification.objects.count() - 1, 1)
    refused = ReportNotification.objects.get(recipient="panne@example.org")
    assert refused.status == NotificationStatus.PENDING and refused.attempts == 1
    assert "injoignable" in refused.last_error
    for _ in range(MAX_ATTEMPTS - 1):
        notification_send()
    refused.refresh_from_db()
    assert refused.status == NotificationStatus.FAILED and refused.attempts == MAX_ATTEMPTS
    assert ["ana@example.org"] in [message.to for message in mail.outbox]
    assert ["panne@example.org"] not in [message.to for message in mail.outbox]
