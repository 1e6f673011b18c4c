"""What an actor may do and see: permissions per commune, from memberships and token scopes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from confiance.accounts.choices import ROLE_PERMISSIONS, SECOND_FACTOR_ROLES, Permission
from confiance.accounts.models import Agent, ApiToken, Membership
from confiance.core.actors import Authorised
from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.territory.models import Commune

# Session entry: whether this signed-in agent must pass the second factor, and the rights revision and policy it
# was computed from (recomputed on every request whose agent's revision or whose policy differs).
SECOND_FACTOR_SESSION_KEY = "confiance_2fa_required"
SECOND_FACTOR_POLICY = ",".join(sorted(SECOND_FACTOR_ROLES))


@dataclass
class Actor:
    """An authenticated agent, possibly acting through an API token that narrows their rights."""

    agent: Agent
    token: ApiToken | None = None
    _grants: dict[int, frozenset[Permission]] | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        suffix = f" (jeton {self.token.prefix})" if self.token else ""
        return f"{self.agent.username}{suffix}"

    def grants(self) -> dict[int, frozenset[Permission]]:
        """Permissions per commune id, computed once per actor."""
        if self._grants is None:
            self._grants = _compute_grants(self.agent, self.token)
        return self._grants

    def commune_ids(self, permission: Permission | str) -> frozenset[int]:
        """The communes where the actor holds a permission."""
        return frozenset(cid for cid, perms in self.grants().items() if permission in perms)

    def can(self, permission: Permission | str, commune_id: int | None) -> bool:
        return commune_id is not None and permission in self.grants().get(commune_id, frozenset())

    def can_anywhere(self, permission: Permission | str) -> bool:
        return any(permission in perms for perms in self.grants().values())

    def require(self, permission: Permission | str, commune_id: int | None) -> None:
        """Raise unless the actor holds the permission in the commune.

        An actor who cannot even see the commune gets "not found", so ids of other
        communes reveal nothing.
        """
        if self.can(permission, commune_id):
            return
        if self.can(Permission.TERRITORY_VIEW, commune_id):
            raise PermissionDeniedError()
        raise NotFoundError()


def _compute_grants(agent: Agent, token: ApiToken | None) -> dict[int, frozenset[Permission]]:
    if not agent.is_active:
        return {}
    grants: dict[int, set[Permission]] = {}
    if agent.is_superuser:
        every = set(Permission)
        grants = {commune_id: set(every) for commune_id in Commune.objects.values_list("id", flat=True)}
    for commune_id, role in Membership.objects.filter(agent=agent).values_list("commune_id", "role"):
        grants.setdefault(commune_id, set()).update(ROLE_PERMISSIONS.get(role, frozenset()))
    if token is not None:
        allowed_communes = set(token.communes.values_list("id", flat=True))
        allowed_permissions = set(token.permissions)
        grants = {
            cid: perms & allowed_permissions for cid, perms in grants.items() if cid in allowed_communes
        }
    return {cid: frozenset(perms) for cid, perms in grants.items() if perms}


def requires_second_factor(agent: Agent) -> bool:
    """Chef de poste, DPO, administrator (and superusers) must pass TOTP."""
    if agent.is_superuser:
        return True
    return Membership.objects.filter(agent=agent, role__in=list(SECOND_FACTOR_ROLES)).exists()


def second_factor_required_now(session, agent: Agent) -> bool:
    """Whether the agent must pass TOTP on this request.

    Evaluated on every request: the answer kept in the session stands only while the agent's rights revision
    (raised by any membership, activation or superuser change) and the list of sensitive roles are those it was
    computed from, so a promotion takes effect at the next request, not the next login. No query while unchanged.
    """
    stamp = [agent.access_revision, SECOND_FACTOR_POLICY]
    cached = session.get(SECOND_FACTOR_SESSION_KEY)
    if isinstance(cached, dict) and cached.get("stamp") == stamp:
        return bool(cached.get("required"))
    required = requires_second_factor(agent)
    session[SECOND_FACTOR_SESSION_KEY] = {"stamp": stamp, "required": required}
    return required


def can_issue_enrolment_link(actor: Actor, agent: Agent) -> bool:
    """Superusers for anyone; an administrator (accounts.manage) for agents holding a role in one of their communes."""
    if actor.agent.is_superuser and actor.agent.is_active and actor.token is None:
        return True
    managed = actor.commune_ids(Permission.ACCOUNTS_MANAGE)
    if not managed or agent.is_superuser:
        return False
    return Membership.objects.filter(agent=agent, commune_id__in=managed).exists()


if TYPE_CHECKING:
    def _actor_is_authorised(actor: Actor) -> Authorised:
        """Lets mypy check that Actor satisfies the protocol territory and others type their actors with."""
        return actor
