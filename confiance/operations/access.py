"""Who may see and drive what in police operations: an actor's communes widened by crisis sharings, and the
get-for-actor checks every interface goes through (another commune's object is simply not found)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.operations.models import Assignment, Intervention, LogEntry, PoolingAgreement, Unit, UnitMessage
from confiance.territory.selectors import crisis_shared_with


def visible_commune_ids(actor: Actor, permission: Permission = Permission.OPERATIONS_VIEW) -> set[int]:
    """The actor's communes for this permission, widened by active crisis sharings."""
    own = actor.commune_ids(permission)
    return crisis_shared_with(own) if own else set()


def require_visible(actor: Actor, commune_id: int, permission: Permission = Permission.OPERATIONS_VIEW) -> None:
    """Raise unless the actor holds the permission for this commune (crisis sharing included)."""
    if commune_id not in visible_commune_ids(actor, permission):
        if actor.can(Permission.OPERATIONS_VIEW, commune_id):
            actor.require(permission, commune_id)  # raises "permission denied"
        raise NotFoundError()


def pooling_partners(commune_ids: set[int] | frozenset[int], on: date | None = None) -> dict[int, str]:
    """Communes that a pooling agreement in force on this day links to any of these communes (them excluded),
    each with the reference of one such agreement."""
    on = on or timezone.localdate()
    in_force = (PoolingAgreement.objects.filter(communes__in=commune_ids, starts_on__lte=on)
                .exclude(ends_on__lt=on).values("pk"))
    members = (PoolingAgreement.communes.through.objects.filter(poolingagreement_id__in=in_force)
               .order_by("poolingagreement__starts_on", "poolingagreement_id")
               .values_list("commune_id", "poolingagreement__reference"))  # one statement
    partners: dict[int, str] = {}
    for commune_id, reference in members:
        if commune_id not in commune_ids:
            partners.setdefault(commune_id, reference)
    return partners


def units_shareable(commune_a: int, commune_b: int) -> bool:
    """Whether a unit of one commune may act in the other: same commune, an active crisis sharing, or a pooling
    agreement in force."""
    return (commune_a == commune_b or commune_b in crisis_shared_with({commune_a})
            or commune_b in pooling_partners({commune_a}))


def unit_get_for_engagement(*, actor: Actor, unit_id: int, intervention: Intervention) -> Unit:
    """A unit the actor may engage on this intervention: one it sees, or one of a commune pooled with the
    intervention's (a pooling agreement lends units, not the rest of the commune's data); else NotFoundError."""
    unit = Unit.objects.select_related("status", "commune").filter(pk=unit_id).first()
    if unit is None:
        raise NotFoundError()
    if unit.commune_id not in visible_commune_ids(actor) and (
            unit.commune_id not in pooling_partners({intervention.commune_id})):
        raise NotFoundError()
    return unit


def may_drive(actor: Actor, unit: Unit) -> bool:
    """Dispatchers of a commune that sees the unit, or a member of the crew with the field permission."""
    if unit.commune_id in visible_commune_ids(actor, Permission.OPERATIONS_DISPATCH):
        return True
    return actor.can(Permission.OPERATIONS_FIELD, unit.commune_id) and unit.agents.filter(pk=actor.agent.pk).exists()


def handles_intervention(actor: Actor, intervention: Intervention) -> bool:
    """Whether the actor handles this intervention, which is what the caller's details are collected for: a
    dispatcher of its own commune (a crisis sharing lends units, not callers), or a crew member of a unit engaged
    on it."""
    if actor.can(Permission.OPERATIONS_DISPATCH, intervention.commune_id):
        return True
    agent = getattr(actor, "agent", None)
    return agent is not None and Assignment.objects.filter(
        intervention_id=intervention.pk, finished_at__isnull=True, unit__agents=agent).exists()


def unit_get_for_actor(*, actor: Actor, unit_id: int) -> Unit:
    """A unit the actor may see, or NotFoundError."""
    unit = Unit.objects.select_related("status", "commune").filter(pk=unit_id).first()
    if unit is None or unit.commune_id not in visible_commune_ids(actor):
        raise NotFoundError()
    return unit


def intervention_get_for_actor(*, actor: Actor, intervention_id: int) -> Intervention:
    """An intervention the actor may see, or NotFoundError."""
    intervention = (Intervention.objects.select_related("intervention_type", "commune")
                    .filter(pk=intervention_id).first())
    if intervention is None or intervention.commune_id not in visible_commune_ids(actor):
        raise NotFoundError()
    return intervention


def assignment_get_for_actor(*, actor: Actor, assignment_id: int) -> Assignment:
    """An engagement on an intervention the actor may see, or NotFoundError."""
    assignment = Assignment.objects.select_related("intervention").filter(pk=assignment_id).first()
    if assignment is None or assignment.intervention.commune_id not in visible_commune_ids(actor):
        raise NotFoundError()
    return assignment


def log_entry_get_for_actor(*, actor: Actor, entry_id: int) -> LogEntry:
    """A main courante entry of the actor's own communes (the logbook is not shared in crisis mode)."""
    entry = LogEntry.objects.select_related("nature", "commune", "author").filter(pk=entry_id).first()
    if entry is None or not actor.can(Permission.OPERATIONS_VIEW, entry.commune_id):
        raise NotFoundError()
    return entry


def unit_message_get_for_actor(*, actor: Actor, message_id: int) -> UnitMessage:
    """A message to a unit the actor may see, or NotFoundError."""
    message = UnitMessage.objects.select_related("unit").filter(pk=message_id).first()
    if message is None or message.unit.commune_id not in visible_commune_ids(actor):
        raise NotFoundError()
    return message
