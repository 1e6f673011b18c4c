"""Delivery of a published alert: one Delivery row per (alert, subscriber, channel), then the worker's sending.

`enqueue_alert` runs after the commit of a publication (hooks.on_published): it targets the subscribers
(targeting.py) and inserts the rows in one INSERT ... SELECT per channel with ON CONFLICT DO NOTHING, so running it
again (the worker's catch-up after a crash, a second worker) adds nothing. `deliver_once` claims rows of one
channel with a conditional UPDATE (queued and due, or claimed longer ago than CONFIANCE_ALERTS_CLAIM_SECONDS; on
PostgreSQL with SKIP LOCKED), hands each to its channel, and records each outcome as soon as it is known: a worker
killed at any point leaves at most the message in flight to be handed again, with the same key (channels/).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.alerts.channels import Outgoing
from confiance.alerts.choices import AlertStatus, MessageType
from confiance.alerts.delivery_choices import Channel, DeliveryStatus
from confiance.alerts.models import Alert, AlertDispatch, Delivery, Subscriber
from confiance.alerts.targeting import targeted_subscriber_ids
from confiance.core.sql import advisory_xact_lock

logger = logging.getLogger(__name__)
CATCH_UP_WINDOW = timedelta(days=1)
BACKOFF_FIRST_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
# Only contacts confirmed by the inhabitant are written to.
CHANNEL_CONDITIONS = {
    Channel.EMAIL: "email <> '' AND email_confirmed_at IS NOT NULL",
    Channel.SMS: "phone <> '' AND phone_confirmed_at IS NOT NULL",
    Channel.PUSH: "push_endpoint <> ''",
}


# --- Enqueueing ---------------------------------------------------------------------------------


def _insert_statement() -> str:
    """One INSERT ... SELECT for every channel: each targeted subscriber is read once (its row, by primary key, in
    the outer loop: SQLite keeps the left side of a CROSS JOIN outside), joined with the channels its contacts allow.
    """
    q = connection.ops.quote_name
    table, subscribers = q(Delivery._meta.db_table), q(Subscriber._meta.db_table)
    columns = ("alert_id", "subscriber_id", "channel", "status", "attempts", "next_attempt_at", "claim_token",
               "last_error", "created_at")
    chosen = "s.id = ANY(%s)" if connection.vendor == "postgresql" else "s.id IN (SELECT value FROM json_each(%s))"
    channels = " UNION ALL ".join(f"SELECT '{channel}' AS name" for channel in Channel.values)
    allowed = " OR ".join(f"(c.name = '{channel}' AND {CHANNEL_CONDITIONS[Channel(channel)]})"
                          for channel in Channel.values)
    return (f"INSERT INTO {table} ({', '.join(q(column) for column in columns)}) "  # noqa: S608 (names from _meta)
            f"SELECT %s, s.id, c.name, %s, 0, %s, '', '', %s FROM {subscribers} s CROSS JOIN ({channels}) c "
            f"WHERE {chosen} AND ({allowed}) "
            "ON CONFLICT (alert_id, subscriber_id, channel) DO NOTHING"
            + (" RETURNING channel" if connection.vendor == "postgresql" else ""))


def _keys_locked(alert_id: int) -> None:
    """Before queueing: the deliveries' keys are checked here, not by constraints (ADR 0019). The lock shared with
    other queueings, exclusive of a deletion of subscribers (each statement after it sees none half-deleted); the
    alert must exist."""
    advisory_xact_lock(Delivery.KEYS_LOCK, shared=True)
    if not Alert.objects.filter(pk=alert_id).exists():
        raise Alert.DoesNotExist(f"alert {alert_id}")


def _counts_by_channel(cursor, alert_id: int) -> Counter:
    table = connection.ops.quote_name(Delivery._meta.db_table)
    cursor.execute(f"SELECT channel, COUNT(*) FROM {table} WHERE alert_id = %s GROUP BY channel",  # noqa: S608
                   [alert_id])
    return Counter(dict(cursor.fetchall()))


def deliveries_insert(*, alert_id: int, subscriber_ids: np.ndarray) -> dict[str, int]:
    """Queue the alert for these subscribers on each confirmed channel; rows already there are kept as they are.

    The rows added per channel: on PostgreSQL the statement returns the channel of each row it inserted (a row
    skipped on conflict is not returned), exact even when two enqueues of the same alert run at once; on SQLite,
    where a write transaction runs alone (BEGIN IMMEDIATE) and RETURNING would cost as much as the insert, the
    alert's rows counted by channel before and after (on the unique index's prefix)."""
    if len(subscriber_ids) == 0:
        return dict.fromkeys(Channel.values, 0)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    if connection.vendor == "postgresql":
        chosen: object = [int(value) for value in subscriber_ids]
    else:
        chosen = "[" + ",".join(map(str, subscriber_ids.tolist())) + "]"
    with transaction.atomic(), connection.cursor() as cursor:
        _keys_locked(alert_id)
        if connection.vendor == "postgresql":
            cursor.execute(_insert_statement(), [alert_id, DeliveryStatus.QUEUED, now, now, chosen])
            inserted = Counter(row[0] for row in cursor.fetchall())
        else:
            before = _counts_by_channel(cursor, alert_id)
            cursor.execute(_insert_statement(), [alert_id, DeliveryStatus.QUEUED, now, now, chosen])
            inserted = _counts_by_channel(cursor, alert_id) - before if cursor.rowcount > 0 else Counter()
    return {channel: inserted.get(channel, 0) for channel in Channel.values}


def _copy_statement(sources: int, statuses: int) -> str:
    """Queue a message for the (subscriber, channel) pairs that had a delivery of the alerts it replaces: the same
    people on the same channels, if still subscribed with that contact confirmed."""
    q = connection.ops.quote_name
    table, subscribers = q(Delivery._meta.db_table), q(Subscriber._meta.db_table)
    columns = ("alert_id", "subscriber_id", "channel", "status", "attempts", "next_attempt_at", "claim_token",
               "last_error", "created_at")
    # The conditions name the subscriber's columns only, which the delivery table does not have.
    allowed = " OR ".join(f"(d.channel = '{channel}' AND {CHANNEL_CONDITIONS[Channel(channel)]})"
                          for channel in Channel.values)
    return (f"INSERT INTO {table} ({', '.join(q(column) for column in columns)}) "  # noqa: S608 (names from _meta)
            f"SELECT DISTINCT %s, d.subscriber_id, d.channel, %s, 0, %s, '', '', %s FROM {table} d "
            f"JOIN {subscribers} s ON s.id = d.subscriber_id "
            f"WHERE d.alert_id IN ({', '.join(['%s'] * sources)}) AND d.status IN ({', '.join(['%s'] * statuses)}) "
            f"AND s.status = %s AND ({allowed}) "
            "ON CONFLICT (alert_id, subscriber_id, channel) DO NOTHING")


def deliveries_copy(*, alert_id: int, replaced_ids: Sequence[int], statuses: Sequence[str]) -> dict[str, int]:
    """Queue the alert for whoever had a delivery of the replaced alerts in one of `statuses`, on that channel; rows
    already there are kept as they are (once per subscriber per channel per message). The rows added per channel."""
    from confiance.alerts.delivery_choices import SubscriberStatus

    if not replaced_ids or not statuses:
        return dict.fromkeys(Channel.values, 0)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        _keys_locked(alert_id)
        before = _counts_by_channel(cursor, alert_id)
        cursor.execute(_copy_statement(len(replaced_ids), len(statuses)),
                       [alert_id, DeliveryStatus.QUEUED, now, now, *replaced_ids, *statuses,
                        SubscriberStatus.ACTIVE])
        inserted = _counts_by_channel(cursor, alert_id) - before
    return {channel: inserted.get(channel, 0) for channel in Channel.values}


# Who gets the message replacing an alert, besides an update's own area: an update goes to everyone the replaced
# alert was meant for (its pending rows are dropped by the worker: the alert is no longer in force); a cancellation
# only to those who received the alert, or may have (a message in flight when it was cancelled).
REPLACED_STATUSES = {
    MessageType.UPDATE: (DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.SENT, DeliveryStatus.FAILED),
    MessageType.CANCEL: (DeliveryStatus.SENDING, DeliveryStatus.SENT),
}


def alert_targets(alert: Alert) -> np.ndarray:
    """The subscribers an alert reaches: its communes' subscribers in its area or in its chosen sectors."""
    from confiance.alerts.geometry import alert_area_shape

    area = alert_area_shape(alert)
    communes = {alert.commune_id, *(commune.pk for commune in alert.target_communes.all())}
    sectors = [sector.pk for sector in alert.target_sectors.all()]
    communes |= {sector.commune_id for sector in alert.target_sectors.all()}
    return targeted_subscriber_ids(commune_ids=sorted(communes), area=area, sector_ids=sectors)


