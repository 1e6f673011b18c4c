from django.core.management.base import BaseCommand

from confiance.privacy.retention_engine import registered_rules
from confiance.privacy.services import retention_run


class Command(BaseCommand):
    help = "Applique les durées de conservation déclarées par chaque module (par lots, rejouable)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compte sans rien modifier.")
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--trigger", default="command", choices=["command", "schedule"],
                            help="Qui lance le passage (le tableau de bord de la conservation l'affiche).")

    def handle(self, *args, **options):
        descriptions = {rule.name: rule.description for rule in registered_rules()}
        outcomes = retention_run(actor=None, dry_run=options["dry_run"], batch_size=options["batch_size"],
                                 trigger=options["trigger"])
        verb = "à traiter" if options["dry_run"] else "traité(s)"
        for outcome in outcomes:
            archive = f" — archive {outcome.archive}" if outcome.archive else ""
            self.stdout.write(f"{outcome.rule} ({outcome.action}) : {outcome.processed} {verb}{archive}")
            self.stdout.write(f"    {descriptions.get(outcome.rule, '')}")
