"""The hand-written SQL of ingestion gives what the ORM gives for the same rows."""

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import TruncHour, TruncMinute

from confiance.devices.models import Measurement, MeasurementAggregate
from confiance.devices.services.measurements import aggregate_rows
from confiance.devices.sql import insert_measurements, pg_array, store_measurements_aggregated, upsert_aggregates

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def rows(world):
    rng = random.Random(16)
    devices = [world.gauge.pk, world.other_gauge.pk]
    return [(rng.choice(devices), "water_level", T0 + timedelta(seconds=rng.randrange(0, 7200)),
             round(rng.uniform(0.5, 3.0), 3)) for _ in range(900)]


def test_insert_returns_exactly_the_rows_the_orm_then_finds_and_no_duplicate(rows):
    first = insert_measurements(rows[:600], received_at=T0, source="mqtt")
    second = insert_measurements(rows[300:], received_at=T0, source="mqtt")
    stored = {(m.device_id, m.quantity, m.observed_at, m.value) for m in Measurement.objects.all()}
    assert len(first) + len(second) == len(stored) == Measurement.objects.count()
    assert set(first) | set(second) == stored
    assert not set(first) & set(second)


def _two_statements(rows):
    new = insert_measurements(rows, received_at=T0, source="mqtt")
    upsert_aggregates(aggregate_rows(new))
    return new


def _one_statement(rows):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (unnest and data-modifying WITH)")
    return store_measurements_aggregated(rows, received_at=T0, source="mqtt")


@pytest.mark.parametrize("store", [_two_statements, _one_statement])
def test_one_statement_store_returns_the_new_rows_once(rows, store):
    first = store(rows[:600])
    second = store(rows[300:] + rows[300:310])  # redeliveries, within the batch and across batches
    stored = {(m.device_id, m.quantity, m.observed_at, m.value) for m in Measurement.objects.all()}
    assert len(first) + len(second) == len(stored) == Measurement.objects.count()
    assert set(first) | set(second) == stored
    assert not set(first) & set(second)


@pytest.mark.parametrize("store", [_two_statements, _one_statement])
@pytest.mark.parametrize(("resolution", "trunc"), [("minute", TruncMinute), ("hour", TruncHour)])
def test_aggregates_upserted_in_parts_equal_the_orm_aggregation(rows, resolution, trunc, store):
    for start in range(0, len(rows), 200):  # five batches, the same buckets touched again and again
        store(rows[start:start + 200] + rows[max(start - 50, 0):start])  # with values stored already
    expected = {
        (row["device_id"], row["bucket"]): (row["n"], round(row["total"], 6), row["low"], row["high"])
        for row in Measurement.objects.annotate(bucket=trunc("observed_at", tzinfo=UTC))
        .values("device_id", "bucket").annotate(n=Count("id"), total=Sum("value"), low=Min("value"),
                                                high=Max("value"))
    }
    stored = {(a.device_id, a.bucket): (a.count, round(a.total, 6), a.minimum, a.maximum)
              for a in MeasurementAggregate.objects.filter(resolution=resolution)}
    assert stored == expected
    for aggregate in MeasurementAggregate.objects.filter(resolution=resolution):
        newest = (Measurement.objects.filter(device_id=aggregate.device_id, observed_at__gte=aggregate.bucket,
                                             observed_at__lte=aggregate.last_at).order_by("-observed_at").first())
        assert (newest.observed_at, newest.value) == (aggregate.last_at, aggregate.last_value)


def test_array_literal_reads_back_exactly_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    cases = [([1, 2**40, -3], "bigint[]"), ([0.1, 1e300, -2.5e-308, 1 / 3, 5e-324, -0.0, 90.0], "double precision[]"),
             (['a"b', "c\\d", "e,f", "{x}", "NULL", " sp ", "é", ""], "varchar(16)[]"),
             ([T0, datetime(2026, 12, 1, 9, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1))), None],
              "timestamp with time zone[]")]
    with connection.cursor() as cursor:
        for values, kind in cases:
            cursor.execute(f"SELECT %s::{kind}", [pg_array(values)])
            assert cursor.fetchone()[0] == values


@pytest.mark.parametrize("store", [_two_statements, _one_statement])
def test_observation_times_are_stored_to_the_microsecond_whatever_their_offset(world, store):
    times = [datetime(2000, 1, 1, 0, 0, 0, 1, tzinfo=UTC), datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=UTC),
             datetime(2026, 10, 25, 2, 30, 0, 123456, tzinfo=timezone(timedelta(hours=2))),
             datetime(2099, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)]
    rows = [(world.gauge.pk, "water_level", at, float(index)) for index, at in enumerate(times)]
    assert sorted(store(rows), key=lambda row: row[3]) == rows
    stored = sorted(Measurement.objects.values_list("observed_at", flat=True))
    assert stored == sorted(times)