def enqueue_alert(alert_id: int) -> AlertDispatch | None:
    """Target and queue a published message once; the dispatch row (a draft: nothing). An Alert goes to the
    subscribers of its area; an Update to those and to everyone the alerts it replaces were queued for; a Cancel to
    those who received the alerts it cancels (REPLACED_STATUSES), each on the channels it reached them on."""
    alert = (Alert.objects.filter(pk=alert_id, status=AlertStatus.PUBLISHED, msg_type__in=MessageType.values)
             .prefetch_related("target_sectors", "target_communes").first())
    if alert is None:
        return None
    existing = AlertDispatch.objects.filter(alert_id=alert_id).first()
    if existing is not None:
        return existing
    started = time.perf_counter()
    ids = alert_targets(alert) if alert.msg_type != MessageType.CANCEL else np.array([], dtype=np.int64)
    counts = deliveries_insert(alert_id=alert_id, subscriber_ids=ids)
    targeted = len(ids)
    if alert.msg_type in REPLACED_STATUSES:
        replaced = list(Alert.references.through.objects.filter(from_alert_id=alert_id)
                        .values_list("to_alert_id", flat=True))
        copied = deliveries_copy(alert_id=alert_id, replaced_ids=replaced, statuses=REPLACED_STATUSES[alert.msg_type])
        counts = {channel: counts[channel] + copied[channel] for channel in Channel.values}
        targeted = (Delivery.objects.filter(alert_id=alert_id, subscriber__isnull=False)
                    .values("subscriber_id").distinct().count())
    dispatch, _created = AlertDispatch.objects.get_or_create(alert_id=alert_id, defaults={
        "targeted": targeted, "queued": sum(counts.values()), "by_channel": counts,
        "seconds": round(time.perf_counter() - started, 3)})
    logger.info("alert %s: %s subscribers targeted, %s messages queued", alert_id, len(ids), dispatch.queued)
    return dispatch


