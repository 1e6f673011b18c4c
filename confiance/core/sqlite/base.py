"""Django's SQLite backend, with writers queued on a file lock instead of SQLite's busy handler.

SQLite lets one writer in at a time. A second writer's BEGIN IMMEDIATE waits in SQLite's busy handler, which sleeps
1, 2, 5, 10... ms between attempts: under a steady stream of short write transactions (citizen reports, GPS
positions) most of the waiting is sleep after the lock was already free. Here every write transaction first takes
a lock of its process (threads are handed it the moment it is released: commit, rollback or close), then an
exclusive `flock` on `<database>-writer.lock` shared with the other processes (polled every half millisecond).
Both waits are bounded by the busy timeout; past it the transaction goes ahead and SQLite's own locking decides, as
without this backend. SQLite's locking is unchanged underneath: a writer that does not come through Django (the
sqlite3 shell, an autocommit statement) still meets the busy handler.

In-memory databases (tests) are left as they are.

The cursor also remembers its last 256 conversions of a statement from Django's "%s" style to SQLite's "?" style
(Django runs a regular expression over the whole text at every execution): an ingestion batch's statements are a few
long texts (400 rows of values each) executed again and again, and the conversion was 6 % of a batch's time.
"""

from __future__ import annotations

import fcntl
import functools
import os
import threading
import time

from django.db.backends.sqlite3 import base


class _WriterLock:
    """One per database file and process: a thread lock in front of a process-shared flock."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.threads = threading.Lock()
        self.fd: int | None = None

    def acquire(self, timeout: float) -> bool:
        """True once held; False when `timeout` seconds passed first (nothing is held then)."""
        deadline = time.monotonic() + timeout
        if not self.threads.acquire(timeout=timeout):
            return False
        try:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            while True:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        self.threads.release()
                        return False
                    time.sleep(POLL_SECONDS)
        except BaseException:
            self.threads.release()
            raise

    def release(self) -> None:
        try:
            if self.fd is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.threads.release()


POLL_SECONDS = 0.0005
_locks: dict[str, _WriterLock] = {}
_locks_guard = threading.Lock()


def _writer_lock(name: str) -> _WriterLock:
    path = os.path.abspath(f"{name}-writer.lock")
    with _locks_guard:
        if path not in _locks:
            _locks[path] = _WriterLock(path)
        return _locks[path]


@functools.lru_cache(maxsize=256)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class _Cursor(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    _held: _WriterLock | None = None

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=_Cursor)

    def _start_transaction_under_autocommit(self):
        if self._held is None and not self.is_in_memory_db():
            lock = _writer_lock(str(self.settings_dict["NAME"]))
            if lock.acquire(timeout=float(self.settings_dict["OPTIONS"].get("timeout", 5))):
                self._held = lock
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer()
