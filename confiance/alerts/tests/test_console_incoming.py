"""The operations console's panel of alerts received from other authorities: what it lists, for whom, and the live
event an import writes."""

import pytest
from django.urls import reverse

from confiance.accounts.tests.factories import make_actor
from confiance.alerts.cap.build import cap_datetime
from confiance.alerts.models import IncomingAlert
from confiance.alerts.selectors import incoming_current_for_actor
from confiance.alerts.services.incoming import incoming_import_bytes
from confiance.alerts.tests.test_cap_in import prefecture_cap
from confiance.core.live import read_events_after
from confiance.core.live_rules import stream_filter_for
from confiance.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


def test_the_panel_lists_the_incoming_alerts_in_force_over_the_viewers_communes(world):
    incoming_import_bytes(actor=None, data=prefecture_cap(), source="test")
    incoming_import_bytes(actor=None, data=prefecture_cap("PREF91-OLD", expires_h=-1), source="test")
    rows = incoming_current_for_actor(actor=world.operator)
    assert [row.identifier for row in rows] == ["PREF91-2030-1"]
    assert incoming_current_for_actor(actor=world.outsider) == []  # Ormoy: outside the area
    first = IncomingAlert.objects.get(identifier="PREF91-2030-1")
    reference = f"{first.sender},{first.identifier},{cap_datetime(first.sent)}"
    incoming_import_bytes(actor=None, data=prefecture_cap("PREF91-2030-2", "Cancel", reference), source="test")
    assert incoming_current_for_actor(actor=world.operator) == []  # the cancellation ends it, is not listed itself


def test_an_import_writes_a_live_event_per_commune_with_what_the_panel_announces(world):
    incoming_import_bytes(actor=None, data=prefecture_cap(), source="test")
    event = OutboxEvent.objects.get(event_type="alerts.incoming")
    assert event.commune_id == world.commune.pk
    assert event.payload["headline"] == "Vigilance orange crues" and event.payload["severity_label"] == "Grave"
    assert event.payload["msg_type"] == "Alert" and event.payload["expires"]
    assert event.payload["sender_name"] == "Préfecture de l'Essonne"
    streamed = read_events_after(0, limit=100, stream_filter=stream_filter_for(world.operator))
    assert "alerts.incoming" in {item.event_type for item in streamed}  # the console's stream carries it
    technician = make_actor(communes=[world.commune], role="technical_agent", password=None)
    hidden = read_events_after(0, limit=100, stream_filter=stream_filter_for(technician))
    assert "alerts.incoming" not in {item.event_type for item in hidden}  # not without alerts.view


def test_the_console_shows_the_panel_and_its_state_to_the_agents_allowed_to_see_alerts(client, world):
    incoming_import_bytes(actor=None, data=prefecture_cap(), source="test")
    client.force_login(world.operator.agent)
    console = client.get(reverse("operations:console")).content.decode()
    assert 'id="incoming-alerts-console"' in console and "alerts/console-incoming.js" in console
    state = client.get(reverse("alerts:incoming-console"))
    assert state.status_code == 200
    [row] = state.json()["incoming"]
    assert row["headline"] == "Vigilance orange crues" and row["sender"] == "Préfecture de l'Essonne"
    assert row["severity_label"] == "Grave" and row["validity"].startswith("jusqu'au ")
    assert row["communes"] == ["Mennecy"]
    outsider = make_actor(communes=[world.other], role="csu_operator", password=None)
    client.force_login(outsider.agent)
    assert client.get(reverse("alerts:incoming-console")).json() == {"incoming": []}
    technician = make_actor(communes=[world.commune], role="technical_agent", password=None)
    client.force_login(technician.agent)
    assert client.get(reverse("alerts:incoming-console")).status_code == 403
    assert 'id="incoming-alerts-console"' not in client.get(reverse("operations:console")).content.decode()
