"""Per-process caches of reference data, rebuilt when a revision table moves.

A revision table gets a row (an id and a time: `created_at`, or the field its model names in `revision_time_field`)
in the same transaction as every change of the data a cache is built from (the territory's boundaries, the
reports' configuration, the road network...). A cache reads the newest row of each of
its revision tables in one indexed statement and keeps its value while they are the ones it was built under, so a
change made in any process is seen by the next read in every process. Ids and times are compared together: a
rolled-back revision's id can come back, never with the same time. A caller that has just read the revisions of
several caches hands them in, so one statement serves them all.

Cached values are shared between request threads and must be treated as read-only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db.models import Model

from confiance.core.sql import newest_rows

T = TypeVar("T")
Revision = tuple[int | None, str | None]  # (id, time) of a revision table's newest row; (None, None) when empty
Revisions = tuple[Revision, ...]  # one per revision table, in the order the tables were given


def as_revision(row: Sequence[Any] | None) -> Revision:
    """A revision as every reader gives it (databases return the time as a string or a datetime, by query)."""
    if row is None or row[0] is None:
        return None, None
    return int(row[0]), str(row[1])


def newest_revisions(*models: type[Model]) -> Revisions:
    """The newest revision of each of these revision tables (models with `id` and a time field), one statement."""
    return tuple(as_revision(row) for row in newest_rows(*models))


class RevisionedCache(Generic[T]):
    """A value built from the database, kept while the newest revisions are those it was built under."""

    def __init__(self, *models: type[Model], build: Callable[[Revisions], T]) -> None:
        self.models = models
        self._build = build
        self._lock = threading.Lock()
        self._built: tuple[Revisions, T] | None = None

    def current(self, revisions: Revisions | None = None) -> T:
        """The value for the newest revisions: read here, or handed in by a caller that has just read them."""
        if revisions is None:
            revisions = newest_revisions(*self.models)
        with self._lock:  # one build at a time; readers of the old value keep it
            if self._built is None or self._built[0] != revisions:
                self._built = (revisions, self._build(revisions))
            return self._built[1]
