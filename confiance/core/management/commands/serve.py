import io
import logging
import os
import shutil
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections
from django.utils import timezone

from confiance.core.backup import start_scheduled_backups


def seconds_until(hour: int, now: datetime) -> float:
    """Seconds from `now` (aware, local) to the next `hour`:00 local time (tomorrow's when it has passed)."""
    target = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    return (target - now).total_seconds()


def start_scheduled_retention(*, log) -> threading.Thread | None:
    """The retention engine once a day at CONFIANCE_RETENTION_HOUR (Paris), so a small commune needs no cron.

    Off with CONFIANCE_RETENTION_SCHEDULE=false (run `confiance retention run` from cron or a timer instead). The
    engine is idempotent: two machines running it the same night do nothing twice. The command is called by name
    (core imports no domain app)."""
    if not settings.CONFIANCE_RETENTION_SCHEDULE:
        return None

    def loop() -> None:
        while True:
            time.sleep(seconds_until(settings.CONFIANCE_RETENTION_HOUR, timezone.localtime()))
            try:
                call_command("retention_run", trigger="schedule", stdout=io.StringIO())
                log("Durées de conservation appliquées.")
            except Exception as exc:  # logged, tried again the next day
                log(f"Conservation échouée : {exc}")
            finally:
                connections.close_all()

    thread = threading.Thread(target=loop, name="confiance-retention", daemon=True)
    thread.start()
    return thread


class Command(BaseCommand):
    help = "Sert la plateforme (ASGI, uvicorn) ; PORT et CONFIANCE_HOST choisissent l'adresse."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("CONFIANCE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("CONFIANCE_WORKERS", "1")))

    def handle(self, *args, **options):
        if options["workers"] > 1 and not settings.REDIS_URL:
            self.stderr.write("Plusieurs processus sans REDIS_URL : le direct arrivera avec le délai du sondage.")
        self.prepare_metrics_folder()
        self.start_task_worker()
        start_scheduled_backups(log=self.stdout.write)
        start_scheduled_retention(log=self.stdout.write)
        self.stdout.write(f"Confiance sur http://{options['host']}:{options['port']}/")
        uvicorn.run("config.asgi:application", host=options["host"], port=options["port"],
                    workers=options["workers"], proxy_headers=True, lifespan="off",
                    log_level=logging.getLevelName(logging.getLogger().level).lower())

    def start_task_worker(self) -> None:
        """Background tasks (analyses) on one thread beside the web server, so one machine needs nothing else.

        With CONFIANCE_TASK_WORKER=external, `confiance db_worker` processes do this work instead.
        """
        backend = settings.TASKS["default"]["BACKEND"]
        if settings.CONFIANCE_TASK_WORKER != "embedded" or not backend.startswith("django_tasks_db."):
            return
        from django_tasks_db.management.commands.db_worker import Worker

        worker = Worker(queue_names=["default"], interval=0.5, batch=False, backend_name="default",
                        startup_delay=False, max_tasks=None, worker_id=f"serve-{os.getpid()}", excluded_queue_names=[])
        threading.Thread(target=worker.run, name="confiance-tasks", daemon=True).start()

    @staticmethod
    def prepare_metrics_folder() -> None:
        """prometheus-client's multiprocess mode: every server process writes its metrics in one folder.

        Set before any server process imports prometheus-client (confiance/core/metrics.py); a folder left by a
        previous run is emptied, its processes are gone. PROMETHEUS_MULTIPROC_DIR, when set, is used as it is.
        """
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            return
        folder = Path(settings.CONFIANCE_DATA_DIR) / "metrics"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
