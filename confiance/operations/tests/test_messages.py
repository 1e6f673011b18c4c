"""Messages to a unit's crew: who may send and acknowledge them, what is audited and published; the API endpoints
answer bad input with a French 4xx, never a 5xx (hypothesis), and session calls need the CSRF token."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.core.errors import ApplicationError, NotFoundError
from confiance.core.models import OutboxEvent
from confiance.operations.models import UnitMessage
from confiance.operations.services.messages import unit_message_acknowledge, unit_message_send
from confiance.operations.tests.factories import code_of
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def client_for(actor, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(actor.agent)
    return client


def test_operator_sends_a_message_audited_and_published(world):
    message = unit_message_send(actor=world.operator, unit=world.units[0], text="  Rappelez le poste.  ")
    assert message.text == "Rappelez le poste." and message.commune_id == world.commune.pk
    audit = AuditEntry.objects.get(action="operations.unit_message")
    assert audit.extra["message"] == message.pk and audit.commune_id == world.commune.pk
    event = OutboxEvent.objects.get(event_type="operations.unit_message")
    assert event.payload["unit_id"] == world.units[0].pk and event.payload["acknowledged_at"] is None


def test_a_police_agent_may_not_send_and_nothing_changes(world):
    with pytest.raises(ApplicationError) as excinfo:
        unit_message_send(actor=world.agent, unit=world.units[1], text="Je ne dispatche pas.")
    assert excinfo.value.status_code == 403
    assert not UnitMessage.objects.exists() and not OutboxEvent.objects.filter(
        event_type="operations.unit_message").exists()


def test_another_communes_unit_is_not_found(world):
    with pytest.raises(NotFoundError):
        unit_message_send(actor=world.other_operator, unit=world.units[0], text="Bonjour.")
    assert not UnitMessage.objects.exists()


@pytest.mark.parametrize(("text", "code"), [("   ", "operations_text_empty"), ("x" * 501, "operations_text_too_long"),
                                            ("Le suspect, musulman pratiquant, est parti.",
                                             "operations_sensitive_data")])
def test_bad_texts_are_refused(world, text, code):
    with pytest.raises(ApplicationError) as excinfo:
        unit_message_send(actor=world.operator, unit=world.units[0], text=text)
    assert code_of(excinfo) == code and not UnitMessage.objects.exists()


def test_a_crew_member_acknowledges_once(world):
    message = unit_message_send(actor=world.operator, unit=world.units[0], text="Rappelez le poste.")
    first = unit_message_acknowledge(actor=world.agent, message=message)
    again = unit_message_acknowledge(actor=world.agent, message=message)
    assert first.acknowledged_by == world.agent.agent and again.acknowledged_at == first.acknowledged_at
    assert AuditEntry.objects.filter(action="operations.unit_message_read").count() == 1
    assert OutboxEvent.objects.filter(event_type="operations.unit_message").count() == 2


def test_someone_outside_the_crew_may_not_acknowledge(world):
    message = unit_message_send(actor=world.operator, unit=world.units[1], text="Pour PM 2.")
    with pytest.raises(ApplicationError) as excinfo:
        unit_message_acknowledge(actor=world.agent, message=message)
    assert code_of(excinfo) == "operations_message_not_crew"
    message.refresh_from_db()
    assert message.acknowledged_at is None


# --- API --------------------------------------------------------------------------------------------------------


def test_api_send_list_and_read(world):
    unit = world.units[0]
    sent = client_for(world.operator).post(f"/api/v1/operations/units/{unit.pk}/messages",
                                           {"text": "Rappelez le poste."}, content_type="application/json")
    assert sent.status_code == 201 and sent.json()["unit"] == "PM 1"
    agent = client_for(world.agent)
    listed = agent.get(f"/api/v1/operations/units/{unit.pk}/messages").json()
    assert [row["text"] for row in listed] == ["Rappelez le poste."]
    read = agent.post(f"/api/v1/operations/messages/{listed[0]['id']}/read")
    assert read.status_code == 200 and read.json()["acknowledged_at"]


def test_api_refusals_are_french_4xx(world):
    operator, unit = client_for(world.operator), world.units[0]
    cases = [
        (operator, f"/api/v1/operations/units/{unit.pk}/messages", {"text": ""}, 400),
        (operator, f"/api/v1/operations/units/{world.other_unit.pk}/messages", {"text": "Bonjour."}, 404),
        (operator, "/api/v1/operations/units/999999/messages", {"text": "Bonjour."}, 404),
        (operator, f"/api/v1/operations/units/{unit.pk}/messages", {"texte": "Bonjour."}, 422),
        (client_for(world.agent), f"/api/v1/operations/units/{unit.pk}/messages", {"text": "Bonjour."}, 403),
        (operator, "/api/v1/operations/messages/999999/read", {}, 404),
    ]
    for client, path, body, status in cases:
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == status, (path, body, response.content)
        assert response.json()["message"] and "Traceback" not in response.content.decode()


def test_session_calls_need_the_csrf_token(world):
    client = client_for(world.operator, enforce_csrf_checks=True)
    response = client.post(f"/api/v1/operations/units/{world.units[0].pk}/messages", {"text": "Bonjour."},
                           content_type="application/json")
    assert response.status_code == 403 and not UnitMessage.objects.exists()


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.dictionaries(st.sampled_from(["text", "acknowledge_sensitive", "endpoint", "keys", "x"]), JSON_VALUES,
                            max_size=4) | JSON_VALUES,
       target=st.sampled_from(["units/{unit}/messages", "messages/{message}/read", "push/subscriptions",
                               "push/subscriptions/delete", "units/-1/messages", "messages/0/read"]))
def test_new_endpoints_never_answer_a_server_error(world, body, target):
    message = UnitMessage.objects.filter(unit=world.units[0]).first() or unit_message_send(
        actor=world.operator, unit=world.units[0], text="Premier message.")
    path = "/api/v1/operations/" + target.format(unit=world.units[0].pk, message=message.pk)
    for actor in (world.operator, world.agent):
        response = client_for(actor).post(path, json.dumps(body), content_type="application/json")
        assert response.status_code < 500, (path, body, response.content)
        if response.status_code >= 400:
            assert response.json()["message"]
