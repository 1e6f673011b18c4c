from django.core.management.base import BaseCommand, CommandError

from confiance.accounts.models import Agent
from confiance.accounts.services import api_token_create
from confiance.core.errors import ApplicationError
from confiance.territory.models import Commune


class Command(BaseCommand):
    help = "Émet un jeton d'API pour un agent (le secret n'est affiché qu'une fois)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True)
        parser.add_argument("--commune", action="append", required=True, help="Code INSEE (répétable).")
        parser.add_argument("--permission", action="append", required=True, help="Permission (répétable).")
        parser.add_argument("--days", type=int, default=90)

    def handle(self, *args, **options):
        agent = Agent.objects.filter(username=options["username"]).first()
        if agent is None:
            raise CommandError(f"Agent inconnu : {options['username']}")
        communes = list(Commune.objects.filter(insee_code__in=options["commune"]))
        missing = set(options["commune"]) - {c.insee_code for c in communes}
        if missing:
            raise CommandError(f"Communes inconnues : {', '.join(sorted(missing))}")
        try:
            issued = api_token_create(actor=None, agent=agent, name=options["name"], communes=communes,
                                      permissions=options["permission"], days=options["days"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(issued.secret)
