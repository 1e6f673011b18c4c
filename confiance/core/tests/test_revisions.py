"""Per-process caches keyed by the newest revision rows (the outbox table stands in for a revision table)."""

import threading

import pytest

from confiance.core.models import OutboxEvent
from confiance.core.revisions import RevisionedCache, as_revision, newest_revisions

pytestmark = pytest.mark.django_db


def revision_row() -> OutboxEvent:
    return OutboxEvent.objects.create(event_type="test.revision", payload={})


class Builds:
    """A build function that counts its calls."""

    def __init__(self) -> None:
        self.seen: list = []

    def __call__(self, revisions):
        self.seen.append(revisions)
        return object()


def test_the_value_is_kept_while_the_revision_stays_and_rebuilt_when_it_moves():
    builds = Builds()
    cache = RevisionedCache(OutboxEvent, build=builds)
    first = cache.current()
    assert cache.current() is first and len(builds.seen) == 1
    row = revision_row()
    second = cache.current()
    assert second is not first and builds.seen[-1][0][0] == row.pk
    assert cache.current() is second and len(builds.seen) == 2


def test_an_empty_revision_table_is_a_revision_too():
    builds = Builds()
    cache = RevisionedCache(OutboxEvent, build=builds)
    assert newest_revisions(OutboxEvent) == ((None, None),)
    value = cache.current()
    assert cache.current() is value and builds.seen == [((None, None),)]


def test_revisions_handed_in_are_not_read_again(django_assert_num_queries):
    revision_row()
    builds = Builds()
    cache = RevisionedCache(OutboxEvent, build=builds)
    with django_assert_num_queries(1):
        revisions = newest_revisions(OutboxEvent)
    value = cache.current(revisions)
    with django_assert_num_queries(0):
        assert cache.current(revisions) is value
    with django_assert_num_queries(1):
        assert cache.current() is value  # what it reads itself is the same revision


def test_one_statement_reads_several_revision_tables(django_assert_num_queries):
    row = revision_row()
    with django_assert_num_queries(1):
        both = newest_revisions(OutboxEvent, OutboxEvent)
    assert both[0] == both[1] and both[0][0] == row.pk


def test_a_reused_id_with_another_time_is_another_revision():
    assert as_revision((5, "2026-01-01 10:00:00")) != as_revision((5, "2026-01-01 10:00:01"))
    assert as_revision(None) == as_revision((None, None)) == (None, None)


def test_threads_meeting_a_new_revision_build_it_once():
    builds = Builds()
    cache = RevisionedCache(OutboxEvent, build=builds)
    revisions = ((7, "2026-01-01 10:00:00"),)
    values = []
    threads = [threading.Thread(target=lambda: values.append(cache.current(revisions))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds.seen) == 1 and len({id(value) for value in values}) == 1
