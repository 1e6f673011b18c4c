import signal
import time

from django.core.management.base import BaseCommand

from confiance.reports.services.sweeps import reports_sweep


class Command(BaseCommand):
    help = "Signale les signalements en retard et renvoie les courriels en attente (à lancer périodiquement)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, help="Répéter toutes les N secondes (0 : une fois).")

    def handle(self, *args, **options):
        running = {"on": True}
        signal.signal(signal.SIGTERM, lambda *_: running.update(on=False))
        while running["on"]:
            outcome = reports_sweep()
            self.stdout.write(f"En retard : {outcome['overdue']} ; courriels envoyés : {outcome['sent']}, "
                              f"échecs : {outcome['failed']}")
            if not options["loop"]:
                break
            deadline = time.monotonic() + options["loop"]
            while running["on"] and time.monotonic() < deadline:
                time.sleep(0.2)
