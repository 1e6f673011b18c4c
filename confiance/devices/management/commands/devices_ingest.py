import logging
import signal
import sys
import threading

from django.core.management.base import BaseCommand, CommandError

from confiance.devices.adapters.mqtt.config import from_settings
from confiance.devices.adapters.mqtt.worker import IngestWorker


class Command(BaseCommand):
    help = ("Reçoit les mesures des capteurs par MQTT (sujets <préfixe>/<capteur>/up, QoS 1, session persistante) "
            "et les enregistre ; chaque message est acquitté une fois enregistré. SIGTERM : termine le lot en cours "
            "et se déconnecte. Plusieurs workers se partagent le flux (abonnement partagé), chacun avec son "
            "identifiant client.")

    def add_arguments(self, parser):
        parser.add_argument("--url", help="Courtier : mqtt://utilisateur:mot-de-passe@hôte:port (défaut : "
                                          "CONFIANCE_MQTT_URL)")
        parser.add_argument("--client-id", help="Identifiant client MQTT, propre à chaque worker (défaut : "
                                                "CONFIANCE_MQTT_CLIENT_ID, sinon confiance-ingest-<machine>)")
        parser.add_argument("--prefix", help="Préfixe des sujets (défaut : CONFIANCE_MQTT_TOPIC_PREFIX)")
        parser.add_argument("--share-group", help="Groupe d'abonnement partagé ; « - » pour un abonnement simple")
        parser.add_argument("--batch-size", type=int, help="Messages par transaction au plus")
        parser.add_argument("--batch-ms", type=int, help="Attente maximale d'un lot après son premier message")
        parser.add_argument("--receive-maximum", type=int, help="Messages non acquittés en vol au plus")
        parser.add_argument("--store-threads", type=int,
                            help="Lots enregistrés en même temps, chacun sur sa connexion (défaut : "
                                 "CONFIANCE_MQTT_STORE_THREADS ; 0 : deux sur PostgreSQL, un sur SQLite)")
        parser.add_argument("--session-expiry", type=int, help="Durée de vie de la session chez le courtier (s)")
        parser.add_argument("--stats-every", type=float, default=0.0,
                            help="Écrit les compteurs en JSON sur la sortie standard toutes les N secondes")

    def handle(self, *args, **options):
        group = options["share_group"]
        try:
            config = from_settings(
                options["url"], client_id=options["client_id"], prefix=(options["prefix"] or "").strip("/") or None,
                share_group="" if group == "-" else group, batch_size=options["batch_size"],
                batch_ms=options["batch_ms"], receive_maximum=options["receive_maximum"],
                session_expiry_s=options["session_expiry"], store_threads=options["store_threads"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        if (not 1 <= config.batch_size <= 5000 or not 1 <= config.receive_maximum <= 65535
                or not 0 <= config.store_threads <= 8):
            raise CommandError("--batch-size : 1 à 5000 ; --receive-maximum : 1 à 65535 ; --store-threads : 0 à 8.")
        if not logging.getLogger().handlers:
            logging.basicConfig(level=logging.INFO, stream=sys.stderr)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())

        def emit(line: str) -> None:
            try:
                self.stdout.write(line)
                self.stdout.flush()
            except OSError:  # nobody reads the counters any more: ingestion goes on
                pass

        IngestWorker(config, stats_every_s=options["stats_every"], emit=emit).run(stop)
