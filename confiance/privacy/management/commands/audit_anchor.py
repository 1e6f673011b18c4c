from django.core.management.base import BaseCommand

from confiance.privacy.journal import anchor_heads, chain_label


class Command(BaseCommand):
    help = ("Ancre hors de la base la tête de chaque chaîne du journal d'audit (fichier d'ancrage, syslog) : "
            "à lancer périodiquement (cron, minuteur systemd) et avant chaque sauvegarde.")

    def handle(self, *args, **options):
        heads = anchor_heads()
        for chain, sequence, _mac, _key_id in heads:
            self.stdout.write(f"{chain_label(chain)} : tête n° {sequence} ancrée")
        self.stdout.write(self.style.SUCCESS(f"{len(heads)} tête(s) de chaîne ancrée(s)."))
