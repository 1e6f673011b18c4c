from django.core.management.base import BaseCommand, CommandError

from confiance.core.errors import ApplicationError
from confiance.devices.services.registry import token_issue


class Command(BaseCommand):
    help = ("Émet un nouveau jeton pour une passerelle ou un capteur (par son identifiant) et l'affiche une seule "
            "fois ; il remplace l'ancien aussitôt. Seule son empreinte SHA-256 est conservée.")

    def add_arguments(self, parser):
        parser.add_argument("identifier", help="Identifiant de la passerelle ou du capteur")

    def handle(self, *args, **options):
        try:
            issued = token_issue(actor=None, identifier=options["identifier"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        what = "Passerelle" if issued.kind == "gateway" else "Capteur"
        self.stdout.write(f"{what} « {issued.identifier} » : jeton {issued.token}")
        self.stdout.write("Notez-le maintenant : il ne sera plus affiché (docs/devices.md, « Registre »).")
