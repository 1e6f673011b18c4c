"""Who may see and act on an alert: the agents of its commune holding the alerts permissions."""

from __future__ import annotations

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.alerts.models import Alert
from confiance.core.errors import NotFoundError


def alert_get_for_actor(*, actor: Actor, alert_id: int, permission: Permission = Permission.ALERTS_VIEW,
                        lock: bool = False) -> Alert:
    """The alert if the actor holds `permission` in its commune; "not found" if it cannot even see it."""
    rows = Alert.objects.select_related("commune", "author", "approver")
    if lock:
        rows = rows.select_for_update(of=("self",), no_key=True)
    alert = rows.filter(pk=alert_id).first()
    if alert is None or not actor.can(Permission.ALERTS_VIEW, alert.commune_id):
        raise NotFoundError()
    actor.require(permission, alert.commune_id)
    return alert
