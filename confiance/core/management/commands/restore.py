from django.core.management.base import BaseCommand, CommandError

from confiance.core.backup import BackupError, restore_archive


class Command(BaseCommand):
    help = ("Restaure une archive de `confiance backup` dans une installation neuve (base vide, dossier des fichiers "
            "envoyés vide), puis lancez `confiance migrate` et `confiance audit verify`.")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Archive confiance-backup-*.tar.gz")

    def handle(self, *args, **options):
        try:
            manifest = restore_archive(options["archive"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        media = sum(1 for name in manifest["members"] if name.startswith("media/"))
        secrets = [name.removeprefix("data/") for name in manifest["members"] if name.startswith("data/")]
        self.stdout.write(f"Sauvegarde du {manifest['created_at']} ({manifest['engine']}) ; fichiers envoyés : "
                          f"{media} ; secrets : {', '.join(secrets) or 'aucun'}")
        self.stdout.write(self.style.SUCCESS("Restauration terminée."))
