"""Chain heads anchored outside the database (ADR 0009): an append-only file in the data folder, and syslog.

After a journaled write commits, the head of its chain (sequence and MAC) is appended to the anchor file when the
sequence is a multiple of `CONFIANCE_AUDIT_ANCHOR_EVERY` or when this process has not anchored that chain for
`CONFIANCE_AUDIT_ANCHOR_SECONDS`; `confiance audit_anchor` writes every head at once (cron, before a backup).
`audit verify` reads the file: a chain that stops before an anchored sequence lost its tail, an entry whose MAC
differs from the anchored one was rewritten. One line is one `write()` on a file opened in append mode, so
processes do not interleave lines; a torn last line (power cut) is skipped.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import threading
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("confiance.audit.anchor")
_last_anchored: dict[int, float] = {}
_lock = threading.Lock()


def anchor_file() -> Path:
    return Path(settings.CONFIANCE_AUDIT_ANCHOR_FILE)


def anchor_due(chain: int, sequence: int) -> bool:
    """Whether this head is to be anchored; marks the chain as anchored now when it is."""
    now = time.monotonic()
    with _lock:
        last = _last_anchored.get(chain)
        if (sequence % settings.CONFIANCE_AUDIT_ANCHOR_EVERY == 0 or last is None
                or now - last >= settings.CONFIANCE_AUDIT_ANCHOR_SECONDS):
            _last_anchored[chain] = now
            return True
    return False


@lru_cache(maxsize=4)
def _syslog_handler(address: str) -> logging.Handler:
    host, _, port = address.rpartition(":")
    target = (host, int(port)) if host and port.isdigit() else address
    handler = logging.handlers.SysLogHandler(address=target)
    handler.setFormatter(logging.Formatter("confiance-audit: %(message)s"))
    return handler


def anchor_write(heads: list[tuple[int, int, str, str]]) -> None:
    """Append (chain, sequence, mac, key id) heads to the anchor file, and to syslog when configured."""
    if not heads:
        return
    at = timezone.now().isoformat(timespec="seconds")
    lines = [json.dumps({"chain": chain, "sequence": sequence, "mac": mac, "key_id": key_id, "at": at},
                        separators=(",", ":")) for chain, sequence, mac, key_id in heads]
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, "".join(line + "\n" for line in lines).encode())
    finally:
        os.close(descriptor)
    address = settings.CONFIANCE_AUDIT_ANCHOR_SYSLOG
    for line in lines:
        if address:
            _syslog_handler(address).handle(logger.makeRecord(logger.name, logging.INFO, __file__, 0, line, (), None))
        logger.debug("audit head %s", line)


def anchored_points() -> dict[int, dict[int, str]]:
    """chain -> {sequence: mac} of every head ever anchored (the file may be absent: nothing anchored yet)."""
    points: dict[int, dict[int, str]] = {}
    try:
        text = anchor_file().read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return points
    for line in text.splitlines():
        try:
            row = json.loads(line)
            chain, sequence, mac = int(row["chain"]), int(row["sequence"]), str(row["mac"])
        except (ValueError, KeyError, TypeError):
            continue  # a torn line
        points.setdefault(chain, {})[sequence] = mac
    return points
