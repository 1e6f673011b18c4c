"""Typed readers of environment variables, shared by the settings module."""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on", "oui"}
FALSE_WORDS = {"0", "false", "no", "off", "non", ""}


def env_str(name: str, default: str = "") -> str:
    """Return the variable as text, or the default when unset."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean; refuse words that are neither."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return the variable as an integer within bounds."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum {maximum}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return a comma-separated variable as a list of non-empty items."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


SECRET_MIN_LENGTH = 50


def _read_secret(path: Path) -> str:
    if path.stat().st_mode & 0o077:
        raise ImproperlyConfigured(f"{path} is readable by other users: restrict it with `chmod 600 {path}`.")
    value = path.read_text(encoding="utf-8").strip()
    if len(value) < SECRET_MIN_LENGTH:
        raise ImproperlyConfigured(f"{path} holds fewer than {SECRET_MIN_LENGTH} characters: delete it to get a new "
                                   "secret (signed links and sessions made with the old one stop working).")
    return value


def installation_secret(path: Path) -> str:
    """The secret kept in `path`, generated at random on first use (mode 0600), the same for every later process.

    Concurrent first starts agree: each writes a complete candidate file and links it into place; the link fails
    for all but one, and everyone reads the winner. A file other users may read is refused.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, candidate = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # created 0600
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process started first: its secret stands
                os.link(candidate, path)
        finally:
            os.unlink(candidate)
    return _read_secret(path)


def env_url(name: str, schemes: set[str], default: str = "") -> str:
    """Return the variable as a URL with one of `schemes` and a host, or "" when unset; refuse anything else."""
    from urllib.parse import urlparse

    raw = os.environ.get(name, default).strip()
    if not raw:
        return ""
    try:
        parts = urlparse(raw)
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: not a URL ({exc}).") from exc
    if parts.scheme not in schemes or not parts.hostname or (port is not None and not 0 < port < 65536):
        raise ImproperlyConfigured(f"{name}: expected {'|'.join(sorted(schemes))}://user:password@host:port.")
    return raw