def enqueue_missed() -> int:
    """Queue the alerts published lately that no dispatch covers (the publishing process died after commit)."""
    since = timezone.now() - CATCH_UP_WINDOW
    missed = list(Alert.objects.filter(status=AlertStatus.PUBLISHED, published_at__gte=since, dispatch__isnull=True)
                  .order_by("published_at", "pk").values_list("pk", flat=True))
    for alert_id in missed:
        enqueue_alert(alert_id)
    return len(missed)


# --- Claiming -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: int
    alert_id: int
    subscriber_id: int | None
    attempts: int


def _claim_statement(vendor: str) -> str:
    """The due rows of a channel, oldest first: queued rows whose time has come, and rows a dead worker claimed
    (stale). Each branch is read in the queue index's order with its own limit (no sort of a whole alert's rows; an
    OR of the two makes PostgreSQL sort every candidate), then the first `limit` of both are taken."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    claimable = ("channel = %s AND ((status = %s AND next_attempt_at <= %s) OR (status = %s AND claimed_at < %s))")
    due = (f"SELECT id, next_attempt_at FROM {table} WHERE channel = %s AND status = %s "  # noqa: S608
           "AND next_attempt_at <= %s ORDER BY next_attempt_at, id LIMIT %s")
    stale = (f"SELECT id, next_attempt_at FROM {table} WHERE channel = %s AND status = %s "  # noqa: S608
             "AND claimed_at < %s ORDER BY next_attempt_at, id LIMIT %s")
    update = "SET status = %s, claim_token = %s, claimed_at = %s, attempts = attempts + 1"
    first = "ORDER BY next_attempt_at, id LIMIT %s"
    if vendor == "postgresql":
        # Rows another worker is claiming are skipped, not waited for (each branch locks what it reads); the picks
        # are materialised (see reports/sql.py). The rows are then updated by primary key only: they are locked,
        # and the lock re-checked each one's conditions on its latest version. Repeating those conditions in the
        # UPDATE let the planner, with statistics older than a fresh alert's 80,000 queued rows (autovacuum had not
        # analysed them yet), scan every queued row once per pick: 20 s per claim of 500 (benchmark, 2026-12-02).
        return (f"WITH due AS MATERIALIZED ({due} FOR NO KEY UPDATE SKIP LOCKED), "  # noqa: S608 (names from _meta)
                f"stale AS MATERIALIZED ({stale} FOR NO KEY UPDATE SKIP LOCKED), "
                f"picked AS MATERIALIZED (SELECT id FROM (SELECT * FROM due UNION ALL SELECT * FROM stale) AS both_ "
                f"{first}) UPDATE {table} {update} FROM picked WHERE {table}.id = picked.id "
                f"RETURNING {table}.id, alert_id, subscriber_id, attempts")
    return (f"UPDATE {table} {update} WHERE id IN (SELECT id FROM (SELECT * FROM ({due}) UNION ALL "  # noqa: S608
            f"SELECT * FROM ({stale})) {first}) AND {claimable} RETURNING id, alert_id, subscriber_id, attempts")


def deliveries_claim(*, channel: str, token: str, limit: int) -> list[Claimed]:
    """Take up to `limit` due rows of a channel in one conditional UPDATE: each row goes to one worker only."""
    adapt = connection.ops.adapt_datetimefield_value
    now = timezone.now()
    stale = now - timedelta(seconds=settings.CONFIANCE_ALERTS_CLAIM_SECONDS)
    claimable = [channel, DeliveryStatus.QUEUED, adapt(now), DeliveryStatus.SENDING, adapt(stale)]
    candidates = [channel, DeliveryStatus.QUEUED, adapt(now), limit, channel, DeliveryStatus.SENDING, adapt(stale),
                  limit, limit]
    update = [DeliveryStatus.SENDING, token, adapt(now)]
    # PostgreSQL: the picks, then the update (the locks re-checked the conditions); SQLite: the conditions again.
    params = [*candidates, *update] if connection.vendor == "postgresql" else [*update, *candidates, *claimable]
    with connection.cursor() as cursor:
        cursor.execute(_claim_statement(connection.vendor), params)
        rows = cursor.fetchall()
    return sorted((Claimed(*row) for row in rows), key=lambda row: row.id)


def _mark(delivery_id: int, token: str, **values: object) -> None:
    Delivery.objects.filter(pk=delivery_id, claim_token=token, status=DeliveryStatus.SENDING).update(**values)


@lru_cache(maxsize=4)
def _sent_statement(vendor: str) -> str:
    table = connection.ops.quote_name(Delivery._meta.db_table)
    return (f"UPDATE {table} SET status = %s, sent_at = %s, claim_token = '', last_error = '' "  # noqa: S608
            "WHERE id = %s AND claim_token = %s AND status = %s")


def _mark_sent(delivery_id: int, token: str) -> None:
    """The hot path, once per message handed over: a cached statement (the ORM's compiling costs as much)."""
    with connection.cursor() as cursor:
        cursor.execute(_sent_statement(connection.vendor), [
            DeliveryStatus.SENT, connection.ops.adapt_datetimefield_value(timezone.now()), delivery_id, token,
            DeliveryStatus.SENDING])


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_MAX_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** max(0, attempts - 1)))


