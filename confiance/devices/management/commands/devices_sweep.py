"""`confiance devices sweep`: silent devices, escalation of unacknowledged alarms, the devices' security checks."""

import signal
import time

from django.core.management.base import BaseCommand

from confiance.devices.choices import SecurityEventKind
from confiance.devices.services.sweeps import devices_sweep


def security_words(security: dict | None) -> str:
    """The security checks' findings in words: "Micrologiciel non à jour : 1, Identifiants par défaut : 2"."""
    if security is None:
        return "module absent"
    found = [f"{SecurityEventKind(kind).label if kind in SecurityEventKind.values else kind} : {count}"
             for kind, count in security.items() if count]
    return ", ".join(found) or "rien à signaler"


class Command(BaseCommand):
    help = ("Capteurs muets, escalade des alarmes non prises en compte, contrôles de sécurité des capteurs "
            "(en boucle ; --once pour un seul passage).")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Un seul passage, puis s'arrêter.")
        parser.add_argument("--interval", type=float, default=30.0,
                            help="Secondes entre deux passages (30 par défaut).")

    def handle(self, *args, **options):
        running = {"on": True}
        signal.signal(signal.SIGTERM, lambda *_: running.update(on=False))
        while running["on"]:
            outcome = devices_sweep()
            self.stdout.write(
                f"Capteurs devenus muets : {outcome['silent']} ; alarmes escaladées : {outcome['escalated']} ; "
                f"sécurité : {security_words(outcome['security'])}")
            if options["once"]:
                break
            deadline = time.monotonic() + max(0.5, options["interval"])
            while running["on"] and time.monotonic() < deadline:
                time.sleep(0.2)
