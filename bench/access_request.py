"""Access request search (issue 20): one person looked up by e-mail, phone and name across every registered person
finder, over 1,000,000 citizen reports, 100,000 persons of the main courante and 100,000 alert subscriptions: p50
and p95 time. Goal < 200 ms.

The subscriptions are searched by the alerts app's finder (alerts/persons.py): the bench lists the finders it
searched and fails in smoke mode when the alerts one is not among them. Subscribers give an e-mail, a mobile number
or both (no name), stored as the subscription form stores them (lower-case e-mail, +33 number).

BENCH_SMOKE=1: 5,000 reports, 1,000 main courante persons, 1,000 subscriptions, 30 searches, the schema created
from the models instead of migrated.
CONFIANCE_BENCH_REPORTS, CONFIANCE_BENCH_PERSONS and CONFIANCE_BENCH_SUBSCRIPTIONS set the sizes. SQLite in a
throwaway data folder (DATABASE_URL, when set, is used instead).
"""

import os
import random
import secrets
import tempfile
import time

from _common import SMOKE, emit, setup_django, smoke_check

BENCH = "access_request"
REPORTS = int(os.environ.get("CONFIANCE_BENCH_REPORTS", "5000" if SMOKE else "1000000"))
PERSONS = int(os.environ.get("CONFIANCE_BENCH_PERSONS", "1000" if SMOKE else "100000"))
SUBSCRIPTIONS = int(os.environ.get("CONFIANCE_BENCH_SUBSCRIPTIONS", "1000" if SMOKE else "100000"))
SEARCHES = 30 if SMOKE else 300
FIRST = ["Jeanne", "Louis", "Camille", "Hugo", "Léa", "Nathan", "Chloé", "Lucas", "Manon", "Gabriel", "Inès", "Jules"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
        "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier"]


def person(index: int) -> dict:
    """Person `index`: a first name of the list, a last name made distinct by a number (homonyms aside)."""
    first, last = FIRST[index % len(FIRST)], f"{LAST[(index // len(FIRST)) % len(LAST)]}{index}"
    return {"name": f"{first} {last}", "first": first, "last": last,
            "email": f"{first.lower()}.{last.lower()}@example.org", "phone": f"06{index:08d}"}