def _record(claimed: Claimed, token: str, error: str | None) -> str:
    now = timezone.now()
    if error is None:
        _mark_sent(claimed.id, token)
        return "sent"
    if claimed.attempts >= settings.CONFIANCE_ALERTS_MAX_ATTEMPTS:
        _mark(claimed.id, token, status=DeliveryStatus.FAILED, claim_token="", last_error=error[:300])
        return "failed"
    _mark(claimed.id, token, status=DeliveryStatus.QUEUED, claim_token="", last_error=error[:300],
          next_attempt_at=now + _backoff(claimed.attempts))
    return "retried"


# --- Messages -----------------------------------------------------------------------------------


def alert_public_url(alert: Alert) -> str:
    """The public page of the alert (or of the commune's alerts)."""
    base = settings.CONFIANCE_PUBLIC_URL.rstrip("/")
    for name, args in (("alerts:public-detail", [alert.pk]), ("alerts:public", [alert.commune.insee_code]),
                       ("alerts:public-list", [])):
        try:
            return base + reverse(name, args=args)
        except NoReverseMatch:
            continue
    return base + "/alertes/"


@dataclass(frozen=True)
class AlertText:
    subject: str
    body: str
    short: str
    url: str


def alert_text(alert: Alert) -> AlertText:
    """The alert in French, instructions first: headline, what to do, what happens, where to read more."""
    url = alert_public_url(alert)
    parts = [alert.headline]
    if alert.instruction:
        parts += ["", _("CE QU'IL FAUT FAIRE :"), alert.instruction]
    if alert.description:
        parts += ["", _("LA SITUATION :"), alert.description]
    parts += ["", _("Plus d'informations : %(url)s") % {"url": url}]
    short = " — ".join(part for part in (alert.headline, alert.instruction) if part)
    if alert.msg_type == MessageType.CANCEL:
        subject = alert.headline  # "Fin d'alerte : ..." (publication.alert_cancel)
    elif alert.msg_type == MessageType.UPDATE:
        subject = _("ALERTE (mise à jour) — %(headline)s") % {"headline": alert.headline}
    else:
        subject = _("ALERTE — %(headline)s") % {"headline": alert.headline}
    return AlertText(subject=subject, body="\n".join(parts),
                     short=short[:600], url=url)


