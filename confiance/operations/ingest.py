"""GPS tracker positions over HTTP: OsmAnd / Traccar Client and OwnTracks, as a lean ASGI endpoint.

    /positions/osmand?id=<tracker>&key=<key>&lat=..&lon=..&timestamp=..&speed=..&accuracy=..   (GET or POST)
    /positions/owntracks   POST JSON {"_type": "location", "lat", "lon", "tst", "acc", "vel"}, HTTP Basic
                           <tracker>:<key> (OwnTracks "HTTP" mode)

Trackers send one position per request, many per second across a fleet, so this path skips Django's request
machinery: it counts the request against the rate limits (per address, then per unit), authenticates (tracker keys
cached for a minute), then reads and validates the position, and hands it to one writer thread that commits what
has queued up in a single transaction (group commit). The response is sent once the position is committed, so a
200 means stored. Refused positions of a known tracker are counted per tracker and reason; a request whose tracker
does not authenticate writes nothing but one shared counter ("?"), and one over a rate limit writes nothing.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import queue
import threading
import time
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from django.db import close_old_connections
from django.utils import timezone

from confiance.core.parsing import ParseError, check_datetime, check_text, parse_datetime, parse_json
from confiance.core.ratelimits import rate_check, rate_message, scope_client_ip
from confiance.operations.choices import PositionSource
from confiance.operations.drafts import PositionFix
from confiance.operations.services.positions import (
    position_problem,
    position_reject,
    positions_store,
    tracker_authenticate,
    tracker_key_hash,
)

logger = logging.getLogger(__name__)
MAX_BODY = 16 * 1024
MAX_BATCH = 1000
KEY_CACHE_SECONDS = 60
KNOTS_TO_KMH = 1.852
UNKNOWN_TRACKER = "?"  # the one counter of positions whose tracker did not authenticate


class Refused(Exception):
    def __init__(self, status: int, reason: str, tracker: str = "", count: bool = True) -> None:
        super().__init__(reason)
        self.status, self.reason, self.tracker, self.count = status, reason, tracker, count


def _number(value, name: str, tracker: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Refused(400, f"{name}_invalide", tracker) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Refused(400, f"{name}_invalide", tracker)
    return number


def _timestamp(value, tracker: str) -> datetime:
    """Epoch seconds (or milliseconds), or ISO 8601 with a time zone; missing means now."""
    if value in (None, ""):
        return timezone.now()
    text = str(value).strip()
    try:
        try:
            epoch = float(text)
        except ValueError:
            moment = parse_datetime(text.replace(" ", "+", 1) if text.count(" ") == 1 and "T" in text else text,
                                    require_zone=True)
            if moment is None:
                raise ParseError(text) from None
            return moment
        if epoch != epoch or epoch < 0:
            raise ParseError(text)
        if epoch > 1e11:  # milliseconds
            epoch /= 1000
        return check_datetime(datetime.fromtimestamp(epoch, tz=UTC))
    except (ParseError, OverflowError, OSError, ValueError):
        raise Refused(400, "horodatage_invalide", tracker) from None


def _basic(headers: dict[bytes, bytes]) -> tuple[str, str]:
    header = headers.get(b"authorization", b"").decode("latin-1")
    if not header.lower().startswith("basic "):
        return "", ""
    try:
        user, _, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    return user, password


class _Writer:
    """One thread that commits queued positions in batches and wakes each waiting request."""

    def __init__(self) -> None:
        self.items: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="confiance-positions", daemon=True)
        self.thread.start()

    def submit(self, item) -> None:
        self.items.put(item)

    def _run(self) -> None:
        while True:
            batch = [self.items.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self.items.get_nowait())
                except queue.Empty:
                    break
            accepted = [item for item in batch if item[0] == "position"]
            rejected = [item for item in batch if item[0] == "reject"]
            error: Exception | None = None
            try:
                close_old_connections()
                positions_store([(unit_id, fix, source) for _, unit_id, fix, source, *_ in accepted])
                for _, tracker, reason in rejected:
                    position_reject(tracker, reason)
            except Exception as exc:  # the requests get a 503 and the tracker retries
                logger.exception("positions batch of %s not stored", len(accepted))
                error = exc
            for _, _, _, _, loop, future in accepted:
                loop.call_soon_threadsafe(_settle, future, error)


def _settle(future: asyncio.Future, error: Exception | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


class PositionIngest:
    """The ASGI application mounted under /positions/."""

    def __init__(self) -> None:
        self._writer: _Writer | None = None
        self._lock = threading.Lock()
        self._keys: dict[tuple[str, str], tuple[int | None, float]] = {}

    @property
    def writer(self) -> _Writer:
        with self._lock:
            if self._writer is None:
                self._writer = _Writer()
            return self._writer

    async def __call__(self, scope, receive, send) -> None:
        method = scope["method"]
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                await self._respond(send, 413, {"code": "trop_volumineux", "message": "Requête trop volumineuse."})
                return
            if not message.get("more_body"):
                break
        headers = dict(scope["headers"])
        path = scope["path"].rstrip("/")
        exceeded = rate_check("tracker", ip=scope_client_ip(scope))
        if exceeded is not None:  # nothing read, nothing written
            await self._respond(send, 429, {"code": "trop_de_requetes", "message": rate_message(exceeded)},
                                retry_after=exceeded.retry_after)
            return
        try:
            if path.endswith("/osmand") and method in ("GET", "POST"):
                tracker, key, read_fix = self._osmand(scope, headers, body)
            elif path.endswith("/owntracks") and method == "POST":
                tracker, key, read_fix = self._owntracks(headers, body)
            else:
                await self._respond(send, 404, {"code": "not_found", "message": "Protocole inconnu."})
                return
            try:
                check_text(tracker), check_text(key or "")
            except ParseError:
                raise Refused(400, "identifiant_invalide", count=False) from None
            unit_id = await self._authenticate(tracker, key)
            if unit_id is None:
                # Unauthenticated: one shared counter, never a row per claimed tracker name.
                raise Refused(401, "traceur_inconnu", UNKNOWN_TRACKER)
            exceeded = rate_check("tracker", account=str(unit_id))
            if exceeded is not None:
                raise Refused(429, "trop_de_requetes", tracker, count=False)
            parsed = read_fix()
            if parsed is None:  # not a location message (waypoints, status...): nothing to store
                await self._respond(send, 200, [])
                return
            fix, source = parsed
            problem = position_problem(fix, timezone.now())
            if problem:
                raise Refused(400, problem, tracker)
        except Refused as refused:
            if refused.count:
                self.writer.submit(("reject", refused.tracker or UNKNOWN_TRACKER, refused.reason))
            await self._respond(send, refused.status, {"code": refused.reason,
                                                       "message": "Position refusée : " + refused.reason})
            return
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.writer.submit(("position", unit_id, fix, source, loop, future))
        try:
            await future
        except Exception:
            await self._respond(send, 503, {"code": "indisponible", "message": "Réessayez."})
            return
        await self._respond(send, 200, [] if source == PositionSource.OWNTRACKS else {"accepted": 1})

    def _osmand(self, scope, headers, body):
        """The tracker, its key, and how to read the position (once the tracker is authenticated)."""
        params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        if body and headers.get(b"content-type", b"").startswith(b"application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        user, password = _basic(headers)
        tracker = (params.get("id") or params.get("deviceid") or user or "")[:100]
        key = params.get("key") or password
        if not tracker:
            raise Refused(400, "identifiant_manquant", count=False)

        def read_fix():
            lat = _number(params.get("lat"), "latitude", tracker)
            lon = _number(params.get("lon"), "longitude", tracker)
            if lat is None or lon is None:
                raise Refused(400, "coordonnees_invalides", tracker)
            speed = _number(params.get("speed"), "vitesse", tracker)
            fix = PositionFix(lat=lat, lon=lon, recorded_at=_timestamp(params.get("timestamp"), tracker),
                              accuracy_m=_number(params.get("accuracy"), "precision", tracker),
                              speed_kmh=None if speed is None else speed * KNOTS_TO_KMH)
            return fix, PositionSource.OSMAND

        return tracker, key, read_fix

    def _owntracks(self, headers, body):
        """The tracker, its key, and how to read the position (None: not a location message)."""
        user, password = _basic(headers)
        tracker = (user or headers.get(b"x-limit-d", b"").decode("latin-1"))[:100]
        if not tracker:
            raise Refused(401, "identifiant_manquant", count=False)

        def read_fix():
            try:
                message = parse_json(body or b"null")
            except ParseError:
                raise Refused(400, "json_invalide", tracker) from None
            if not isinstance(message, dict):
                raise Refused(400, "json_invalide", tracker)
            if message.get("_type") != "location":
                return None
            lat = _number(message.get("lat"), "latitude", tracker)
            lon = _number(message.get("lon"), "longitude", tracker)
            if lat is None or lon is None:
                raise Refused(400, "coordonnees_invalides", tracker)
            fix = PositionFix(lat=lat, lon=lon, recorded_at=_timestamp(message.get("tst"), tracker),
                              accuracy_m=_number(message.get("acc"), "precision", tracker),
                              speed_kmh=_number(message.get("vel"), "vitesse", tracker))
            return fix, PositionSource.OWNTRACKS

        return tracker, password, read_fix

    async def _authenticate(self, tracker: str, key: str) -> int | None:
        cache_key = (tracker, tracker_key_hash(key or ""))
        cached = self._keys.get(cache_key)
        if cached is not None and time.monotonic() - cached[1] < KEY_CACHE_SECONDS:
            return cached[0]

        def lookup() -> int | None:
            close_old_connections()
            return tracker_authenticate(tracker, key)

        unit_id = await asyncio.get_running_loop().run_in_executor(None, lookup)
        if len(self._keys) > 10_000:
            self._keys.clear()
        self._keys[cache_key] = (unit_id, time.monotonic())
        return unit_id

    @staticmethod
    async def _respond(send, status: int, payload, retry_after: int = 0) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if retry_after:
            headers.append((b"retry-after", str(retry_after).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
