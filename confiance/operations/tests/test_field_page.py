"""The field page hosts its live parts: the unit's stream scope, the messages newest first with their "Lu" button,
the push key and service worker (served at the page's scope, with its headers), the main courante form."""

import pytest
from django.test import Client

from confiance.operations.services.messages import unit_message_acknowledge, unit_message_send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vapid_file(settings, tmp_path):
    settings.CONFIANCE_VAPID_KEY_FILE = tmp_path / "vapid_private.pem"


def test_field_page_lists_messages_newest_first_with_their_acknowledgement(world, django_assert_max_num_queries):
    unit = world.units[0]
    first = unit_message_send(actor=world.operator, unit=unit, text="Premier message.")
    unit_message_send(actor=world.operator, unit=unit, text="Second message.")
    unit_message_send(actor=world.operator, unit=world.units[1], text="Pour une autre unité.")
    unit_message_acknowledge(actor=world.agent, message=first)
    client = Client()
    client.force_login(world.agent.agent)
    with django_assert_max_num_queries(15):
        html = client.get("/agents/terrain/").content.decode()
    assert html.index("Second message.") < html.index("Premier message.")
    assert "Pour une autre unité." not in html
    assert html.count('data-ack="') == 1 and "Lu à" in html
    assert "/live/events?scope=terrain" in html and 'id="f-entry"' in html
    assert 'data-key="' in html and 'data-key=""' not in html


def test_service_worker_is_served_at_the_field_pages_scope(client):
    response = client.get("/agents/terrain/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/agents/terrain/" and response["Cache-Control"] == "no-cache"
    assert b"showNotification" in response.content
    assert client.post("/agents/terrain/sw.js").status_code == 405


def test_the_field_page_stays_closed_to_other_roles(world):
    client = Client()
    client.force_login(world.operator.agent)
    assert client.get("/agents/terrain/").status_code == 403
