"""The DPO's access review: filters, flags (heavy reader, outside hours, no motive code, after a crisis sharing
ended), the chain's verification naming a tampered entry, and the exports for an inspection."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.tests.factories import make_agent
from confiance.privacy.models import AuditEntry
from confiance.privacy.selectors.access_review import AccessFilters, access_review
from confiance.privacy.services import access_log_record
from confiance.privacy.tests.governance_factories import make_gov_world
from confiance.privacy.tests.test_journal import drop_guard_triggers
from confiance.territory.models import CrisisSharing

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@contextlib.contextmanager
def written_at(moment: datetime):
    """Entries written inside get this timestamp (the journal takes created_at from the field's default)."""
    field = AuditEntry._meta.get_field("created_at")
    moment = moment.astimezone(UTC)  # the journal signs the timestamp as written: in UTC, as timezone.now() gives
    field.__dict__["_get_default"] = lambda: moment  # Field caches its default's callable under this name
    try:
        yield
    finally:
        field.__dict__.pop("_get_default", None)


def _read(actor, target, moment, code="intervention"):
    with written_at(moment):
        return access_log_record(actor=actor, target=target, motive="Traitement de l'intervention",
                                 motive_code=code)


def _day(hour: int, days_ago: int = 1) -> datetime:
    base = timezone.localtime(timezone.now(), PARIS) - timedelta(days=days_ago)
    return base.replace(hour=hour, minute=0, second=0, microsecond=0)


def _flags(world, **filters):
    review = access_review(AccessFilters(commune_ids=(world.commune.pk,), **filters))
    return {(row.entry.pk): row.flags for row in review.rows}, review


def test_heavy_reader_outside_hours_and_missing_code_are_flagged():
    world = make_gov_world()
    peers = [world.ops.operator, world.ops.agent, world.ops.chef]
    for peer in peers:
        _read(peer, world.log_entry, _day(10))
    heavy = [_read(world.ops.agent, world.log_entry, _day(11)) for _ in range(12)]
    night = _read(world.ops.operator, world.log_entry, _day(2))
    uncoded = _read(world.ops.chef, world.log_entry, _day(15), code="")
    flags, review = _flags(world)
    assert "lectures très supérieures à celles des autres agents" in flags[heavy[0].pk]
    assert "lectures très supérieures à celles des autres agents" not in flags[night.pk]
    assert "hors des heures de service" in flags[night.pk]
    assert "hors des heures de service" not in flags[heavy[0].pk]
    assert "sans code de motif" in flags[uncoded.pk] and "sans code de motif" not in flags[heavy[0].pk]
    assert review.heavy_readers[0][0] == world.ops.agent.label


def test_a_read_of_another_commune_after_the_crisis_sharing_ended_is_flagged():
    world = make_gov_world()
    visitor = Actor(agent=make_agent(communes=[world.other], role="csu_operator", password=None))
    sharing = CrisisSharing.objects.create(name="Crue", started_at=_day(9, days_ago=3),
                                           ended_at=_day(18, days_ago=3))
    sharing.communes.set([world.commune, world.other])
    during = _read(visitor, world.log_entry, _day(12, days_ago=3))
    after = _read(visitor, world.log_entry, _day(12, days_ago=1))
    flags, _review = _flags(world)
    assert not any("partage" in flag or "hors de sa commune" in flag for flag in flags[during.pk])
    assert "après la fin du partage de crise" in flags[after.pk]


def test_filters_by_agent_motive_and_period():
    world = make_gov_world()
    first = _read(world.ops.agent, world.log_entry, _day(10, days_ago=5))
    second = _read(world.ops.operator, world.log_entry, _day(10, days_ago=1))
    flags, _ = _flags(world, agent_id=world.ops.agent.agent.pk)
    assert first.pk in flags and second.pk not in flags
    flags, _ = _flags(world, start=(timezone.now() - timedelta(days=2)).date())
    assert second.pk in flags and first.pk not in flags
    flags, _ = _flags(world, motive="rien de tel")
    assert not flags


def test_the_page_names_a_tampered_entry_and_exports_for_an_inspection(client, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    world = make_gov_world()
    entry = _read(world.ops.agent, world.log_entry, _day(10))
    client.force_login(world.dpo.agent)
    url = f"{reverse('privacy:access-review')}?commune={world.commune.pk}"
    page = client.get(url).content.decode()
    assert "intègre" in page, page[page.find("chain-title"):][:600]
    drop_guard_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE privacy_auditentry SET motive = %s WHERE id = %s", ["Curiosité", entry.pk])
    page = client.get(url).content.decode()
    assert "rompu" in page and f"Entrée n° {entry.sequence}" in page
    csv_body = client.get(reverse("privacy:access-review-csv")).content.decode()
    assert "Curiosité" in csv_body and "Entrée du journal" in csv_body
    pdf = client.get(reverse("privacy:access-review-pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_list_pages_do_not_query_per_row(client, settings):
    from django.db import connection as db_connection
    from django.test.utils import CaptureQueriesContext

    settings.CONFIANCE_2FA_RELAXED = True
    world = make_gov_world()
    client.force_login(world.dpo.agent)
    pages = [f"{reverse(name)}?commune={world.commune.pk}" for name in
             ("privacy:access-review", "privacy:requests", "privacy:breaches", "privacy:security")]

    def counts():
        found = []
        for url in pages:
            with CaptureQueriesContext(db_connection) as queries:
                assert client.get(url).status_code in (200, 403)
            found.append(len(queries))
        return found

    readers = [world.ops.operator, world.ops.agent, world.ops.chef]
    for number in range(3):
        _read(readers[number], world.log_entry, _day(10))
    before = counts()
    for number in range(30):
        _read(readers[number % 3], world.log_entry, _day(11))
    assert counts() == before


def _access_log_calls_without_code() -> tuple[int, list[str]]:
    """(calls of access_log_record in the application code, those passing no motive_code or an empty one)."""
    import ast
    from pathlib import Path

    import confiance

    root = Path(confiance.__file__).parent
    calls, missing = 0, []
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.relative_to(root).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name != "access_log_record":
                continue
            calls += 1
            code = next((keyword.value for keyword in node.keywords if keyword.arg == "motive_code"), None)
            if code is None or (isinstance(code, ast.Constant) and not code.value):
                missing.append(f"{path.relative_to(root)}:{node.lineno}")
    return calls, missing


def test_every_caller_of_the_access_log_passes_a_motive_code():
    calls, missing = _access_log_calls_without_code()
    assert calls >= 13, calls  # the walk did find the callers (reports, operations, prevention, devices, privacy)
    assert missing == [], f"access_log_record sans motive_code : {missing}"


def test_a_reporter_reveal_is_logged_with_the_report_code_and_not_flagged():
    from confiance.reports.services.handling import report_reporter_reveal

    world = make_gov_world()
    handler = Actor(agent=make_agent(communes=[world.commune], role="technical_agent", password=None))
    report_reporter_reveal(actor=handler, report=world.report, motive="Rappeler pour préciser le lieu")
    entry = AuditEntry.objects.filter(kind="access", target_id=str(world.report.pk)).get()
    assert entry.extra["motive_code"] == "report"
    flags, _review = _flags(world)
    assert "sans code de motif" not in flags[entry.pk]
