"""Who may see and handle what in hypervision: an actor's communes for a devices permission, widened by active
crisis sharings, and the get-for-actor checks every interface goes through (another commune's object is simply not
found)."""

from __future__ import annotations

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.devices.models import Alarm, Device, Gateway, Rule
from confiance.territory.selectors import crisis_shared_with


def visible_commune_ids(actor: Actor, permission: Permission = Permission.DEVICES_VIEW) -> set[int]:
    """The actor's communes for this permission, widened by active crisis sharings (sensors and alarms of the
    communes in crisis together are shared, like their units)."""
    own = actor.commune_ids(permission)
    return crisis_shared_with(own) if own else set()


def require_visible(actor: Actor, commune_id: int, permission: Permission = Permission.DEVICES_VIEW) -> None:
    """Raise unless the actor holds the permission for this commune (crisis sharing included): "not found" when
    the actor cannot even see the commune's devices, "permission denied" when it sees but may not act."""
    if commune_id not in visible_commune_ids(actor, permission):
        if commune_id in visible_commune_ids(actor):
            actor.require(permission, commune_id)  # raises "permission denied"
        raise NotFoundError()


def device_get_for_actor(*, actor: Actor, device_id: int) -> Device:
    device = Device.objects.select_related("commune", "gateway").filter(pk=device_id).first()
    if device is None or device.commune_id not in visible_commune_ids(actor):
        raise NotFoundError()
    return device


def gateway_get_for_actor(*, actor: Actor, gateway_id: int) -> Gateway:
    gateway = Gateway.objects.select_related("commune").filter(pk=gateway_id).first()
    if gateway is None or gateway.commune_id not in visible_commune_ids(actor):
        raise NotFoundError()
    return gateway


def alarm_get_for_actor(*, actor: Actor, alarm_id: int) -> Alarm:
    alarm = Alarm.objects.select_related("commune", "rule", "device").filter(pk=alarm_id).first()
    if alarm is None or alarm.commune_id not in visible_commune_ids(actor):
        raise NotFoundError()
    return alarm


def rule_get_for_actor(*, actor: Actor, rule_id: int) -> Rule:
    rule = Rule.objects.select_related("commune", "device", "zone").filter(pk=rule_id).first()
    if rule is None or rule.commune_id not in visible_commune_ids(actor):
        raise NotFoundError()
    return rule
