"""Faces, plates, sub-labels and identities sent by an analytics system are stripped on arrival: after events
carrying planted values went through the MQTT worker's path, the webhook and the operator's review, no table of
the database holds any of them, and no log line either."""

import json
import logging
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from confiance.accounts.tests.factories import make_agent
from confiance.devices.adapters.mqtt.config import MqttConfig
from confiance.devices.adapters.mqtt.worker import Inbound, IngestWorker
from confiance.devices.models import Detection
from confiance.devices.services.video import detection_confirm, detection_dismiss
from confiance.devices.tests.video_support import PLANTED, frigate_event, frigate_review, make_video_world
from confiance.operations.models import InterventionType

pytestmark = pytest.mark.django_db


def _cells(value) -> str:
    if isinstance(value, memoryview | bytes):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value if isinstance(value, str) else ""


def database_holds(needles) -> list[str]:
    """Where any of the needles appears, searching every column of every row of every table."""
    found = []
    lowered = [needle.lower() for needle in needles]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the schema)
            for row in cursor.fetchall():
                for value in row:
                    text = _cells(value).lower()
                    found.extend(f"{table}: {needle}" for needle in lowered if needle in text)
    return found


def _worker_path(payloads: list[tuple[str, bytes]]) -> None:
    """The MQTT worker's own parse, store and acknowledge (no broker needed for what it stores)."""
    worker = IngestWorker(MqttConfig(host="127.0.0.1", frigate_prefix="frigate", share_group=""))
    batch = [Inbound(mid=index + 1, qos=1, topic=topic, payload=payload, generation=0)
             for index, (topic, payload) in enumerate(payloads)]
    assert worker._process(batch, threading.Event())
    assert worker.stats.video_stored >= 1


def _webhook(token: str) -> None:
    at = (timezone.now() - timedelta(seconds=20)).isoformat()
    body = [{"camera": "cam-gare", "id": PLANTED[5], "time": at, "label": "backpack", "zones": ["parvis"],
             "face": {"name": PLANTED[0], "embedding": [0.1, 0.2]}, "plate": PLANTED[1], "sub_label": PLANTED[4],
             "identity": PLANTED[3], "image": "data:image/jpeg;base64,/9j/" + PLANTED[2]},
            {"camera": PLANTED[1], "time": at, "label": "fire"},  # a plate as camera: unknown, counted, not kept
            {"camera": "cam-gare", "time": at, "label": PLANTED[2]},  # a plate as label: unmapped
            {"camera": "cam-gare", "time": at, "event_type": PLANTED[0]}]  # a name as type: outside the 8
    response = Client().post("/api/v1/devices/video/events", data=json.dumps(body), content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 1 and response.json()["refused"] == 3
    assert not any(value in response.content.decode() for value in PLANTED)


def test_planted_faces_plates_and_identities_are_in_no_table_and_no_log(world, caplog):
    caplog.set_level(logging.DEBUG)
    make_video_world(world)
    InterventionType.objects.create(commune=world.commune, code="videoprotection", label="Vidéoprotection")
    payloads = [("frigate/events", frigate_event("cam-gare", "fire", kind="new")),
                ("frigate/events", frigate_event("cam-gare", "fire", kind="end")),
                ("frigate/events", frigate_event("cam-gare", "backpack", zones=["parvis"], identifier=PLANTED[5])),
                ("frigate/events", frigate_event("cam-mairie", "fire", identifier="no-basis")),
                ("frigate/events", frigate_event("cam-gare", "face", identifier="face")),
                ("frigate/reviews", frigate_review("cam-gare", ["person", "fire"], zones=["voies"])),
                ("frigate/events", b'{"type": "end", "after": {"camera": "' + PLANTED[1].encode() + b'"}}')]
    assert all(any(value in payload.decode() for value in PLANTED) for _topic, payload in payloads)
    _worker_path(payloads)
    _webhook(world.gateway_token)
    operator = make_agent(communes=[world.commune], role="shift_supervisor", password=None)
    from confiance.accounts.access import Actor

    first, second, *_ = Detection.objects.order_by("pk")
    detection_confirm(actor=Actor(agent=operator), detection_id=first.pk, open_intervention=True)
    detection_dismiss(actor=Actor(agent=operator), detection_id=second.pk)

    assert Detection.objects.count() >= 4
    assert database_holds(PLANTED) == []
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not any(value.lower() in logged.lower() for value in PLANTED)


def test_the_search_finds_a_value_that_is_there(world):
    """The search itself can fail: a planted value written to a table is found."""
    world.gauge.address = f"rue {PLANTED[0]}"
    world.gauge.save()
    assert database_holds(PLANTED) == [f"devices_device: {PLANTED[0].lower()}"]
