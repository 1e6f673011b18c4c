import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from confiance.core.errors import ApplicationError
from confiance.operations.roads import roads_import
from confiance.privacy.services import audit_record


class Command(BaseCommand):
    help = ("Importe le réseau routier d'un extrait OpenStreetMap (.osm ou .osm.pbf) pour classer les unités "
            "par temps de trajet. Remplace le réseau précédent.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            result = roads_import(options["file"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        audit_record(actor=None, action="operations.roads_import",
                     extra={"file": options["file"].name, "nodes": result.nodes, "edges": result.edges})
        self.stdout.write(self.style.SUCCESS(
            f"Réseau routier : {result.ways} voies, {result.nodes} nœuds, {result.edges} tronçons orientés "
            f"({time.perf_counter() - started:.1f} s)."))
