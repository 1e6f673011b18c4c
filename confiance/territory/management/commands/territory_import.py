from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from confiance.core.errors import ApplicationError
from confiance.territory.choices import TerritoryLevel
from confiance.territory.services import territory_import


class Command(BaseCommand):
    help = "Importe des communes ou des secteurs depuis une FeatureCollection GeoJSON (propriétés code et nom)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--level", choices=TerritoryLevel.values, default=TerritoryLevel.COMMUNES)
        parser.add_argument("--epci", default="", help="Nom de l'intercommunalité des communes importées.")
        parser.add_argument("--commune", default="", help="Code INSEE de la commune des secteurs importés.")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            result = territory_import(actor=None, data=path.read_bytes(), level=options["level"],
                                      intercommunality_name=options["epci"], commune_insee=options["commune"])
        except ApplicationError as error:
            lines = [error.message]
            for fault in error.details.get("errors", []):
                where = "fichier" if fault["feature"] is None else f"entité n° {fault['feature']} ({fault['code']})"
                lines.append(f"  - {where} : {fault['message']}")
            raise CommandError("\n".join(lines)) from error
        self.stdout.write(self.style.SUCCESS(
            f"{result.level} : {result.created} créé(s), {result.updated} mis à jour."))
