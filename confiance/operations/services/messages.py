"""Messages from the post to a unit's crew: sent by a dispatcher or the chef de poste, acknowledged ("Lu") by
a crew member; both reach the field page live and, when it is closed, as a Web Push notification."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.live import publish_on_commit
from confiance.operations.access import require_visible
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.events import UnitMessageSent
from confiance.operations.models import Unit, UnitMessage
from confiance.operations.push import push_notify_unit
from confiance.operations.services.common import check_sensitive, check_text, now_utc
from confiance.privacy.services import audit_record

MESSAGE_MAX_LENGTH = 500


def _agent_name(agent) -> str:
    return (agent.get_full_name() or agent.username) if agent is not None else ""


def unit_message_event(message: UnitMessage) -> UnitMessageSent:
    """The live event of a message (sent, or acknowledged)."""
    return UnitMessageSent(
        id=message.pk, unit_id=message.unit_id, unit=message.unit.name, text=message.text,
        sent_by=_agent_name(message.sent_by), sent_at=message.sent_at.isoformat(),
        acknowledged_by=_agent_name(message.acknowledged_by),
        acknowledged_at=message.acknowledged_at.isoformat() if message.acknowledged_at else None)


@transaction.atomic
def unit_message_send(*, actor: Actor, unit: Unit, text: str, acknowledge_sensitive: bool = False) -> UnitMessage:
    """Send a message to a unit's crew (dispatch permission in the unit's commune, crisis sharing included)."""
    require_visible(actor, unit.commune_id, Permission.OPERATIONS_DISPATCH)
    text = check_text(text, _("Message"), limit=MESSAGE_MAX_LENGTH)
    if not text:
        raise OperationsError(OperationsErrorCode.TEXT_EMPTY, _("Le message est vide."))
    if not unit.active:
        raise OperationsError(OperationsErrorCode.UNIT_UNAVAILABLE,
                              _("L'unité %(unit)s n'est plus active.") % {"unit": unit.name}, status_code=409)
    check_sensitive([text], acknowledge_sensitive)
    message = UnitMessage.objects.create(commune_id=unit.commune_id, unit=unit, text=text, sent_by=actor.agent,
                                         sent_at=now_utc())
    audit_record(actor=actor, action="operations.unit_message", target=unit, commune_id=unit.commune_id,
                 extra={"message": message.pk, "unit": unit.name, "length": len(text)})
    publish_on_commit(unit_message_event(message), commune_id=unit.commune_id)
    push_notify_unit(unit=unit, title=_("Message du poste"), body=text, tag=f"message-{message.pk}")
    return message


@transaction.atomic
def unit_message_acknowledge(*, actor: Actor, message: UnitMessage) -> UnitMessage:
    """A crew member marks the message read ("Lu"); the first acknowledgement stands."""
    message = (UnitMessage.objects.select_for_update(of=("self",), no_key=True).select_related("unit", "sent_by")
               .get(pk=message.pk))
    unit = message.unit
    if not (actor.can(Permission.OPERATIONS_FIELD, unit.commune_id) and unit.agents.filter(pk=actor.agent.pk).exists()):
        raise OperationsError(OperationsErrorCode.MESSAGE_NOT_CREW,
                              _("Seul un membre de l'équipage peut marquer ce message comme lu."), status_code=403)
    if message.acknowledged_at is not None:
        return message
    message.acknowledged_by, message.acknowledged_at = actor.agent, now_utc()
    message.save(update_fields=["acknowledged_by", "acknowledged_at"])
    audit_record(actor=actor, action="operations.unit_message_read", target=unit, commune_id=unit.commune_id,
                 extra={"message": message.pk, "unit": unit.name})
    publish_on_commit(unit_message_event(message), commune_id=unit.commune_id)
    return message
