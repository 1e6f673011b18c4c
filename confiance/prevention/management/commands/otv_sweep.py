"""`confiance otv sweep`: anomaly notices not yet sent, and the summaries due after the return (e-mails)."""

import signal
import time

from django.core.management.base import BaseCommand

from confiance.prevention.services.otv_notices import otv_sweep


class Command(BaseCommand):
    help = ("Opération Tranquillité Vacances : avis d'anomalie en attente et bilans après le retour "
            "(en boucle ; --once pour un seul passage).")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Un seul passage, puis s'arrêter.")
        parser.add_argument("--interval", type=float, default=300.0,
                            help="Secondes entre deux passages (300 par défaut).")

    def handle(self, *args, **options):
        running = {"on": True}
        signal.signal(signal.SIGTERM, lambda *_: running.update(on=False))
        while running["on"]:
            outcome = otv_sweep()
            self.stdout.write(f"Avis d'anomalie envoyés : {outcome['anomalies']} ; bilans envoyés : "
                              f"{outcome['summaries']}")
            if options["once"]:
                break
            deadline = time.monotonic() + max(0.5, options["interval"])
            while running["on"] and time.monotonic() < deadline:
                time.sleep(0.2)
