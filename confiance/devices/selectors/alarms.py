"""Reads of alarms and rules for an actor: the communes where they hold the devices permission, crisis sharings
included; an alarm of another commune is simply not found."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from confiance.accounts.access import Actor
from confiance.devices.access import alarm_get_for_actor, visible_commune_ids
from confiance.devices.models import Alarm, AlarmStep, Rule

MAX_LIMIT = 500


def alarms_for_actor(*, actor: Actor, open_only: bool = True, limit: int = 100,
                     commune_ids: set[int] | None = None) -> QuerySet[Alarm]:
    """The alarms the actor may see, the most severe and the newest first (open ones only by default), at most
    `limit` (1 to 500); `commune_ids` narrows them further."""
    visible = visible_commune_ids(actor)
    if commune_ids is not None:
        visible &= set(commune_ids)
    alarms = (Alarm.objects.filter(commune_id__in=visible)
              .select_related("commune", "rule", "device", "intervention", "acknowledged_by"))
    if open_only:
        alarms = alarms.filter(resolved_at__isnull=True)
    return alarms.order_by("-severity", "-raised_at", "-id")[:max(1, min(limit, MAX_LIMIT))]


def alarm_detail_for_actor(*, actor: Actor, alarm_id: int) -> Alarm:
    """One alarm with its steps (who and when) in order, or "not found"."""
    alarm_get_for_actor(actor=actor, alarm_id=alarm_id)
    return (Alarm.objects.select_related("commune", "rule", "device", "intervention", "acknowledged_by")
            .prefetch_related(Prefetch("steps", queryset=AlarmStep.objects.select_related("by").order_by("at", "id")))
            .get(pk=alarm_id))


def rules_for_actor(*, actor: Actor, commune_ids: set[int] | None = None) -> QuerySet[Rule]:
    """The alarm rules of the communes the actor may see."""
    visible = visible_commune_ids(actor)
    if commune_ids is not None:
        visible &= set(commune_ids)
    return (Rule.objects.filter(commune_id__in=visible).select_related("commune", "device", "zone")
            .order_by("commune__name", "name", "id"))
