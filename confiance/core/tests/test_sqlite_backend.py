"""The SQLite backend's writer lock: held for exactly a write transaction, shared through a file, bounded."""

import fcntl
import os
import threading

import pytest
from django.db import connection

from confiance.core.sqlite.base import DatabaseWrapper

# These tests open SQLite files of their own, so they run whatever the configured database is.


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These tests open their own database files, not the test database."""
    with django_db_blocker.unblock():
        yield


def _wrapper(path, timeout=5):
    settings_dict = {**connection.settings_dict, "ENGINE": "confiance.core.sqlite", "NAME": str(path),
                     "OPTIONS": {"timeout": timeout, "transaction_mode": "IMMEDIATE"}}
    return DatabaseWrapper(settings_dict, alias=f"writer-{os.urandom(4).hex()}")


def _begin(wrapper):
    wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _end(wrapper, commit=True):
    wrapper.commit() if commit else wrapper.rollback()
    wrapper.set_autocommit(True)


def _flocked_elsewhere(lock_path) -> bool:
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def test_the_lock_file_is_held_during_a_write_transaction_only(tmp_path):
    db = tmp_path / "db.sqlite3"
    wrapper = _wrapper(db)
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE t (v TEXT)")
    lock_path = f"{db}-writer.lock"
    for commit in (True, False):
        _begin(wrapper)
        with wrapper.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES ('x')")
        assert _flocked_elsewhere(lock_path)  # another process could not write now
        _end(wrapper, commit=commit)
        assert not _flocked_elsewhere(lock_path)
    _begin(wrapper)
    wrapper.close()  # a connection closed inside a transaction gives the lock back too
    assert not _flocked_elsewhere(lock_path)
    with _wrapper(db).cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM t")
        assert cursor.fetchone()[0] == 1


def test_a_second_thread_writes_right_after_the_first_commits(tmp_path):
    db = tmp_path / "db.sqlite3"
    first, second = _wrapper(db), _wrapper(db)
    first.inc_thread_sharing()
    second.inc_thread_sharing()
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (v TEXT)")
    order, entered, go = [], threading.Event(), threading.Event()

    def writer_a():
        _begin(first)
        order.append("a-begin")
        entered.set()
        go.wait(10)
        with first.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES ('a')")
        order.append("a-commit")
        _end(first)

    def writer_b():
        _begin(second)
        order.append("b-begin")
        with second.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES ('b')")
        _end(second)

    a = threading.Thread(target=writer_a)
    a.start()
    assert entered.wait(10)
    b = threading.Thread(target=writer_b)
    b.start()
    b.join(0.3)
    assert b.is_alive() and order == ["a-begin"]  # waiting for the lock, not writing
    go.set()
    a.join(10)
    b.join(10)
    assert order == ["a-begin", "a-commit", "b-begin"]
    with first.cursor() as cursor:
        cursor.execute("SELECT v FROM t ORDER BY rowid")
        assert [row[0] for row in cursor.fetchall()] == ["a", "b"]


def test_a_lock_held_too_long_elsewhere_does_not_block_forever(tmp_path):
    db = tmp_path / "db.sqlite3"
    wrapper = _wrapper(db, timeout=0.3)
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE t (v TEXT)")
    fd = os.open(f"{db}-writer.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a stuck process holds the lock file, not the database
    try:
        _begin(wrapper)  # gives up waiting after the busy timeout and lets SQLite decide
        assert wrapper._held is None
        with wrapper.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES ('x')")
        _end(wrapper)
    finally:
        os.close(fd)


def test_statements_converted_once_to_sqlite_placeholders_give_the_same_results(tmp_path):
    """The cursor remembers its conversions from "%s" to "?"; a literal "%%" stays one "%", and named parameters
    still go through Django's own conversion."""
    from confiance.core.sqlite.base import _qmark

    wrapper = _wrapper(tmp_path / "convert.sqlite3")
    _qmark.cache_clear()
    try:
        with wrapper.cursor() as cursor:
            for value in (1, 2):
                cursor.execute("SELECT %s, '100%%', %s", [value, "a%sb"])
                assert cursor.fetchone() == (value, "100%", "a%sb")
            cursor.execute("SELECT %(x)s", {"x": 7})
            assert cursor.fetchone() == (7,)
        assert _qmark.cache_info().hits >= 1
    finally:
        wrapper.close()
