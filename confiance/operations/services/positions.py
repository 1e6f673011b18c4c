"""Position writes: fixes from trackers and crew phones (checked, counted when refused, stored in batches), and
trackers' identifiers and keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.core.geo import valid_lat_lon
from confiance.core.live import publish_on_commit
from confiance.operations.choices import PositionSource
from confiance.operations.drafts import PositionFix
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.events import UnitsMoved
from confiance.operations.models import RejectedPosition, Unit
from confiance.operations.payloads import unit_moved_payload
from confiance.operations.services.common import CLOCK_SKEW, check_text, now_utc
from confiance.privacy.services import audit_record


def position_problem(fix: PositionFix, now: datetime) -> str:
    """Why a position is refused ("" when it is acceptable)."""
    if not valid_lat_lon(fix.lat, fix.lon) or (fix.lat == 0 and fix.lon == 0):
        return "coordonnees_invalides"
    if timezone.is_naive(fix.recorded_at):
        return "horodatage_invalide"
    if fix.recorded_at > now + CLOCK_SKEW:
        return "horodatage_futur"
    if fix.recorded_at < now - timedelta(hours=settings.CONFIANCE_POSITION_MAX_AGE_HOURS):
        return "horodatage_trop_ancien"
    if fix.accuracy_m is not None and not (0 <= fix.accuracy_m < 100_000):
        return "precision_invalide"
    if fix.speed_kmh is not None and not (0 <= fix.speed_kmh < 400):
        return "vitesse_invalide"
    return ""


def position_reject(tracker: str, reason: str, now: datetime | None = None) -> None:
    """Count a refused position (per tracker and reason): the console shows these counters."""
    now = now or now_utc()
    tracker = (tracker or "?")[:100]
    updated = RejectedPosition.objects.filter(tracker=tracker, reason=reason).update(count=F("count") + 1, last_at=now)
    if not updated:
        try:
            with transaction.atomic():
                RejectedPosition.objects.create(tracker=tracker, reason=reason, count=1, last_at=now)
        except IntegrityError:
            RejectedPosition.objects.filter(tracker=tracker, reason=reason).update(count=F("count") + 1, last_at=now)


def _newest_per_unit(batch: Sequence[tuple[int, PositionFix, str]]) -> dict[int, PositionFix]:
    newest: dict[int, PositionFix] = {}
    for unit_id, fix, _source in batch:
        if unit_id not in newest or fix.recorded_at > newest[unit_id].recorded_at:
            newest[unit_id] = fix
    return newest


def _newer(fix: PositionFix, position_at: datetime | None) -> bool:
    return position_at is None or fix.recorded_at > position_at


def _publish_moves(moving: list[tuple[int, PositionFix]], known: dict[int, tuple[int, datetime | None]]) -> None:
    """One live event per commune carries every unit that moved."""
    moved: dict[int | None, list[dict[str, Any]]] = {}
    for unit_id, fix in moving:
        moved.setdefault(known[unit_id][0], []).append(unit_moved_payload(unit_id, fix.lat, fix.lon, fix.recorded_at))
    for commune_id, units in moved.items():
        publish_on_commit(UnitsMoved(units=units), commune_id=commune_id)


def positions_store(batch: Sequence[tuple[int, PositionFix, str]], now: datetime | None = None) -> int:
    """Store accepted positions (unit id, fix, source) in one transaction; units move to their newest fix.

    One live event carries every unit that moved, so the outbox grows by one row per batch, not per position.
    """
    now = now or now_utc()
    if not batch:
        return 0
    ops = connection.ops
    newest = _newest_per_unit(batch)
    # Plain statements, executed many at once: trackers send many small batches, the ORM's per-row work would
    # dominate (bench/operations.py).
    with transaction.atomic(), connection.cursor() as cursor:
        received = ops.adapt_datetimefield_value(now)
        cursor.executemany(
            "INSERT INTO operations_unitposition (unit_id, lat, lon, accuracy_m, speed_kmh, recorded_at, received_at, "
            "source) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [(unit_id, fix.lat, fix.lon, fix.accuracy_m, fix.speed_kmh, ops.adapt_datetimefield_value(fix.recorded_at),
              received, source) for unit_id, fix, source in batch])
        known = {unit_id: (commune_id, position_at) for unit_id, commune_id, position_at in
                 Unit.objects.filter(pk__in=list(newest)).values_list("id", "commune_id", "position_at")}
        # Only a newer fix moves the unit (trackers resend old points after a network loss); the row lock taken
        # by the update keeps concurrent writers in order.
        moving = [(unit_id, fix) for unit_id, fix in newest.items()
                  if unit_id in known and _newer(fix, known[unit_id][1])]
        cursor.executemany(
            "UPDATE operations_unit SET lat = %s, lon = %s, position_at = %s "
            "WHERE id = %s AND (position_at IS NULL OR position_at < %s)",
            [(fix.lat, fix.lon, ops.adapt_datetimefield_value(fix.recorded_at), unit_id,
              ops.adapt_datetimefield_value(fix.recorded_at)) for unit_id, fix in moving])
        _publish_moves(moving, known)
    return len(batch)


def position_record_for_agent(*, actor: Actor, unit: Unit, fix: PositionFix, source: str = PositionSource.FIELD_PAGE,
                              now: datetime | None = None) -> None:
    """A crew member shares their position from the field page."""
    now = now or now_utc()
    if not (actor.can(Permission.OPERATIONS_FIELD, unit.commune_id) and unit.agents.filter(pk=actor.agent.pk).exists()):
        raise NotFoundError()
    problem = position_problem(fix, now)
    if problem:
        position_reject(f"unite-{unit.pk}", problem, now)
        raise OperationsError(OperationsErrorCode.POSITION_INVALID,
                              _("Position refusée : %(reason)s.") % {"reason": problem.replace("_", " ")},
                              details={"reason": problem})
    positions_store([(unit.pk, fix, source)], now)


# --- Trackers ---------------------------------------------------------------------------------


def tracker_key_hash(key: str) -> str:
    """The stored form of a tracker key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def unit_tracker_set(*, actor: Actor | None, unit: Unit, tracker_id: str) -> str:
    """Give a unit's GPS tracker an identifier and a new key; the key is shown once (actor None: a command)."""
    if actor is not None:
        actor.require(Permission.OPERATIONS_MANAGE, unit.commune_id)
    tracker_id = check_text(tracker_id, _("Identifiant du traceur"), limit=100)
    if not tracker_id:
        raise OperationsError(OperationsErrorCode.TRACKER_ID_MISSING, _("Identifiant du traceur requis."))
    key = secrets.token_urlsafe(24)
    try:
        with transaction.atomic():
            Unit.objects.filter(pk=unit.pk).update(tracker_id=tracker_id, tracker_key_hash=tracker_key_hash(key))
    except IntegrityError:
        raise OperationsError(OperationsErrorCode.TRACKER_ID_TAKEN, _("Cet identifiant est déjà pris.")) from None
    audit_record(actor=actor, action="operations.tracker_set", target=unit, commune_id=unit.commune_id,
                 extra={"tracker_id": tracker_id})
    return key


def tracker_authenticate(tracker_id: str, key: str) -> int | None:
    """The unit id of a tracker whose key matches (None otherwise)."""
    row = (Unit.objects.filter(tracker_id=tracker_id, active=True).exclude(tracker_key_hash="")
           .values_list("id", "tracker_key_hash").first())
    if row is None or not key or not hmac.compare_digest(row[1], tracker_key_hash(key)):
        return None
    return row[0]
