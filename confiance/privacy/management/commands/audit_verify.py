from django.core.management.base import BaseCommand, CommandError

from confiance.privacy.journal import chain_label
from confiance.privacy.journal_verify import verify_chain


class Command(BaseCommand):
    help = ("Vérifie chaque chaîne du journal d'audit (une par commune) : signatures, points de reprise, "
            "scellement et têtes ancrées hors de la base ; signale le premier maillon rompu.")

    def handle(self, *args, **options):
        report = verify_chain()
        for chain in report.chains:
            state = "intègre" if chain.ok else f"rompue à l'entrée n° {chain.first_broken_sequence}"
            self.stdout.write(f"{chain_label(chain.chain)} : {chain.checked} entrée(s) vérifiée(s), {state}")
        broken = report.broken
        if broken is not None:
            raise CommandError(
                f"Journal rompu dans la {chain_label(broken.chain)}, à l'entrée n° {broken.first_broken_sequence} : "
                f"{broken.reason} ({broken.checked} entrée(s) vérifiée(s) avant elle dans cette chaîne)."
            )
        if not report.ok:
            raise CommandError(f"Journal non vérifié : {report.reason}.")
        self.stdout.write(self.style.SUCCESS(f"Journal intègre : {report.checked} entrée(s) vérifiée(s)."))