def fill(commune, other) -> float:
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from confiance.operations.models import LogEntry, LogPerson, Nature
    from confiance.reports.models import Category, Report

    started = time.perf_counter()
    rng = random.Random(5)
    now = timezone.now()
    categories = {c.pk: Category.objects.create(commune=c, service_code="voirie", name="Voirie") for c in
                  (commune, other)}
    batch = []
    population = max(PERSONS * 3, 1000)
    for index in range(REPORTS):
        target = commune if index % 4 else other
        who = person(rng.randrange(population)) if index % 3 == 0 else {"name": "", "email": "", "phone": ""}
        created = now - timedelta(days=rng.random() * 700)
        batch.append(Report(commune=target, category=categories[target.pk], status="nouveau", is_open=True,
                            lat=48.55, lon=2.40, h3_cell="881fb46625fffff", tracking_token=secrets.token_urlsafe(32),
                            reporter_name=who["name"], reporter_email=who["email"], reporter_phone=who["phone"],
                            created_at=created, updated_at=created))
        if len(batch) == 20000:
            with transaction.atomic():
                Report.objects.bulk_create(batch)
            batch.clear()
    with transaction.atomic():
        Report.objects.bulk_create(batch)
    nature = Nature.objects.create(commune=commune, code="tapage", label="Tapage")
    entries = [LogEntry(commune=commune, number=f"MC-{index}", occurred_at=now, source="appel", nature=nature,
                        purpose="autres_missions", text="Bench") for index in range(PERSONS)]
    with transaction.atomic():
        LogEntry.objects.bulk_create(entries, batch_size=5000)
    entries = list(LogEntry.objects.filter(commune=commune).only("pk"))
    people = []
    for entry in entries:
        who = person(rng.randrange(population))
        people.append(LogPerson(entry=entry, role="temoin", last_name=who["last"],
                                first_name=who["first"], phone=who["phone"]))
    with transaction.atomic():
        LogPerson.objects.bulk_create(people, batch_size=5000)
    fill_subscriptions(rng, commune, other, population, now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def fill_subscriptions(rng: random.Random, commune, other, population: int, now) -> None:
    """SUBSCRIPTIONS active subscribers, 3 in 4 in `commune`: a third by e-mail, a third by SMS, a third by both."""
    from datetime import timedelta

    from django.db import transaction

    from confiance.alerts.delivery_choices import SubscriberStatus
    from confiance.alerts.models import Subscriber

    batch = []
    for index in range(SUBSCRIPTIONS):
        who = person(rng.randrange(population))
        email = who["email"] if index % 3 != 1 else ""
        phone = "+33" + who["phone"][1:] if index % 3 != 0 else ""
        created = now - timedelta(days=rng.random() * 700)
        batch.append(Subscriber(
            commune=commune if index % 4 else other, status=SubscriberStatus.ACTIVE, token=secrets.token_hex(16),
            lat=48.55, lon=2.40, h3_cell="891fb466257ffff", email=email, phone=phone,
            email_confirmed_at=created if email else None, phone_confirmed_at=created if phone else None,
            created_at=created, confirmed_at=created))
        if len(batch) == 20000:
            with transaction.atomic():
                Subscriber.objects.bulk_create(batch)
            batch.clear()
    with transaction.atomic():
        Subscriber.objects.bulk_create(batch)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        setup_django(folder)
        from django.core.management import call_command

        from confiance.alerts.models import Subscriber
        from confiance.privacy.processing import registered_person_finders
        from confiance.reports.models import Report
        from confiance.territory.tests.factories import make_commune

        if SMOKE:  # the schema straight from the models, as the test runner makes it: seconds instead of a minute
            from django.apps import apps
            from django.test.utils import override_settings

            with override_settings(MIGRATION_MODULES={config.label: None for config in apps.get_app_configs()}):
                call_command("migrate", run_syncdb=True, verbosity=0)
        else:
            call_command("migrate", verbosity=0)
        commune, other = make_commune(insee_code="91386", name="Mennecy"), make_commune(insee_code="91468")
        seconds = fill(commune, other)
        emit(BENCH, "fill", round(seconds, 1), "s", reports=Report.objects.count(), persons=PERSONS,
             subscriptions=Subscriber.objects.count())
        finders = registered_person_finders()
        keys = [finder.key for finder in finders]
        smoke_check("alerts" in keys, "the alerts subscriptions' finder is not registered")
        emit(BENCH, "finders", len(keys), "", searched=keys)
        rng = random.Random(9)
        samples, found, subscribers_found = [], 0, 0
        for number in range(SEARCHES):
            who = person(rng.randrange(PERSONS * 3)) if number % 5 else person(10**7 + number)  # 1 in 5: nobody
            started = time.perf_counter()
            matches = [match for finder in finders for match in finder.find(
                email=who["email"], phone=who["phone"], name=who["name"], commune_ids=[commune.pk])]
            samples.append(time.perf_counter() - started)
            found += bool(matches)
            subscribers_found += sum(match.model == "alerts.Subscriber" for match in matches)
        smoke_check(found < SEARCHES, "a person who does not exist was found")
        samples.sort()
        p50, p95 = samples[len(samples) // 2] * 1000, samples[int(len(samples) * 0.95)] * 1000
        smoke_check(found > 0, "no person found: the finders or the fill are broken")
        smoke_check(subscribers_found > 0, "no subscription found: the alerts finder or the fill is broken")
        emit(BENCH, "search_p50", round(p50, 2), "ms", searches=SEARCHES, found=found,
             subscriptions_found=subscribers_found)
        emit(BENCH, "search_p95", round(p95, 2), "ms", goal_ms=200, met=p95 < 200)


if __name__ == "__main__":
    main()
