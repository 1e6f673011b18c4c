import logging
import os

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Sert la plateforme (ASGI, uvicorn) ; PORT et CONFIANCE_HOST choisissent l'adresse."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("CONFIANCE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("CONFIANCE_WORKERS", "1")))

    def handle(self, *args, **options):
        if options["workers"] > 1 and not settings.REDIS_URL:
            self.stderr.write("Plusieurs processus sans REDIS_URL : le direct arrivera avec le délai du sondage.")
        self.stdout.write(f"Confiance sur http://{options['host']}:{options['port']}/")
        uvicorn.run("config.asgi:application", host=options["host"], port=options["port"],
                    workers=options["workers"], proxy_headers=True, lifespan="off",
                    log_level=logging.getLevelName(logging.getLogger().level).lower())
