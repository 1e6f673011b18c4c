"""The field page's stream ("?scope=terrain"): its own unit's state and messages and the intervention it is engaged
on, nothing of other units or of the rest of the commune; the outbox read and the live dispatch agree."""

import pytest
from django.test import Client

from confiance.core.live import PayloadRule, StreamFilter, read_events_after
from confiance.core.live_rules import declared_scopes, scoped_stream_filter, stream_filter_for
from confiance.core.models import OutboxEvent
from confiance.operations.events import field_scope
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.logbook import log_entry_create
from confiance.operations.services.messages import unit_message_send
from confiance.operations.services.units import assignment_engage, unit_set_status
from confiance.operations.tests.factories import call, entry
from confiance.territory.selectors import crisis_shared_with

pytestmark = pytest.mark.django_db


def actor_stream_filter(actor) -> StreamFilter:
    """What the console's stream endpoint builds for an agent (console/views.py::actor_stream_filter)."""
    return stream_filter_for(actor, crisis_widening=crisis_shared_with)


def field_filter(actor) -> StreamFilter:
    return scoped_stream_filter(actor, actor_stream_filter(actor), declared_scopes()["terrain"])


def delivered(stream_filter: StreamFilter) -> list[tuple[str, dict]]:
    """(type, payload) of every outbox row the stream may carry, checked two ways: the database read and the
    in-memory test of the live dispatch must agree."""
    read = [(row.event_type, row.payload) for row in read_events_after(0, limit=1000, stream_filter=stream_filter)]
    live = [(row.event_type, row.payload) for row in OutboxEvent.objects.order_by("id")
            if stream_filter.allows(row.commune_id, row.event_type, row.payload)]
    assert read == live
    return read


def test_field_stream_carries_its_units_events_only(world):
    mine, other = world.units[0], world.units[1]
    for unit in (mine, other):
        intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
        assignment_engage(actor=world.operator, intervention=intervention, unit=unit)
    unit_message_send(actor=world.operator, unit=mine, text="Rappelez le poste.")
    unit_message_send(actor=world.operator, unit=other, text="Pas pour vous.")
    log_entry_create(actor=world.operator, commune_id=world.commune.pk, draft=entry(world))
    unit_set_status(actor=world.operator, unit=world.units[2], status_code="6")
    events = delivered(field_filter(world.agent))
    assert {event_type for event_type, _ in events} == {
        "operations.unit", "operations.unit_message", "operations.intervention_changed"}
    assert all(payload["id"] == mine.pk for event_type, payload in events if event_type == "operations.unit")
    assert [payload["text"] for event_type, payload in events if event_type == "operations.unit_message"] == [
        "Rappelez le poste."]
    mine_now = mine.assignments.get().intervention_id
    assert {payload["intervention_id"] for event_type, payload in events
            if event_type == "operations.intervention_changed"} == {mine_now}


def test_console_stream_still_carries_everything_of_the_commune(world):
    unit_message_send(actor=world.operator, unit=world.units[1], text="Pour PM 2.")
    log_entry_create(actor=world.operator, commune_id=world.commune.pk, draft=entry(world))
    types = {event_type for event_type, _ in delivered(actor_stream_filter(world.agent))}
    assert {"operations.unit_message", "operations.log_entry"} <= types


def test_an_agent_of_no_unit_gets_an_empty_field_stream(world):
    unit_message_send(actor=world.operator, unit=world.units[0], text="Rappelez le poste.")
    assert delivered(field_filter(world.chef)) == []


def test_another_communes_unit_events_never_reach_the_field_stream(world):
    world.other_unit.agents.add(world.agent.agent)  # even a crew list mistake does not open another commune
    unit_message_send(actor=world.other_operator, unit=world.other_unit, text="Ormoy seulement.")
    assert delivered(field_filter(world.agent)) == []


def test_a_scope_only_narrows_the_viewers_own_filter(world):
    base = StreamFilter(commune_ids=frozenset({world.commune.pk}), restricted=(("operations.", frozenset()),))
    narrowed = scoped_stream_filter(world.agent, base, field_scope)
    assert narrowed.restricted == base.restricted and not narrowed.include_platform
    assert not narrowed.allows(world.commune.pk, "operations.unit", {"id": world.units[0].pk})


def test_payload_rule_needs_the_exact_type_and_value():
    rule = PayloadRule("operations.unit", "id", frozenset({3}))
    assert rule.matches("operations.unit", {"id": 3})
    assert not rule.matches("operations.units_moved", {"id": 3})
    assert not rule.matches("operations.unit", {"id": "3"}) and not rule.matches("operations.unit", None)


@pytest.mark.parametrize("scope", ["inconnue", "terrain2", "TERRAIN"])
def test_an_unknown_scope_is_refused_in_french(world, scope):
    client = Client()
    client.force_login(world.agent.agent)
    response = client.get("/live/events", {"scope": scope})
    assert response.status_code == 400
    assert response.json()["message"] == "Portée du flux inconnue."
