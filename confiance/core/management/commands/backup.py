from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from confiance.core.backup import BackupError, create_backup, prune_backups


class Command(BaseCommand):
    help = ("Sauvegarde la base (SQLite : sauvegarde en ligne ; PostgreSQL : pg_dump), les fichiers envoyés et les "
            "secrets du dossier de données dans une archive horodatée.")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(settings.CONFIANCE_BACKUP_DIR or ""),
                            help="Dossier de l'archive (par défaut CONFIANCE_BACKUP_DIR).")
        parser.add_argument("--keep", type=int, default=0,
                            help="Ne garder que les N archives les plus récentes du dossier (0 : toutes).")

    def handle(self, *args, **options):
        if not options["output"]:
            raise CommandError("Indiquez --output DOSSIER ou CONFIANCE_BACKUP_DIR.")
        try:
            result = create_backup(options["output"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["keep"] > 0:
            prune_backups(options["output"], options["keep"])
        self.stdout.write(f"Base : {result.engine} ; fichiers envoyés : {result.media_files} ; "
                          f"secrets : {', '.join(result.data_files) or 'aucun'}")
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite : {result.path} ({result.size} octets)"))
