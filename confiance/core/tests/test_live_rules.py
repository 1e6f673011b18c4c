"""The stream filter and the feed labels built from the apps' events.py declarations."""

from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from confiance.core.live import read_events_after
from confiance.core.live_rules import EventFamily, declared_families, event_labels, stream_filter_for
from confiance.core.models import OutboxEvent

WITH_NEW_APP = override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "confiance.core.tests.live_app"])
POLICE_COMMUNE, FOLLOWED_COMMUNE, SHARED_COMMUNE, STRANGER_COMMUNE = 1, 2, 3, 4


@dataclass
class Viewer:
    """An actor as core sees it: the communes where it holds each permission."""

    grants: dict[str, set[int]] = field(default_factory=lambda: {
        "live.view": {POLICE_COMMUNE, FOLLOWED_COMMUNE}, "operations.view": {POLICE_COMMUNE}})
    asked: list[str] = field(default_factory=list)

    def commune_ids(self, permission) -> frozenset[int]:
        self.asked.append(str(permission))
        return frozenset(self.grants.get(str(permission), set()))


def crisis_widening(commune_ids: set[int]) -> set[int]:
    return commune_ids | {SHARED_COMMUNE} if POLICE_COMMUNE in commune_ids else commune_ids


def test_every_installed_app_declares_its_families_and_core_the_rest():
    prefixes = [family.prefix for family in declared_families()]
    assert set(prefixes) == {"operations.", "reports.", "territory.", "devices.", "devices.alarm_escalated",
                             "devices.detection", "alerts.", "crisis.", "prevention.participation.",
                             "prevention.reserve.", ""}
    assert prefixes[-1] == ""  # the kernel's catch-all decides last


def test_the_home_page_labels_come_from_the_declarations_in_french():
    with translation.override("fr"):
        labels = event_labels()
    assert labels["reports.created"] == "Nouveau signalement"
    assert labels["operations.intervention_created"] == "Nouvelle intervention"
    assert labels["territory.zone_created"] == "Zone créée"
    assert "operations.units_moved" not in labels  # filtered like its family, never shown in the feed


def test_police_events_follow_the_operations_permission_widened_by_crisis_sharing():
    stream_filter = stream_filter_for(Viewer(), crisis_widening=crisis_widening)
    assert stream_filter.allows(POLICE_COMMUNE, "operations.intervention_created")
    assert stream_filter.allows(SHARED_COMMUNE, "operations.unit")
    assert not stream_filter.allows(FOLLOWED_COMMUNE, "operations.log_entry")
    assert stream_filter.allows(FOLLOWED_COMMUNE, "reports.created")
    assert not stream_filter.allows(SHARED_COMMUNE, "reports.created")  # sharing widens police data only
    assert stream_filter.allows(FOLLOWED_COMMUNE, "anything.undeclared")
    assert not stream_filter.allows(STRANGER_COMMUNE, "anything.undeclared")
    assert stream_filter.commune_ids == {POLICE_COMMUNE, FOLLOWED_COMMUNE, SHARED_COMMUNE}


def test_one_permission_is_asked_once_however_many_families_need_it():
    viewer = Viewer()
    stream_filter_for(viewer, crisis_widening=crisis_widening)
    assert sorted(viewer.asked) == ["alerts.view", "crisis.view", "devices.manage", "devices.view", "live.view",
                                    "operations.view", "prevention.view", "reserve.manage", "video.review"]


@WITH_NEW_APP
def test_a_new_app_adds_a_family_without_editing_anyone_else():
    stream_filter = stream_filter_for(Viewer(), crisis_widening=crisis_widening)
    assert stream_filter.allows(POLICE_COMMUNE, "sirens.sent")
    assert stream_filter.allows(SHARED_COMMUNE, "sirens.sent")
    assert not stream_filter.allows(FOLLOWED_COMMUNE, "sirens.sent")
    # the more specific prefix decides, whatever the order of declaration
    assert stream_filter.allows(FOLLOWED_COMMUNE, "sirens.public_notice")
    assert not stream_filter.allows(SHARED_COMMUNE, "sirens.public_notice")
    with translation.override("fr"):
        labels = event_labels()
    assert labels["sirens.sent"] == "Alerte diffusée" and labels["sirens.public_notice"] == "Avis public"
    assert labels["reports.created"] == "Nouveau signalement"


def test_without_the_new_app_its_events_fall_to_the_kernel_rule():
    stream_filter = stream_filter_for(Viewer(), crisis_widening=crisis_widening)
    assert stream_filter.allows(FOLLOWED_COMMUNE, "sirens.sent")
    assert "sirens.sent" not in event_labels()


@pytest.mark.django_db
@WITH_NEW_APP
def test_the_outbox_read_filters_like_the_broadcaster():
    """read_events_after (SQL, for the backlog) and allows() (in memory, for live rows) agree on every row."""
    types = ["sirens.sent", "sirens.public_notice", "operations.unit", "reports.created", "anything.undeclared"]
    communes = [POLICE_COMMUNE, FOLLOWED_COMMUNE, SHARED_COMMUNE, STRANGER_COMMUNE, None]
    for event_type in types:
        for commune_id in communes:
            OutboxEvent.objects.create(commune_id=commune_id, event_type=event_type)
    stream_filter = stream_filter_for(Viewer(), crisis_widening=crisis_widening)
    read = {(row.commune_id, row.event_type) for row in read_events_after(0, limit=500, stream_filter=stream_filter)}
    expected = {(c, t) for t in types for c in communes if stream_filter.allows(c, t)}
    assert read == expected and (SHARED_COMMUNE, "sirens.sent") in read


@pytest.mark.parametrize(("families", "message"), [
    ([EventFamily(prefix="a.", permission="p"), EventFamily(prefix="a.", permission="q")], "declared twice"),
])
def test_a_prefix_declared_twice_is_refused(families, message):
    class Module:
        LIVE_EVENT_FAMILIES = families

    with pytest.raises(ValueError, match=message):
        declared_families([Module])


def test_a_label_outside_its_family_is_refused():
    with pytest.raises(ValueError, match="outside the family"):
        EventFamily(prefix="sirens.", permission="live.view", labels={"reports.created": "x"})
