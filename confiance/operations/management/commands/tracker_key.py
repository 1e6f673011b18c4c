from django.core.management.base import BaseCommand, CommandError

from confiance.core.errors import ApplicationError
from confiance.operations.models import Unit
from confiance.operations.services.positions import unit_tracker_set


class Command(BaseCommand):
    help = ("Associe un traceur GPS (OsmAnd, Traccar Client, OwnTracks) à une unité et affiche sa clé, une seule "
            "fois. Une nouvelle clé remplace l'ancienne.")

    def add_arguments(self, parser):
        parser.add_argument("commune", help="Code INSEE de la commune de l'unité")
        parser.add_argument("unit", help="Indicatif de l'unité (ex. « PM Mennecy 1 »)")
        parser.add_argument("tracker", help="Identifiant envoyé par le traceur")

    def handle(self, *args, **options):
        unit = Unit.objects.filter(commune__insee_code=options["commune"], name=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Unité introuvable : {options['unit']} ({options['commune']}).")
        try:
            key = unit_tracker_set(actor=None, unit=unit, tracker_id=options["tracker"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Traceur « {options['tracker']} » de {unit.name} : clé {key}")
        self.stdout.write("OsmAnd : https://VOTRE-SERVEUR/positions/osmand?id=" + options["tracker"] + "&key=" + key
                          + "&lat={0}&lon={1}&timestamp={2}&speed={5}&accuracy={3}")
