from django.core.management.base import BaseCommand, CommandError

from confiance.accounts.models import ApiToken
from confiance.accounts.services import api_token_revoke


class Command(BaseCommand):
    help = "Révoque un jeton d'API par son préfixe."

    def add_arguments(self, parser):
        parser.add_argument("prefix")

    def handle(self, *args, **options):
        token = ApiToken.objects.filter(prefix=options["prefix"]).first()
        if token is None:
            raise CommandError(f"Jeton inconnu : {options['prefix']}")
        api_token_revoke(actor=None, token=token)
        self.stdout.write(self.style.SUCCESS(f"Jeton {token.prefix} révoqué."))
