from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from confiance.core.errors import ApplicationError
from confiance.devices.services.registry import devices_import


class Command(BaseCommand):
    help = ("Importe des capteurs et des passerelles depuis un fichier CSV ou GeoJSON (colonnes : docs/devices.md, "
            "section « Registre »). Tout ou rien ; un identifiant déjà connu est mis à jour.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--commune", default="", help="Code INSEE de la commune de toutes les lignes.")
        parser.add_argument("--format", choices=["auto", "csv", "geojson"], default="auto",
                            help="Format du fichier (défaut : d'après son contenu).")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        fmt = options["format"]
        if fmt == "auto" and path.suffix.lower() in {".geojson", ".json"}:
            fmt = "geojson"
        elif fmt == "auto" and path.suffix.lower() == ".csv":
            fmt = "csv"
        try:
            result = devices_import(actor=None, data=path.read_bytes(), fmt=fmt, commune_insee=options["commune"])
        except ApplicationError as error:
            lines = [error.message]
            for fault in error.details.get("errors", []):
                who = f" ({fault['identifier']})" if fault.get("identifier") else ""
                lines.append(f"  - {fault['where']}{who} : {fault['message']}")
            raise CommandError("\n".join(lines)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Registre : {result.created} créé(s), {result.updated} mis à jour, {result.unchanged} inchangé(s)."))
