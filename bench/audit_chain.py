"""Audit journal: append 100,000 entries through audit_record, then verify the chain; entries per second."""

import tempfile
import time

from _common import emit, setup_django

N_ENTRIES = 100_000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        setup_django(folder)
        from django.core.management import call_command
        from django.db import connection

        from confiance.privacy.journal import verify_chain
        from confiance.privacy.services import audit_record

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        for number in range(N_ENTRIES):
            audit_record(actor=None, action="bench.append", target=("bench", number), extra={"n": number})
        append = time.perf_counter() - started
        started = time.perf_counter()
        report = verify_chain()
        verify = time.perf_counter() - started
        assert report.ok and report.checked == N_ENTRIES, report
        database = connection.vendor
        emit("audit_chain", "append_entries_per_second", round(N_ENTRIES / append), "entries/s",
             entries=N_ENTRIES, database=database)
        emit("audit_chain", "verify_entries_per_second", round(N_ENTRIES / verify), "entries/s",
             entries=N_ENTRIES, database=database)


if __name__ == "__main__":
    main()
