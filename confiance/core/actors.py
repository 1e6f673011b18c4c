"""Who performs a write, as services see it: any object with a label and, when it is an agent, the agent.

Services type their `actor` parameter with `Acting` (or `Acting | None` where the system itself may act,
from a command or a sweep). Concrete actors live in the apps that know them: `accounts.access.Actor` (an
agent, possibly narrowed by a token) and `PublicActor` below (a citizen or a client application).
Apps that check permissions without depending on accounts type their actor with `Authorised`; permissions are
their plain string values (accounts' `Permission` is a StrEnum of those strings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

SYSTEM_LABEL = "système"


@runtime_checkable
class Acting(Protocol):
    """The shape every actor shares: what the journal writes as its author."""

    @property
    def label(self) -> str: ...

    @property
    def agent(self) -> Any: ...


class Staff(Protocol):
    """The agent behind an authorised actor, as far as the apps read it."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_superuser(self) -> bool: ...


class Authorised(Acting, Protocol):
    """An actor whose permissions are known per commune (`accounts.access.Actor` satisfies it)."""

    @property
    def agent(self) -> Staff: ...

    def commune_ids(self, permission: str) -> frozenset[int]: ...

    def can(self, permission: str, commune_id: int | None) -> bool: ...

    def require(self, permission: str, commune_id: int | None) -> None: ...


@dataclass(frozen=True)
class PublicActor:
    """Someone without an account: a citizen on the public site, or an Open311 client application."""

    label: str
    agent: None = None


def actor_fields(actor: Acting | Any | None) -> tuple[int | None, str]:
    """(agent id, label) of an actor, of a bare agent (the admin passes `request.user`), or of the system when
    there is none (a command, a sweep)."""
    if actor is None:
        return None, SYSTEM_LABEL
    agent: Any = getattr(actor, "agent", actor)
    label = getattr(actor, "label", None) or getattr(agent, "username", "") or SYSTEM_LABEL
    return (agent.pk if agent is not None else None), label
