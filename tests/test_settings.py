"""Production fails closed; `check --deploy` is clean with real values; SQLite runs in WAL mode."""

import os
import subprocess
import sys

from confiance.core.testing import PROJECT_ROOT


def run_django(env_extra: dict, *args: str) -> subprocess.CompletedProcess:
    outer = ("CONFIANCE_", "DJANGO_", "DATABASE_URL", "REDIS_URL")  # the child reads only what the test gives
    env = {k: v for k, v in os.environ.items() if not k.startswith(outer)}
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", *args], env=env, capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=60)


def test_production_refuses_to_start_without_secret_key():
    result = run_django({"CONFIANCE_ENV": "production", "CONFIANCE_ALLOWED_HOSTS": "confiance.example.fr"}, "check")
    assert result.returncode != 0 and "CONFIANCE_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_django({"CONFIANCE_ENV": "production", "CONFIANCE_SECRET_KEY": "k" * 64}, "check")
    assert result.returncode != 0 and "CONFIANCE_ALLOWED_HOSTS" in result.stderr


def test_check_deploy_reports_nothing_in_production(tmp_path):
    result = run_django({
        "CONFIANCE_ENV": "production", "CONFIANCE_SECRET_KEY": "x7#Qp2!vL9zR4mT8wB1nK6cY3hJ5dF0gS2aE7uI9oP4lZ8-Wq3@Ht6",
        "CONFIANCE_ALLOWED_HOSTS": "confiance.example.fr", "CONFIANCE_DATA_DIR": str(tmp_path),
        "CONFIANCE_STATIC_ROOT": str(tmp_path / "static"),
    }, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_unknown_environment_name_is_refused():
    result = run_django({"CONFIANCE_ENV": "prod"}, "check")
    assert result.returncode != 0 and "CONFIANCE_ENV" in result.stderr


def test_embedded_sqlite_uses_wal_busy_timeout_and_foreign_keys(tmp_path):
    probe = (
        "from django.db import connection; c = connection.cursor(); "
        "print([c.execute(f'PRAGMA {p}').fetchone()[0] for p in ('journal_mode', 'foreign_keys', 'busy_timeout')])"
    )
    result = run_django({"CONFIANCE_ENV": "development", "CONFIANCE_DATA_DIR": str(tmp_path)}, "shell", "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['wal', 1, 20000]"
    assert (tmp_path / "confiance.sqlite3").exists()


PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def secret_key_of(env_extra: dict) -> str:
    result = run_django(env_extra, "shell", "-c", PRINT_KEY)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_development_and_demo_generate_one_secret_key_per_installation(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    key = secret_key_of({"CONFIANCE_ENV": "demo", "CONFIANCE_DATA_DIR": str(first)})
    key_file = first / "secret_key"
    assert key_file.read_text().strip() == key and len(key) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "insecure" not in key and "confiance" not in key  # not the former fixed, public key
    assert secret_key_of({"CONFIANCE_ENV": "development", "CONFIANCE_DATA_DIR": str(first)}) == key  # kept
    other = secret_key_of({"CONFIANCE_ENV": "demo", "CONFIANCE_DATA_DIR": str(second)})
    assert other != key  # another installation cannot forge this one's links


def test_a_secret_key_file_others_may_read_is_refused(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 64)
    key_file.chmod(0o644)
    result = run_django({"CONFIANCE_ENV": "demo", "CONFIANCE_DATA_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0 and "chmod 600" in result.stderr


def test_a_secret_key_from_the_environment_writes_no_file(tmp_path):
    assert secret_key_of({"CONFIANCE_ENV": "development", "CONFIANCE_DATA_DIR": str(tmp_path),
                          "CONFIANCE_SECRET_KEY": "e" * 60}) == "e" * 60
    assert not (tmp_path / "secret_key").exists()


def test_concurrent_first_starts_agree_on_one_secret(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from config.env import installation_secret

    path = tmp_path / "data" / "secret_key"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: installation_secret(path), range(32)))
    assert keys == {path.read_text().strip()}
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret_key"]  # no candidate file left behind


def test_tests_keep_a_fixed_key(tmp_path):
    env = {"CONFIANCE_ENV": "test", "CONFIANCE_DATA_DIR": str(tmp_path)}
    assert secret_key_of(env) == secret_key_of(env)
    assert not (tmp_path / "secret_key").exists()
