"""Audit journal: append entries through audit_record (one writer, then four writers of four communes at once),
then verify the chains; entries per second. BENCH_SMOKE=1: a few seconds."""

import os
import tempfile
import threading
import time

from _common import emit, setup_django

SMOKE = os.environ.get("BENCH_SMOKE") == "1"
N_ENTRIES = 2_000 if SMOKE else 100_000
N_WRITERS = 4
N_CONCURRENT = 500 if SMOKE else 5_000  # per writer


def _append_concurrently(audit_record) -> float:
    """Seconds for N_WRITERS threads, each writing N_CONCURRENT entries of its own commune."""
    from django.db import connection

    barrier = threading.Barrier(N_WRITERS + 1)

    def write(commune_id: int) -> None:
        barrier.wait()
        try:
            for number in range(N_CONCURRENT):
                audit_record(actor=None, action="bench.concurrent", target=("bench", number), commune_id=commune_id,
                             extra={"n": number})
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(1000 + n,)) for n in range(N_WRITERS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        setup_django(folder)
        from django.core.management import call_command
        from django.db import connection

        from confiance.privacy.journal_verify import verify_chain
        from confiance.privacy.services import audit_record

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        for number in range(N_ENTRIES):
            audit_record(actor=None, action="bench.append", target=("bench", number), extra={"n": number})
        append = time.perf_counter() - started
        concurrent = _append_concurrently(audit_record)
        started = time.perf_counter()
        report = verify_chain()
        verify = time.perf_counter() - started
        total = N_ENTRIES + N_WRITERS * N_CONCURRENT
        assert report.ok and report.checked == total, report
        database = connection.vendor
        emit("audit_chain", "append_entries_per_second", round(N_ENTRIES / append), "entries/s",
             entries=N_ENTRIES, database=database)
        emit("audit_chain", "append_entries_per_second_4_communes_4_threads",
             round(N_WRITERS * N_CONCURRENT / concurrent), "entries/s", entries=N_WRITERS * N_CONCURRENT,
             database=database)
        emit("audit_chain", "verify_entries_per_second", round(total / verify), "entries/s",
             entries=total, database=database)


if __name__ == "__main__":
    main()
