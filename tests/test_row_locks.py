"""Row locks never block foreign-key checks: the house rule behind a deadlock the PostgreSQL soak found.

An agent handling a report locked it with `select_for_update().select_related("category", "commune")`, which
locks the category and commune rows too, in the strongest mode, then took the commune's audit-chain lock; a citizen
submitting a report in that category held the chain lock and, at commit, checked its foreign key to the category
(`FOR KEY SHARE`): a deadlock, and a 500 on the public form. Every lock is now `no_key=True` (`FOR NO KEY UPDATE`,
which foreign-key checks pass) and names its own rows with `of=` when the query joins others.
"""

from __future__ import annotations

import ast
import threading
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

ROOT = Path(__file__).resolve().parents[1] / "confiance"


def _lock_calls():
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), str(path))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "select_for_update":
                chain = set()
                top = node
                while isinstance(parents.get(top), (ast.Attribute, ast.Call)):
                    top = parents[top]
                for inner in ast.walk(top):
                    if isinstance(inner, ast.Attribute):
                        chain.add(inner.attr)
                yield f"{path.relative_to(ROOT.parent)}:{node.lineno}", node, chain


def test_every_row_lock_lets_foreign_key_checks_through_and_names_its_rows():
    calls = list(_lock_calls())
    assert len(calls) > 20  # the walk finds the locks (it would pass on nothing)
    faults = []
    for where, call, chain in calls:
        keywords = {keyword.arg: keyword.value for keyword in call.keywords}
        no_key = keywords.get("no_key")
        if not (isinstance(no_key, ast.Constant) and no_key.value is True):
            faults.append(f"{where}: select_for_update without no_key=True")
        if "select_related" in chain and "of" not in keywords:
            faults.append(f"{where}: select_for_update over a select_related without of=(...)")
    assert not faults, "\n".join(faults)


@pytest.mark.django_db(transaction=True)
def test_a_report_being_handled_does_not_hold_up_a_report_submitted_in_its_category():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks (one writer at a time)")
    from confiance.reports.services.history import report_locked
    from confiance.reports.tests.factories import make_world, submit

    world = make_world()
    handled = submit(world)
    locked, release, outcome = threading.Event(), threading.Event(), {}

    def agent() -> None:
        try:
            with transaction.atomic():
                report_locked(handled)
                locked.set()
                # True when the submission below committed while this lock was held; False when it had to wait
                # for the lock to go (the wait times out, the transaction ends, the submission goes through).
                outcome["released"] = release.wait(15)
        except Exception as error:  # pragma: no cover - reported below
            outcome["error"] = error
            locked.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=agent)
    thread.start()
    try:
        assert locked.wait(20)
        with transaction.atomic():
            new = submit(world)
            with connection.cursor() as cursor:  # what the foreign-key check at commit runs, without waiting
                cursor.execute("SELECT 1 FROM reports_category WHERE id = %s FOR KEY SHARE NOWAIT",
                               [new.category_id])
                assert cursor.fetchall() == [(1,)]
        release.set()
        assert new.category_id == handled.category_id
    finally:
        release.set()
        thread.join(30)
    assert outcome == {"released": True}
