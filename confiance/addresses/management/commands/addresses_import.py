import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from confiance.addresses.services import addresses_import
from confiance.core.errors import ApplicationError


class Command(BaseCommand):
    help = ("Importe les adresses d'un fichier de la Base Adresse Nationale (CSV « adresses », séparateur "
            "point-virgule) pour la recherche d'adresses. Seules les communes servies par la plateforme sont "
            "gardées ; un identifiant déjà connu est mis à jour. Tout ou rien.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            result = addresses_import(actor=None, path=options["file"])
        except ApplicationError as error:
            lines = [error.message]
            lines.extend(f"  - ligne {fault['line']} : {fault['message']}" for fault in error.details.get("errors", []))
            raise CommandError("\n".join(lines)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Adresses : {result.created} créée(s), {result.updated} déjà connue(s) mise(s) à jour, "
            f"{result.skipped} hors des communes servies ignorée(s), {result.removed} que le fichier ne contient "
            f"plus retirée(s) ({time.perf_counter() - started:.1f} s)."))
