"""`confiance security check`: the deployment checks the RSSI runs (ANSSI hygiene), each passed or failed with why.

Django's own deployment checks, then TLS and HSTS settings, the secret key's strength, the database file's
permissions (SQLite) and a recent backup in CONFIANCE_BACKUP_DIR.
"""

from __future__ import annotations

import stat
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import checks

MIN_HSTS_SECONDS = 180 * 24 * 3600


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _django_deploy() -> Check:
    messages = [message for message in checks.run_checks(include_deployment_checks=True)
                if message.level >= checks.WARNING and not message.is_silenced()]
    detail = "; ".join(f"{message.id}: {message.msg}" for message in messages[:8])
    return Check("Vérifications de déploiement de Django (check --deploy)", not messages, detail or "aucune alerte")


def _tls() -> list[Check]:
    hsts = getattr(settings, "SECURE_HSTS_SECONDS", 0) or 0
    return [
        Check("Redirection vers HTTPS (SECURE_SSL_REDIRECT)", bool(getattr(settings, "SECURE_SSL_REDIRECT", False)),
              "activée" if getattr(settings, "SECURE_SSL_REDIRECT", False) else "désactivée"),
        Check("En-tête HSTS d'au moins 6 mois (SECURE_HSTS_SECONDS)", hsts >= MIN_HSTS_SECONDS, f"{hsts} s"),
        Check("Cookies de session et CSRF réservés à HTTPS",
              bool(settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE),
              f"session={settings.SESSION_COOKIE_SECURE}, csrf={settings.CSRF_COOKIE_SECURE}"),
    ]


def _secret() -> Check:
    key = settings.SECRET_KEY or ""
    weak = len(key) < 50 or len(set(key)) < 5 or "test" in key.lower() or key.startswith("django-insecure")
    return Check("Clé secrète forte (CONFIANCE_SECRET_KEY)", not weak,
                 f"{len(key)} caractères, {len(set(key))} distincts" + (" — clé de test ou faible" if weak else ""))


def _database_file() -> Check:
    database = settings.DATABASES["default"]
    if "sqlite" not in database["ENGINE"]:
        return Check("Permissions du fichier de base de données", True, "PostgreSQL : sans fichier local")
    path = Path(str(database["NAME"]))
    if not path.exists():
        return Check("Permissions du fichier de base de données", False, f"{path} introuvable")
    mode = stat.S_IMODE(path.stat().st_mode)
    return Check("Permissions du fichier de base de données (ni groupe ni autres)", not mode & 0o077,
                 f"{path} : {oct(mode)}")


def _backups(now: float | None = None) -> Check:
    from confiance.core.backup import ARCHIVE_PREFIX

    directory = settings.CONFIANCE_BACKUP_DIR
    if not directory:
        return Check("Sauvegardes présentes et récentes", False, "CONFIANCE_BACKUP_DIR n'est pas défini")
    archives = sorted(Path(directory).glob(f"{ARCHIVE_PREFIX}*"), key=lambda path: path.stat().st_mtime)
    if not archives:
        return Check("Sauvegardes présentes et récentes", False, f"aucune archive dans {directory}")
    age_hours = ((now or time.time()) - archives[-1].stat().st_mtime) / 3600
    limit = settings.CONFIANCE_BACKUP_MAX_AGE_HOURS
    return Check(f"Sauvegarde de moins de {limit} h", age_hours <= limit,
                 f"{archives[-1].name}, il y a {age_hours:.0f} h")


def run_checks() -> list[Check]:
    return [_django_deploy(), *_tls(), _secret(), _database_file(), _backups()]
