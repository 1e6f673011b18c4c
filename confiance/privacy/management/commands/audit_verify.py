from django.core.management.base import BaseCommand, CommandError

from confiance.privacy.journal import verify_chain


class Command(BaseCommand):
    help = "Vérifie le chaînage du journal d'audit et signale le premier maillon rompu."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Journal rompu à l'entrée n° {report.first_broken_sequence} : {report.reason} "
                f"({report.checked} entrée(s) vérifiée(s) avant elle)."
            )
        self.stdout.write(self.style.SUCCESS(f"Journal intègre : {report.checked} entrée(s) vérifiée(s)."))
