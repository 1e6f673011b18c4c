"""Reference data every submission reads, kept per process: a commune's active categories with their questions,
its routing rules with their destinations, and the client applications met so far.

Any save or delete of the models behind them (the admin's included) appends a ConfigurationRevision row in the
same transaction (signals connected in apps.py). A submission reads the newest configuration and territory
revisions in one statement (confiance.core.revisions) and drops every snapshot built under other revisions, so a
change made in any process is seen by the next submission in every process.

Cached model instances are shared between request threads and must be treated as read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models.signals import m2m_changed, post_delete, post_save

from confiance.core.revisions import Revision, RevisionedCache, Revisions
from confiance.reports.models import (
    Category,
    CategoryAttribute,
    ClientApplication,
    ConfigurationRevision,
    Destination,
    RoutingRule,
)
from confiance.territory.models import Commune, TerritoryRevision


@dataclass(frozen=True)
class CommuneSetup:
    commune: Commune
    categories: dict[str, Category]  # active categories by service code, questions loaded
    rules: tuple[RoutingRule, ...]  # active rules in order, destinations loaded


@dataclass(frozen=True)
class ClientSetup:
    client: ClientApplication
    commune_ids: frozenset[int]  # empty: the whole territory


class Reference:
    """The reference data of one configuration and territory revision, filled as it is asked for."""

    def __init__(self, revisions: Revisions) -> None:
        self.revisions = revisions  # (configuration, territory)
        self._communes: dict[int, CommuneSetup | None] = {}
        self._clients: dict[str, ClientSetup] = {}

    @property
    def territory_revision(self) -> Revision:
        """The newest territory revision, for the territory's point lookup."""
        return self.revisions[1]

    def commune(self, commune_id: int) -> CommuneSetup | None:
        """A commune's submission setup (None for an unknown commune)."""
        if commune_id not in self._communes:
            self._communes[commune_id] = _commune_setup(commune_id)
        return self._communes[commune_id]

    def client(self, key_hash: str) -> ClientSetup | None:
        """The active client application with this key hash; unknown keys are not kept."""
        found = self._clients.get(key_hash)
        if found is None:
            client = ClientApplication.objects.filter(key_hash=key_hash, active=True).first()
            if client is None:
                return None
            found = ClientSetup(client, frozenset(client.communes.values_list("id", flat=True)))
            if len(self._clients) < 1000:
                self._clients[key_hash] = found
        return found

    def client_commune_ids(self, client: ClientApplication) -> frozenset[int]:
        """The communes a client application may submit to (empty: the whole territory)."""
        found = self.client(client.key_hash)
        if found is not None and found.client.pk == client.pk:
            return found.commune_ids
        return frozenset(client.communes.values_list("id", flat=True))


def _commune_setup(commune_id: int) -> CommuneSetup | None:
    commune = Commune.objects.only("id", "name", "insee_code").filter(pk=commune_id).first()
    if commune is None:
        return None
    categories = Category.objects.filter(commune_id=commune_id, active=True).prefetch_related("attributes")
    rules = (RoutingRule.objects.filter(commune_id=commune_id, active=True).prefetch_related("destinations")
             .order_by("position", "id"))
    return CommuneSetup(commune=commune, categories={category.service_code: category for category in categories},
                        rules=tuple(rules))


# current() hands out the Reference of the current revisions; one read of the revisions per call.
reference_cache: RevisionedCache[Reference] = RevisionedCache(ConfigurationRevision, TerritoryRevision,
                                                              build=Reference)


def _configuration_changed(sender, **kwargs) -> None:
    if kwargs.get("action", "post_").startswith("post_"):
        ConfigurationRevision.objects.create()


TRACKED = (Category, CategoryAttribute, Destination, RoutingRule, ClientApplication, Commune)


def connect_signals() -> None:
    for model in TRACKED:
        post_save.connect(_configuration_changed, sender=model, dispatch_uid=f"reports-config-save-{model.__name__}")
        post_delete.connect(_configuration_changed, sender=model,
                            dispatch_uid=f"reports-config-delete-{model.__name__}")
    for through in (RoutingRule.destinations.through, ClientApplication.communes.through):
        m2m_changed.connect(_configuration_changed, sender=through,
                            dispatch_uid=f"reports-config-m2m-{through.__name__}")
