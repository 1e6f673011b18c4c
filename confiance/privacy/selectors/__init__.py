"""Reads of the audit journal, limited to the communes where the actor may audit."""

from collections.abc import Collection
from typing import Any, Protocol

from django.db.models import Q, QuerySet

from confiance.privacy.choices import AUDIT_VIEW_PERMISSION
from confiance.privacy.models import AuditEntry


class Auditor(Protocol):
    """Who reads the journal (accounts' Actor): an agent, perhaps through a token, with communes per right."""

    agent: Any
    token: Any

    def commune_ids(self, permission: Any) -> Collection[int]: ...


def audit_list_for_actor(*, actor: Auditor, action: str = "", target_type: str = "", target_id: str = "",
                         kind: str = "") -> QuerySet[AuditEntry]:
    """Journal entries of the communes the actor audits (platform-wide entries for superusers), newest first."""
    communes = actor.commune_ids(AUDIT_VIEW_PERMISSION)
    scope = Q(commune_id__in=communes)
    if actor.agent.is_superuser and actor.token is None:
        scope |= Q(commune_id__isnull=True)
    entries = AuditEntry.objects.filter(scope)
    if action:
        entries = entries.filter(action=action)
    if target_type:
        entries = entries.filter(target_type=target_type)
    if target_id:
        entries = entries.filter(target_id=target_id)
    if kind:
        entries = entries.filter(kind=kind)
    return entries.order_by("-id")  # sequences count within a chain; ids follow the order of writing
