"""`confiance alerts deliver`: the delivery worker of population alerts (e-mail, SMS, web push), in a loop."""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from confiance.alerts.delivery import deliver_once, enqueue_missed
from confiance.alerts.delivery_choices import Channel

CATCH_UP_SECONDS = 10.0


class Command(BaseCommand):
    help = ("Envoie les alertes publiées aux abonnés visés (courriel, SMS, notifications), en boucle ; chaque "
            "message est pris en charge par un seul envoyeur. SIGTERM : termine le lot en cours puis s'arrête.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Vider les files une fois, puis s'arrêter.")
        parser.add_argument("--batch", type=int, default=200, help="Messages pris en charge à la fois (200).")
        parser.add_argument("--idle", type=float, default=0.5, help="Secondes d'attente quand rien n'est à envoyer.")

    def handle(self, *args, **options):
        running = {"on": True}
        signal.signal(signal.SIGTERM, lambda *_: running.update(on=False))
        signal.signal(signal.SIGINT, lambda *_: running.update(on=False))
        batch = max(1, min(options["batch"], 5000))
        reverse("alerts:subscribe")  # the messages' links need the URLs: load them before the first alert
        self.stdout.write("Envoi des alertes : prêt.")
        self.stdout.flush()
        last_catch_up, next_sms = 0.0, 0.0
        totals = {"sent": 0, "retried": 0, "failed": 0}
        while running["on"]:
            if time.monotonic() - last_catch_up >= CATCH_UP_SECONDS:
                enqueue_missed()
                last_catch_up = time.monotonic()
            busy = False
            for channel in Channel.values:
                if not running["on"]:
                    break
                limit = batch
                if channel == Channel.SMS:  # throttled: at most CONFIANCE_SMS_PER_SECOND per second
                    if time.monotonic() < next_sms:
                        if not options["once"]:
                            continue
                        time.sleep(next_sms - time.monotonic())
                    limit = settings.CONFIANCE_SMS_PER_SECOND
                    next_sms = time.monotonic() + 1.0
                counts = deliver_once(channel=channel, limit=limit)
                busy = busy or counts["claimed"] > 0
                for key in totals:
                    totals[key] += counts[key]
            if not busy:
                if options["once"]:
                    break
                time.sleep(max(0.05, options["idle"]))
        self.stdout.write(f"Alertes : {totals['sent']} envoyés, {totals['retried']} à réessayer, "
                          f"{totals['failed']} en échec.")
