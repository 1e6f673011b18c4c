"""`confiance alerts import FILE_OR_URL`: CAP messages of other authorities, from a file, a local-network URL or an
Atom feed of CAP entries."""

from django.core.management.base import BaseCommand, CommandError

from confiance.alerts.services.incoming import incoming_import
from confiance.core.errors import ApplicationError


class Command(BaseCommand):
    help = ("Importe des alertes CAP 1.2 d'autres autorités : un fichier, une adresse http(s) du réseau local, ou un "
            "flux Atom d'entrées CAP. Les messages déjà connus sont ignorés.")

    def add_arguments(self, parser):
        parser.add_argument("source", help="Fichier, ou adresse http(s) du réseau local.")

    def handle(self, *args, **options):
        try:
            report = incoming_import(actor=None, source=options["source"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        for message in report.errors:
            self.stderr.write(f"  refusé : {message}")
        self.stdout.write(self.style.SUCCESS(
            f"Alertes reçues : {len(report.created)} importée(s), {report.already_known} déjà connue(s), "
            f"{len(report.errors)} refusée(s)."))