def _address(subscriber: Subscriber, channel: str) -> str:
    if channel == Channel.EMAIL:
        return subscriber.email if subscriber.email_confirmed_at else ""
    if channel == Channel.SMS:
        return subscriber.phone if subscriber.phone_confirmed_at else ""
    return subscriber.push_endpoint


def _outgoing(claimed: Sequence[Claimed], channel: str) -> dict[int, Outgoing]:
    from confiance.alerts.subscriptions import unsubscribe_url

    # An alert updated or cancelled since it was queued is not sent any more (its update or cancellation is).
    texts = {alert.pk: alert_text(alert) for alert in
             Alert.objects.filter(pk__in={row.alert_id for row in claimed}, status=AlertStatus.PUBLISHED)
             .select_related("commune")}
    subscribers = Subscriber.objects.in_bulk([row.subscriber_id for row in claimed if row.subscriber_id])
    messages = {}
    for row in claimed:
        if row.alert_id not in texts:
            continue
        subscriber = subscribers.get(row.subscriber_id)
        address = _address(subscriber, channel) if subscriber is not None else ""
        if not address:
            continue
        text, stop = texts[row.alert_id], unsubscribe_url(subscriber)
        body = text.body + "\n\n" + _("Ne plus recevoir ces alertes (un clic) : %(url)s") % {"url": stop}
        short = text.short if channel != Channel.SMS else f"{text.short} {text.url} STOP : {stop}"
        messages[row.id] = Outgoing(key=f"alerte-{row.alert_id}-{row.id}", address=address, subject=text.subject,
                                    text=body, short_text=short, url=text.url, unsubscribe_url=stop,
                                    retried=row.attempts > 1,
                                    push_keys=(subscriber.push_p256dh, subscriber.push_auth))
    return messages


# --- Sending ------------------------------------------------------------------------------------


def _channel_sender(channel: str):
    from confiance.alerts.channels import email, push, sms

    return {Channel.EMAIL: email.send_batch, Channel.SMS: sms.send_batch, Channel.PUSH: push.send_batch}[channel]


def deliver_once(*, channel: str, limit: int = 200) -> dict[str, int]:
    """Claim and send one batch of a channel: counts of sent, retried, failed (0 everywhere: nothing due)."""
    token = uuid.uuid4().hex
    if connection.vendor == "postgresql":
        # Each outcome is its own commit (a worker killed after a hand-over must not send it again); waiting for
        # the WAL flush of each would cost a disk sync per message. Off for this connection: a commit still is
        # all-or-nothing, only a crash of the database server itself could lose the last fraction of a second of
        # outcomes (those messages would go again). A kill of the worker loses nothing.
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
    claimed = deliveries_claim(channel=channel, token=token, limit=limit)
    counts = {"sent": 0, "retried": 0, "failed": 0, "claimed": len(claimed)}
    if not claimed:
        return counts
    messages = _outgoing(claimed, channel)
    by_key = {message.key: row for row in claimed if (message := messages.get(row.id)) is not None}
    in_force = set(Alert.objects.filter(pk__in={row.alert_id for row in claimed if row.id not in messages},
                                        status=AlertStatus.PUBLISHED).values_list("pk", flat=True))
    for row in claimed:
        if row.id not in messages:  # unsubscribed since, contact erased, or the alert replaced before it went out
            reason = "abonné désabonné" if row.alert_id in in_force else "alerte remplacée ou annulée avant l'envoi"
            _mark(row.id, token, status=DeliveryStatus.FAILED, claim_token="", last_error=reason)
            counts["failed"] += 1

    def report(item: Outgoing, error: str | None) -> None:
        outcome = _record(by_key[item.key], token, error)
        counts[outcome] += 1

    _channel_sender(channel)(list(messages.values()), report)
    return counts
