"""Who receives which live event, and under which label, from what each installed app declares.

An app's `events.py` lists its event families in `LIVE_EVENT_FAMILIES`: a prefix ("operations." for every
event type that starts with it, or one whole event type), the permission a receiver needs in the event's
commune, whether a crisis sharing between communes widens it, and the French label of each event type shown
to agents. The kernel finds these modules the way it finds `retention.py` and `demo_data.py` (one module name
in every installed app), so a new app adds events without editing anyone else's code. Core imports no domain
app: the actor is anything with `commune_ids(permission)`, and the crisis widening comes in as a callable from
the caller that knows the sharings (the SSE endpoint of the console).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType
from typing import Any, Protocol

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from confiance.core.live import StreamFilter

DECLARATIONS_MODULE = "events"
DECLARATIONS_NAME = "LIVE_EVENT_FAMILIES"
SCOPES_NAME = "LIVE_STREAM_SCOPES"

CommuneWidening = Callable[[set[int]], set[int]]
# A stream scope narrows what a viewer's stream carries (never widens it): (viewer, their filter) -> narrower filter.
StreamScope = Callable[[Any, StreamFilter], StreamFilter]


class LiveViewer(Protocol):
    """Whoever follows the stream: the communes where they hold a permission."""

    def commune_ids(self, permission: Any) -> Collection[int]: ...


@dataclass(frozen=True)
class EventFamily:
    """Live events whose type starts with `prefix`, received by holders of `permission` in their commune."""

    prefix: str
    permission: str
    crisis_shared: bool = False
    labels: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        strays = [event_type for event_type in self.labels if not event_type.startswith(self.prefix)]
        if strays:
            raise ValueError(f"Labels outside the family {self.prefix!r}: {strays}")


def _declaring_modules() -> list[ModuleType]:
    modules = []
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, DECLARATIONS_MODULE):
            modules.append(import_module(f"{app_config.name}.{DECLARATIONS_MODULE}"))
    return modules


def declared_families(modules: Iterable[ModuleType] | None = None) -> list[EventFamily]:
    """Every family the installed apps declare, the most specific prefix first (it decides)."""
    families = [family for module in (_declaring_modules() if modules is None else modules)
                for family in getattr(module, DECLARATIONS_NAME, ())]
    prefixes = [family.prefix for family in families]
    duplicates = sorted({prefix for prefix in prefixes if prefixes.count(prefix) > 1})
    if duplicates:
        raise ValueError(f"Live event families declared twice: {duplicates}")
    return sorted(families, key=lambda family: (-len(family.prefix), family.prefix))


def _no_widening(commune_ids: set[int]) -> set[int]:
    return commune_ids


def stream_filter_for(viewer: LiveViewer, *, crisis_widening: CommuneWidening = _no_widening,
                      families: list[EventFamily] | None = None) -> StreamFilter:
    """What a viewer's stream may carry: each family only in the communes where they hold its permission."""
    allowed_by_rule: dict[tuple[str, bool], frozenset[int]] = {}
    restricted = []
    for family in declared_families() if families is None else families:
        rule = (family.permission, family.crisis_shared)
        if rule not in allowed_by_rule:
            own = set(viewer.commune_ids(family.permission))
            allowed_by_rule[rule] = frozenset(crisis_widening(own) if own and family.crisis_shared else own)
        restricted.append((family.prefix, allowed_by_rule[rule]))
    every = frozenset().union(*allowed_by_rule.values())
    return StreamFilter(commune_ids=every, restricted=tuple(restricted))


def event_labels(families: list[EventFamily] | None = None) -> dict[str, str]:
    """French label of every event type agents see in the live feed, in the active language."""
    return {event_type: str(label) for family in (declared_families() if families is None else families)
            for event_type, label in family.labels.items()}


def declared_scopes(modules: Iterable[ModuleType] | None = None) -> dict[str, StreamScope]:
    """The stream scopes the installed apps declare in `LIVE_STREAM_SCOPES` (name -> narrowing), e.g. "terrain"."""
    scopes: dict[str, StreamScope] = {}
    for module in _declaring_modules() if modules is None else modules:
        for name, scope in getattr(module, SCOPES_NAME, {}).items():
            if name in scopes:
                raise ValueError(f"Live stream scope declared twice: {name!r}")
            scopes[name] = scope
    return scopes


def scoped_stream_filter(viewer: Any, base: StreamFilter, scope: StreamScope) -> StreamFilter:
    """A scope's filter, kept within the viewer's own: a scope can only take events away."""
    narrowed = scope(viewer, base)
    return StreamFilter(commune_ids=base.commune_ids & narrowed.commune_ids,
                        include_platform=base.include_platform and narrowed.include_platform,
                        restricted=base.restricted, only=narrowed.only)
