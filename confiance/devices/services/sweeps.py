"""What `confiance devices sweep` runs periodically: silent devices, escalations, the devices' security checks.

Each act is claimed with a conditional UPDATE before it is done, so two sweepers (or a sweeper and an ingestion
worker) never raise the same silence twice nor escalate an alarm twice:
- a silence: the device row is locked while it is still silent (so a batch storing its values either commits
  before, and the device is not silent, or waits and then ends the silence), then its `RuleState` goes from "no
  condition" to "silent since the last message";
- an escalation: `escalated_at` goes from empty to now (`alarm_escalate`).
"""

from __future__ import annotations

import importlib
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.choices import Role
from confiance.accounts.models import Membership
from confiance.devices.choices import RuleKind
from confiance.devices.models import Alarm, Device, Rule, RuleState
from confiance.devices.rules import RuleEntry, active_rules, device_subject
from confiance.devices.services.alarms import Verdict, alarm_escalate, alarm_raise

logger = logging.getLogger(__name__)

HEALTH_MODULE = "confiance.devices.services.health"
BATCH = 500


def _silence_raise(rule: RuleEntry, device_id: int, *, cutoff: datetime, now: datetime) -> bool:
    with transaction.atomic():
        device = (Device.objects.select_for_update(no_key=True)
                  .filter(pk=device_id, active=True, last_seen_at__lt=cutoff)
                  .values_list("name", "last_seen_at", "reporting_interval_s").first())
        if device is None:
            return False  # it spoke in the meantime
        name, seen, interval = device
        assert seen is not None  # filtered on
        if not RuleState.objects.filter(rule_id=rule.id, subject=device_subject(device_id),
                                        condition_since__isnull=True).update(condition_since=seen, last_at=seen):
            return False  # silent already (another sweeper, or an earlier sweep)
        minutes = int((now - seen).total_seconds() // 60)
        message = _("%(rule)s : %(device)s ne donne plus de nouvelles depuis %(minutes)s min (une mesure attendue "
                    "toutes les %(interval)s s).") % {"rule": rule.name, "device": name, "minutes": minutes,
                                                       "interval": interval}
        alarm_raise(verdict=Verdict(rule_id=rule.id, commune_id=rule.commune_id, subject=device_subject(device_id),
                                    device_id=device_id, value=None, message=message, severity=rule.severity,
                                    opens_intervention=rule.opens_intervention), now=now)
    return True


def silence_sweep(*, now: datetime) -> int:
    """Raise an alarm (device state: silent) for each watched device quiet for N reporting intervals. A device
    never heard of is not silent: it has not been put in service yet."""
    cache = active_rules()
    raised = 0
    for rule in cache.rules.values():
        if rule.kind != RuleKind.SILENCE or not cache.members.get(rule.id):
            continue
        quiet = []
        rows = (Device.objects.filter(pk__in=cache.members[rule.id], active=True, last_seen_at__isnull=False)
                .values_list("id", "last_seen_at", "reporting_interval_s"))
        for device_id, seen, interval in rows:
            if seen is None:
                continue
            cutoff = now - timedelta(seconds=max(1, rule.silence_intervals) * interval)
            if seen < cutoff:
                quiet.append((device_id, cutoff))
        if not quiet:
            continue
        RuleState.objects.bulk_create([RuleState(rule_id=rule.id, subject=device_subject(device_id))
                                       for device_id, _cutoff in quiet], ignore_conflicts=True)
        raised += sum(_silence_raise(rule, device_id, cutoff=cutoff, now=now) for device_id, cutoff in quiet)
    return raised


def _mail_chefs(alarm_ids: list[int]) -> None:
    """Tell the chefs de poste by e-mail too, once, after the escalation committed (a failure is logged)."""
    for alarm in Alarm.objects.filter(pk__in=alarm_ids).select_related("commune", "rule"):
        recipients = sorted(set(Membership.objects.filter(
            commune_id=alarm.commune_id, role=Role.SHIFT_SUPERVISOR, agent__is_active=True)
            .exclude(agent__email="").values_list("agent__email", flat=True)))
        if not recipients:
            continue
        subject = _("[Confiance] Alarme non prise en compte : %(rule)s") % {"rule": alarm.rule.name}
        body = _("%(message)s\n\nLevée le %(raised)s, commune de %(commune)s, non prise en compte après %(minutes)s "
                 "min.") % {"message": alarm.message, "raised": timezone.localtime(alarm.raised_at).strftime(
                     "%d/%m/%Y %H:%M"), "commune": alarm.commune.name, "minutes": alarm.rule.escalate_after_min}
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception:  # the live event and the step are the record; the mail is a courtesy
            logger.exception("escalation mail of alarm %s failed", alarm.pk)


def escalation_sweep(*, now: datetime) -> int:
    """Escalate the open alarms nobody acknowledged within their rule's delay, whose condition still holds."""
    escalated: list[int] = []
    for rule_id, minutes in Rule.objects.filter(escalate_after_min__isnull=False).values_list(
            "id", "escalate_after_min"):
        due = (Alarm.objects.filter(rule_id=rule_id, resolved_at__isnull=True, acknowledged_at__isnull=True,
                                    escalated_at__isnull=True, cleared_at__isnull=True,
                                    raised_at__lte=now - timedelta(minutes=minutes or 0))
               .order_by("raised_at").values_list("id", flat=True)[:BATCH])
        escalated += [alarm_id for alarm_id in due if alarm_escalate(alarm_id=alarm_id, now=now)]
    if escalated:
        _mail_chefs(escalated)
    return len(escalated)


def health_sweep(*, now: datetime) -> Any:
    """The devices' security checks (`services/health.py`), when that module is installed."""
    try:
        module = importlib.import_module(HEALTH_MODULE)
    except ModuleNotFoundError as error:
        if error.name != HEALTH_MODULE:
            raise
        return None
    return module.security_sweep(now=now)


def devices_sweep(*, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {"silent": silence_sweep(now=now), "escalated": escalation_sweep(now=now),
            "security": health_sweep(now=now)}
