"""insert_rows stores what the ORM would store and hands back the keys in order."""

import threading
import time
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict

from confiance.core.inserts import insert_row, insert_row_after_lock, insert_rows
from confiance.core.models import OutboxEvent

pytestmark = pytest.mark.django_db
MOMENT = datetime(2026, 3, 29, 0, 30, 15, 123456, tzinfo=UTC)  # the night Paris moves to summer time


def _stored(pk: int) -> dict:
    return model_to_dict(OutboxEvent.objects.get(pk=pk), exclude=["id"])


def test_one_row_reads_back_as_the_orm_row():
    payload = {"texte": "Dépôt « sauvage » — n° 12", "nombre": 3, "liste": [1.5, None, True], "vide": {}}
    by_orm = OutboxEvent.objects.create(commune_id=7, event_type="essai", payload=payload, created_at=MOMENT)
    ours = insert_row(OutboxEvent(commune_id=7, event_type="essai", payload=payload, created_at=MOMENT))
    assert ours.pk == by_orm.pk + 1 and not ours._state.adding
    assert _stored(ours.pk) == _stored(by_orm.pk) == {"commune_id": 7, "event_type": "essai", "payload": payload,
                                                       "created_at": MOMENT}


def test_defaults_and_nulls_are_filled_as_the_orm_fills_them():
    ours = insert_row(OutboxEvent(event_type="sans commune"))
    stored = OutboxEvent.objects.get(pk=ours.pk)
    assert stored.commune_id is None and stored.payload == {} and stored.created_at == ours.created_at


def test_many_rows_in_several_statements_keep_their_order():
    rows = [OutboxEvent(commune_id=index, event_type="lot", payload={"rang": index}) for index in range(1234)]
    insert_rows(rows)
    assert [row.pk for row in rows] == sorted(row.pk for row in rows)
    stored = dict(OutboxEvent.objects.filter(event_type="lot").values_list("pk", "payload"))
    assert len(stored) == 1234 and all(stored[row.pk] == {"rang": row.commune_id} for row in rows)


def test_saved_or_mixed_instances_are_refused():
    saved = insert_row(OutboxEvent(event_type="déjà"))
    with pytest.raises(ValueError):
        insert_rows([saved])
    with pytest.raises(ValueError):
        insert_rows([OutboxEvent(event_type="a"), object()])  # type: ignore[list-item]
    insert_rows([])  # nothing to do, no statement


def test_a_row_inserted_after_a_lock_reads_back_as_the_orm_row():
    payload = {"texte": "Éclairage « rue » — n° 4", "liste": [1, None]}
    by_orm = OutboxEvent.objects.create(event_type="essai", payload=payload, created_at=MOMENT)
    with transaction.atomic():
        ours = insert_row_after_lock(OutboxEvent(event_type="essai", payload=payload, created_at=MOMENT), 99, 1)
    assert ours.pk > by_orm.pk and not ours._state.adding
    assert _stored(ours.pk) == _stored(by_orm.pk)
    with pytest.raises(ValueError):
        insert_row_after_lock(ours, 99, 1)


@pytest.mark.django_db(transaction=True)
def test_under_one_lock_a_later_transaction_waits_and_gets_the_larger_key():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time")
    holding, release = threading.Event(), threading.Event()
    keys: dict[str, int] = {}
    order: list[str] = []

    def first():
        try:
            with transaction.atomic():
                keys["first"] = insert_row_after_lock(OutboxEvent(event_type="premier"), 7_341_999).pk
                holding.set()
                release.wait(20)
                order.append("first")
        finally:
            connection.close()

    def second():
        try:
            assert holding.wait(20)
            threading.Timer(0.3, release.set).start()  # the second insert must wait for this commit
            started = time.monotonic()
            with transaction.atomic():
                keys["second"] = insert_row_after_lock(OutboxEvent(event_type="second"), 7_341_999).pk
                keys["waited_ms"] = int((time.monotonic() - started) * 1000)
            order.append("second")
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert order == ["first", "second"]
    assert keys["second"] > keys["first"] and keys["waited_ms"] >= 250
