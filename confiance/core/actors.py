"""Who performs a write, as services see it: any object with a label and, when it is an agent, the agent.

Services type their `actor` parameter with `Acting` (or `Acting | None` where the system itself may act,
from a command or a sweep). Concrete actors live in the apps that know them: `accounts.access.Actor` (an
agent, possibly narrowed by a token) and `PublicActor` below (a citizen or a client application).
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
    agent = getattr(actor, "agent", actor)
    label = getattr(actor, "label", None) or getattr(agent, "username", "") or SYSTEM_LABEL
    return (agent.pk if agent is not None else None), label
