"""The kernel's hand-written SQL gives what the ORM query it stands for gives, with names from _meta."""


import pytest
from django.db import connection

from confiance.core.models import OutboxEvent
from confiance.core.sql import column, newest_rows, revision_time_field, table
from confiance.core.testing import instant

pytestmark = pytest.mark.django_db


def test_names_come_from_meta():
    assert table(OutboxEvent) == connection.ops.quote_name(OutboxEvent._meta.db_table)
    assert column(OutboxEvent, "created_at") == connection.ops.quote_name("created_at")
    with pytest.raises(KeyError):
        column(OutboxEvent, "missing")


@pytest.mark.parametrize("rows", [0, 1, 3])
def test_newest_rows_match_the_orm(rows):
    for _ in range(rows):
        OutboxEvent.objects.create(event_type="test.newest", payload={})
    orm = OutboxEvent.objects.order_by("-id").values_list("id", "created_at").first() or (None, None)
    ((pk, created_at),) = newest_rows(OutboxEvent)
    assert (pk, instant(created_at)) == tuple(orm)


@pytest.mark.parametrize("rows", [0, 2])
def test_newest_rows_read_the_time_field_a_model_names(rows, monkeypatch):
    # The outbox stands in for a revision table dated by another field (as a road import is by `imported_at`).
    assert revision_time_field(OutboxEvent) == "created_at"
    monkeypatch.setattr(OutboxEvent, "revision_time_field", "event_type", raising=False)
    for number in range(rows):
        OutboxEvent.objects.create(event_type=f"test.newest.{number}", payload={})
    orm = OutboxEvent.objects.order_by("-id").values_list("id", "event_type").first() or (None, None)
    ((pk, dated_by),) = newest_rows(OutboxEvent)
    assert (pk, dated_by) == tuple(orm)
