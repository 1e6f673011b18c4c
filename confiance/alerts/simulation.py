"""Demo simulator step for population alerts: when the demo flood raises the Essonne "alerte" alarm at Mennecy, the
demo operator drafts the alert from it and submits it; the élu ("elu", or the chef de poste "chef") approves and
sends it from the alerts page. One draft per flood: none while a flood alert of the commune is drafted, awaiting
approval or in force."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.models import Agent
from confiance.alerts.choices import AlertStatus, Risk
from confiance.alerts.demo_data import DRAFTER
from confiance.alerts.models import Alert
from confiance.alerts.services.alarms import alert_draft_from_alarm
from confiance.alerts.services.authoring import alert_submit
from confiance.core.errors import ApplicationError
from confiance.devices.choices import AlarmState, DeviceKind, Severity
from confiance.devices.models import Alarm

INTERVAL = 10


def _flood_alarm() -> Alarm | None:
    return (Alarm.objects.filter(device__kind=DeviceKind.WATER_LEVEL, severity__gte=Severity.MAJOR,
                                 resolved_at__isnull=True).exclude(state=AlarmState.RESOLVED)
            .select_related("device").order_by("raised_at").first())


def _flood_alert_open(commune_id: int) -> bool:
    now = timezone.now()
    return Alert.objects.filter(commune_id=commune_id, risk=Risk.FLOOD).filter(
        Q(status__in=[AlertStatus.DRAFT, AlertStatus.AWAITING_APPROVAL])
        | (Q(status=AlertStatus.PUBLISHED) & (Q(expires__isnull=True) | Q(expires__gt=now)))).exists()


def step(*, rng, stdout, now=None) -> None:
    alarm = _flood_alarm()
    if alarm is None or _flood_alert_open(alarm.commune_id):
        return
    agent = Agent.objects.filter(username=DRAFTER, is_active=True).first()
    if agent is None:
        return
    actor = Actor(agent=agent)
    try:
        alert = alert_draft_from_alarm(actor=actor, alarm_id=alarm.pk)
        alert_submit(actor=actor, alert_id=alert.pk)
    except ApplicationError as error:
        stdout.write(f"alertes : brouillon de crue non rédigé ({error.message})")
        return
    stdout.write(f"alertes : crue — brouillon « {alert.headline} » soumis à validation (à valider par « elu »)")
