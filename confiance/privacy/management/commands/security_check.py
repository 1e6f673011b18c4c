from django.core.management.base import BaseCommand, CommandError

from confiance.privacy.security_checks import run_checks


class Command(BaseCommand):
    help = ("Vérifie le déploiement (Django, TLS/HSTS, clé secrète, fichier de base, sauvegardes) ; "
            "échoue si une vérification échoue.")

    def handle(self, *args, **options):
        results = run_checks()
        for check in results:
            mark = "OK   " if check.ok else "ÉCHEC"
            self.stdout.write(f"[{mark}] {check.name} — {check.detail}")
        failed = [check for check in results if not check.ok]
        if failed:
            raise CommandError(f"{len(failed)} vérification(s) en échec sur {len(results)}.")
        self.stdout.write(f"{len(results)} vérifications réussies.")
