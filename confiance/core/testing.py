"""Testing helpers: real server processes on a throwaway database, and a small SSE reader."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONFIANCE = str(Path(sys.executable).with_name("confiance"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# The migrated, still empty database, built once per test session and per database server, then copied for each
# throwaway database (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL): `migrate` from nothing takes
# 25 s and some thirty test modules want a server of their own. The schema depends on no setting a test passes (those
# name folders, the demo's size, poll delays, mail backends), so one template serves them all; keying it on them gave
# every test naming a folder of its own a migration from nothing. The demo itself is loaded in every copy, since its
# positions and times are relative to the moment it is loaded (a copied demo would be stale for the later modules).
_TEMPLATES: dict[str, tuple[Path, str]] = {}


def _postgres_url(base_url: str, name: str) -> str:
    return urlunparse(urlparse(base_url)._replace(path=f"/{name}"))


def _demo_env(folder: Path, extra_env: dict[str, str] | None) -> dict[str, str]:
    env = {**os.environ, "CONFIANCE_ENV": "demo", "CONFIANCE_DATA_DIR": str(folder),
           "CONFIANCE_DEMO_REPORTS": "0", "CONFIANCE_DEMO_INTERVENTIONS": "0",
           "CONFIANCE_EMAIL_FILE_PATH": str(folder / "mail"), **(extra_env or {})}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _migrated_template() -> tuple[Path, str]:
    """(data folder, PostgreSQL database name or "") of the session's migrated database on this database server."""
    key = os.environ.get("DATABASE_URL", "")
    if key not in _TEMPLATES:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="confiance-migrated-"))
        env = _demo_env(folder, None)
        base_url = os.environ.get("DATABASE_URL", "")
        name = ""
        if base_url.startswith("postgres"):
            import psycopg

            name = f"confiance_tpl_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(base_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            env["DATABASE_URL"] = _postgres_url(base_url, name)
        subprocess.run([CONFIANCE, "migrate", "--noinput"], env=env, check=True, capture_output=True, cwd=PROJECT_ROOT)
        _TEMPLATES[key] = (folder, name)
        if len(_TEMPLATES) == 1:
            import atexit

            atexit.register(drop_templates)
    return _TEMPLATES[key]


def drop_templates() -> None:
    """Remove the session's templates: at the end of a pytest session (conftest.py; xdist's workers leave without
    running `atexit`) and at the exit of any other process that made one."""
    import shutil

    templates = list(_TEMPLATES.items())
    _TEMPLATES.clear()
    for base_url, (folder, name) in templates:  # each made on the server its key names
        shutil.rmtree(folder, ignore_errors=True)
        if name and base_url.startswith("postgres"):
            try:
                import psycopg

                with psycopg.connect(base_url, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception:  # noqa: S110 - the server may be gone at exit; a leftover template harms nothing
                pass


@contextmanager
def migrated_database(tmp_path: Path, extra_env: dict[str, str] | None = None):
    """The session's migrated, empty database copied into `tmp_path` (and into a PostgreSQL database of its own when
    DATABASE_URL names one); yields the environment of the processes that use it."""
    import shutil

    template_folder, template_name = _migrated_template()
    shutil.copytree(template_folder, tmp_path, dirs_exist_ok=True)
    env = _demo_env(tmp_path, extra_env)
    base_url = os.environ.get("DATABASE_URL", "")
    name = f"confiance_e2e_{uuid.uuid4().hex[:10]}"
    if base_url.startswith("postgres"):
        import psycopg

        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
        env["DATABASE_URL"] = _postgres_url(base_url, name)
    try:
        yield env
    finally:
        if base_url.startswith("postgres"):
            import psycopg

            with psycopg.connect(base_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def throwaway_database(tmp_path: Path, extra_env: dict[str, str] | None = None):
    """A demo territory of its own in `tmp_path` (and its own PostgreSQL database when DATABASE_URL names one):
    the session's migrated database copied, then the demo loaded, so what a test writes is seen by no other test."""
    with migrated_database(tmp_path, extra_env) as env:
        subprocess.run([CONFIANCE, "demo", "load"], env=env, check=True, capture_output=True, cwd=PROJECT_ROOT)
        yield env


@contextmanager
def server_process(env: dict[str, str], *, port: int | None = None, start_seconds: float = 120):
    """`confiance serve` in a child process; yields its base URL once it answers."""
    port = port or free_port()
    log = open(Path(env["CONFIANCE_DATA_DIR"]) / f"server-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen([CONFIANCE, "serve", "--port", str(port)], env=env, stdout=log, stderr=log,
                               cwd=PROJECT_ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_seconds
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {Path(log.name).read_text()}")
            if service_reachable("127.0.0.1", port, 0.2):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"server did not start in {start_seconds:.0f} s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def login_client(base: str, username: str, password: str) -> httpx.Client:
    """An httpx client holding an agent's session cookie (demo mode: no second factor)."""
    client = httpx.Client(base_url=base, timeout=10)
    client.get("/comptes/connexion/")
    response = client.post("/comptes/connexion/", data={
        "username": username, "password": password, "csrfmiddlewaretoken": client.cookies["csrftoken"],
    })
    assert response.status_code == 302, response.text[:500]
    return client


def parse_sse(text: str) -> list[dict]:
    """SSE text -> list of {id, event, data} for the messages that carry data."""
    messages = []
    for block in text.split("\n\n"):
        message: dict = {}
        for line in block.splitlines():
            if line.startswith(":") or ":" not in line:
                continue
            key, _, value = line.partition(":")
            message[key] = value.lstrip(" ")
        if "data" in message:
            message["data"] = json.loads(message["data"])
            messages.append(message)
    return messages


def instant(value: str | datetime | None) -> datetime | None:
    """A time as the ORM gives it, from what a raw statement gives (a string on SQLite): for ORM-parity tests."""
    from django.utils.dateparse import parse_datetime

    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def held_transaction(work, started, release, outcome: dict):
    """`work()` in a transaction of its own thread and connection, kept open until `release` (an Event) is set;
    `started` is set once it has run, `outcome` gets its result, or the error. For tests of two transactions."""
    import threading

    from django.db import connections, transaction

    def run() -> None:
        try:
            with transaction.atomic():
                outcome["result"] = work()
                started.set()
                outcome["released"] = release.wait(20)
        except Exception as error:  # pragma: no cover - reported by the assertions
            outcome["error"] = error
            started.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def finished_later(work):
    """`work()` in a thread of its own (its own connection); the dict says when it ended and how."""
    import threading

    from django.db import connections

    done: dict = {}

    def run() -> None:
        try:
            done["result"] = work()
        except Exception as error:  # pragma: no cover - reported by the assertions
            done["error"] = error
        finally:
            done["ended"] = True
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, done
