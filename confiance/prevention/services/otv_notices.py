"""OTV e-mails to the resident: the confirmation with the private link, a notice when a passage notes an anomaly,
a summary after the return.

Notices and summaries are claimed with a conditional UPDATE before they leave (two sweeps, or the sweep and the
send after commit, never send the same one twice); a failed send releases its claim for the next sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from confiance.prevention.choices import PassageOutcome, RegistrationStatus
from confiance.prevention.models import OtvPassage, OtvRegistration

logger = logging.getLogger(__name__)
CLAIM_TIMEOUT = timedelta(minutes=10)


def private_url(token: str) -> str:
    return settings.CONFIANCE_PUBLIC_URL.rstrip("/") + reverse("prevention:otv-manage", args=[token])


def _send(template: str, context: dict, recipient: str) -> bool:
    subject = render_to_string(f"prevention/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"prevention/email/{template}.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except Exception:  # the mail server is down: the notice stays pending for the sweep
        logger.exception("OTV e-mail %s not sent", template)
        return False
    return True


def confirmation_send_on_commit(registration: OtvRegistration, token: str) -> None:
    """The confirmation with the private link, once the registration is committed (the token lives nowhere else)."""
    context = {"registration": registration, "url": private_url(token), "commune": registration.commune.name}
    transaction.on_commit(lambda: _send("otv_confirmation", context, registration.email))


def _claimable(now: datetime, claimed: str, sent: str) -> Q:
    return Q(**{f"{sent}__isnull": True}) & (Q(**{f"{claimed}__isnull": True})
                                             | Q(**{f"{claimed}__lt": now - CLAIM_TIMEOUT}))


def anomaly_notices_send(*, ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Tell residents of the anomalies noted at their homes (the given passages, or every pending one)."""
    now = now or timezone.now()
    rows = OtvPassage.objects.filter(_claimable(now, "notice_claimed_at", "notice_sent_at"),
                                     outcome=PassageOutcome.ANOMALY)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    sent = 0
    for passage_id in list(rows.values_list("pk", flat=True)[:200]):
        claimed = OtvPassage.objects.filter(_claimable(now, "notice_claimed_at", "notice_sent_at"),
                                            pk=passage_id).update(notice_claimed_at=now)
        if not claimed:
            continue
        passage = OtvPassage.objects.select_related("registration__commune").get(pk=passage_id)
        registration = passage.registration
        context = {"registration": registration, "passage": passage, "commune": registration.commune.name,
                   "contact": getattr(getattr(registration.commune, "otv_rules", None), "contact_text", "")}
        if _send("otv_anomaly", context, registration.email):
            OtvPassage.objects.filter(pk=passage_id).update(notice_sent_at=timezone.now())
            sent += 1
        else:
            OtvPassage.objects.filter(pk=passage_id).update(notice_claimed_at=None)
    return sent


def anomaly_notices_send_on_commit(passage: OtvPassage) -> None:
    if passage.outcome == PassageOutcome.ANOMALY:
        transaction.on_commit(lambda: anomaly_notices_send(ids=[passage.pk]))


def return_summaries_send(*, now: datetime | None = None) -> int:
    """After the return date, each resident gets the list of passages made at their home."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = OtvRegistration.objects.filter(_claimable(now, "summary_claimed_at", "summary_sent_at"),
                                         status=RegistrationStatus.ACTIVE, returns_on__lt=today)
    sent = 0
    for registration_id in list(due.values_list("pk", flat=True)[:200]):
        claimed = OtvRegistration.objects.filter(_claimable(now, "summary_claimed_at", "summary_sent_at"),
                                                 pk=registration_id).update(summary_claimed_at=now)
        if not claimed:
            continue
        registration = OtvRegistration.objects.select_related("commune").get(pk=registration_id)
        passages = list(registration.passages.order_by("passed_at"))
        context = {"registration": registration, "passages": passages, "commune": registration.commune.name,
                   "anomalies": sum(p.outcome == PassageOutcome.ANOMALY for p in passages)}
        if _send("otv_summary", context, registration.email):
            OtvRegistration.objects.filter(pk=registration_id).update(summary_sent_at=timezone.now())
            sent += 1
        else:
            OtvRegistration.objects.filter(pk=registration_id).update(summary_claimed_at=None)
    return sent


def otv_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """One pass of the OTV sweep: pending anomaly notices, then the summaries due."""
    return {"anomalies": anomaly_notices_send(now=now), "summaries": return_summaries_send(now=now)}
