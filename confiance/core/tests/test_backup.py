"""`confiance backup` then `confiance restore` into a fresh installation: same reports, same files, intact journal."""

import json
import os
import subprocess
import tarfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from confiance.core.testing import CONFIANCE, PROJECT_ROOT, server_process, throwaway_database
from conftest import require_service

SNAPSHOT = r'''
import hashlib
import json
import django
django.setup()
from confiance.privacy.models import AuditEntry
from confiance.reports.models import Report, ReportPhoto
print(json.dumps({
    "reports": sorted(Report.objects.values_list("pk", "tracking_token", "description", "status")),
    "photos": sorted((p.pk, p.sha256, hashlib.sha256(bytes(p.content)).hexdigest()) for p in ReportPhoto.objects.all()),
    "audit": AuditEntry.objects.count(),
}))
'''

PHOTO = r'''
import hashlib
import django
django.setup()
from django.utils import timezone
from confiance.reports.models import Report, ReportPhoto
content = bytes(range(256)) * 40
report = Report.objects.order_by("pk").first()
ReportPhoto.objects.create(report=report, content=content, thumbnail=content[:500], width=64, height=40,
                           size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest(),
                           created_at=timezone.now())
'''


def run(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([CONFIANCE, *args], env=env, capture_output=True, text=True, cwd=PROJECT_ROOT)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def python(env: dict, script: str) -> str:
    result = subprocess.run([str(Path(CONFIANCE).with_name("python")), "-c", script], capture_output=True, text=True,
                            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    return (result.stdout.strip().splitlines() or [""])[-1]


def fresh_env(source: dict, folder: Path, database_url: str | None) -> dict:
    env = {**source, "CONFIANCE_DATA_DIR": str(folder), "CONFIANCE_MEDIA_ROOT": str(folder / "media")}
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def pg_base() -> str:
    base = os.environ.get("DATABASE_URL") or ""
    return urlunparse(urlparse(base)._replace(path="/postgres")) if base.startswith("postgres") else \
        "postgres://postgres@127.0.0.1:5432/postgres"


def round_trip(tmp_path: Path, fresh_database_url: str | None) -> None:
    source_dir = tmp_path / "source"
    extra = {"CONFIANCE_DEMO_REPORTS": "15", "CONFIANCE_MEDIA_ROOT": str(source_dir / "media")}
    with throwaway_database(source_dir, extra) as env:
        python(env, PHOTO)
        upload = source_dir / "media" / "imports" / "plan.bin"  # uploaded files, whatever app writes them
        upload.parent.mkdir(parents=True)
        upload.write_bytes(b"fichier envoye" * 100)
        (source_dir / "journal.key").write_bytes(b"k" * 32)
        before = json.loads(python(env, SNAPSHOT))
        assert len(before["reports"]) == 15 and before["photos"] and before["audit"] > 0
        verified = run(env, "audit", "verify").stdout

        out = run(env, "backup", "--output", str(tmp_path / "backups")).stdout
        archive = next((tmp_path / "backups").glob("confiance-backup-*.tar.gz"))
        assert str(archive) in out and archive.stat().st_mode & 0o077 == 0
        with tarfile.open(archive) as handle:
            names = set(handle.getnames())
        assert {"manifest.json", "media/imports/plan.bin", "data/journal.key"} <= names
        assert not any(name.startswith("data/") and "sqlite3" in name for name in names)

        target = fresh_env(env, tmp_path / "restored", fresh_database_url)
        run(target, "restore", str(archive))
        run(target, "migrate", "--noinput")  # nothing to apply: the schema came with the data
        assert json.loads(python(target, SNAPSHOT)) == before
        assert (tmp_path / "restored" / "media" / "imports" / "plan.bin").read_bytes() == b"fichier envoye" * 100
        assert (tmp_path / "restored" / "journal.key").read_bytes() == b"k" * 32
        assert run(target, "audit", "verify").stdout == verified

        # The restored installation is no longer fresh: a second restore is refused, nothing is overwritten.
        again = run(target, "restore", str(archive), check=False)
        assert again.returncode != 0 and "installation neuve" in again.stderr


def test_backup_restores_on_sqlite(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    round_trip(tmp_path, None)


def test_backup_restores_on_postgresql(tmp_path, monkeypatch):
    require_service("postgresql")
    import psycopg

    base = pg_base()
    monkeypatch.setenv("DATABASE_URL", base)
    name = f"confiance_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        round_trip(tmp_path, urlunparse(urlparse(base)._replace(path=f"/{name}")))
    finally:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_tampered_archive_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with throwaway_database(tmp_path / "source", {"CONFIANCE_MEDIA_ROOT": str(tmp_path / "source" / "media")}) as env:
        run(env, "backup", "--output", str(tmp_path / "backups"))
    archive = next((tmp_path / "backups").glob("*.tar.gz"))
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(archive) as original, tarfile.open(forged, "w:gz") as copy:
        for member in original.getmembers():
            data = original.extractfile(member).read()
            if member.name == "database.sqlite3":
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            copy.addfile(member, fileobj=__import__("io").BytesIO(data))
    target = fresh_env(env, tmp_path / "restored", None)
    result = run(target, "restore", str(forged), check=False)
    assert result.returncode != 0 and "altérée" in result.stderr
    assert not (tmp_path / "restored" / "confiance.sqlite3").exists()


def test_serve_writes_scheduled_backups(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with throwaway_database(tmp_path, {"CONFIANCE_MEDIA_ROOT": str(tmp_path / "media")}) as env:
        env = {**env, "CONFIANCE_BACKUP_DIR": str(tmp_path / "backups"), "CONFIANCE_BACKUP_FIRST_DELAY_SECONDS": "0",
               "CONFIANCE_LOG_LEVEL": "WARNING"}
        with server_process(env, start_seconds=120):
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not list((tmp_path / "backups").glob("*.tar.gz")):
                time.sleep(0.3)
        archives = list((tmp_path / "backups").glob("confiance-backup-*.tar.gz"))
    assert len(archives) == 1
    with tarfile.open(archives[0]) as handle:
        assert json.load(handle.extractfile("manifest.json"))["engine"] == "sqlite"


@pytest.mark.parametrize("keep", [1, 2])
def test_prune_keeps_the_newest(tmp_path, keep):
    from confiance.core.backup import prune_backups

    names = [f"confiance-backup-2026010{day}T000000000000Z.tar.gz" for day in range(1, 5)]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "other.tar.gz").write_bytes(b"")
    prune_backups(tmp_path, keep)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[-keep:], "other.tar.gz"])
