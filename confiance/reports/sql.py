"""Hand-written SQL of reports, where the ORM's compilation costs more than the query: the Open311 search, its
change marker, the replay check of submissions, the claim of e-mails to send. Table and column names come from the
models' `_meta`; every value is a parameter. `tests/test_sql.py` holds the ORM-parity tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.db import connection

from confiance.core.geo import degree_lengths
from confiance.reports.choices import NotificationStatus
from confiance.reports.models import Category, Report, ReportNotification, ReportPhoto, ReportSubmission
from confiance.territory.models import Commune

MERGE_PAGE_LIMIT = 2000


@dataclass(frozen=True)
class Open311Search:
    """What an Open311 search asks for; None means "not filtered on"."""

    commune_id: int | None = None
    ids: tuple[int, ...] | None = None
    category_ids: tuple[int, ...] | None = None
    is_open: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_after: datetime | None = None
    circle: tuple[float, float, float] | None = None  # lat, lon, radius in metres


def _search_where(search: Open311Search) -> tuple[list[str], list[Any]]:
    adapt = connection.ops.adapt_datetimefield_value
    clauses: list[str] = []
    params: list[Any] = []
    if search.commune_id is not None:
        clauses.append("commune_id = %s")
        params.append(search.commune_id)
    if search.ids is not None:
        clauses.append(f"id IN ({', '.join(['%s'] * len(search.ids))})" if search.ids else "1 = 0")
        params.extend(search.ids)
    if search.is_open is not None:
        # "IN (x)" rather than a bare boolean column, which SQLite's planner cannot match to an index.
        clauses.append("is_open IN (%s)")
        params.append(search.is_open)
    for column, operator, moment in (("created_at", ">=", search.created_from), ("created_at", "<=", search.created_to),
                                     ("updated_at", ">", search.updated_after)):
        if moment is not None:
            clauses.append(f"{column} {operator} %s")
            params.append(adapt(moment))
    if search.circle is not None:
        lat, lon, radius = search.circle
        ky, kx = degree_lengths(lat)
        dlat, dlon = radius / ky, radius / max(kx, 1e-9)
        # A bounding box the indexes can use, then the exact circle.
        clauses.append("lat >= %s AND lat <= %s AND lon >= %s AND lon <= %s AND "
                       "((lat - %s) * %s) * ((lat - %s) * %s) + ((lon - %s) * %s) * ((lon - %s) * %s) <= %s")
        params += [lat - dlat, lat + dlat, lon - dlon, lon + dlon, lat, ky, lat, ky, lon, kx, lon, kx, radius * radius]
    return clauses, params


def _page_ids_sql(search: Open311Search, *, offset: int, size: int) -> tuple[str, list[Any]]:
    """SQL giving the ids of one page, newest first.

    With a few categories, each category is read on its own along the (category, created_at) index and the heads
    are merged by the database: a planner facing "category IN (...) ORDER BY created_at" otherwise sorts every
    matching report of the window (SQLite does, at a million reports). Deep pages use the single query.
    """
    table = connection.ops.quote_name(Report._meta.db_table)
    clauses, params = _search_where(search)
    order = "ORDER BY created_at DESC, id DESC"
    categories = search.category_ids
    if categories is not None and 1 < len(categories) <= 50 and offset + size <= MERGE_PAGE_LIMIT:
        heads, head_params = [], []
        for index, category_id in enumerate(categories):
            where = " AND ".join([*clauses, "category_id = %s"])
            heads.append(f"SELECT * FROM (SELECT created_at, id FROM {table} WHERE {where} {order} LIMIT %s) "  # noqa: S608
                         f"AS head{index}")
            head_params += [*params, category_id, offset + size]
        sql = f"SELECT id FROM ({' UNION ALL '.join(heads)}) AS heads {order} LIMIT %s OFFSET %s"  # noqa: S608
        return sql, [*head_params, size, offset]
    if categories is not None:
        clauses.append(f"category_id IN ({', '.join(['%s'] * len(categories))})" if categories else "1 = 0")
        params += list(categories)
    where = " AND ".join(clauses) or "1 = 1"
    return f"SELECT id FROM {table} WHERE {where} {order} LIMIT %s OFFSET %s", [*params, size, offset]  # noqa: S608


def open311_category_ids(codes: list[str], *, commune_id: int | None) -> tuple[int, ...]:
    """Active categories with one of these service codes (in one commune, or across the territory)."""
    if not codes:
        return ()
    sql = (f"SELECT id FROM {connection.ops.quote_name(Category._meta.db_table)} "  # noqa: S608
           f"WHERE active = %s AND service_code IN ({', '.join(['%s'] * len(codes))})")
    params: list[Any] = [True, *codes]
    if commune_id is not None:
        sql += " AND commune_id = %s"
        params.append(commune_id)
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY id", params)
        return tuple(row[0] for row in cursor.fetchall())


OPEN311_COLUMNS = ("id", "status", "is_open", "status_notes", "service_name", "service_code", "notice", "description",
                   "description_hidden", "agency_responsible", "created_at", "updated_at", "expected_at", "address",
                   "lat", "lon", "insee_code", "photo_id")
_DATETIME_COLUMNS = ("created_at", "updated_at", "expected_at")


def _epoch_seconds(column: str) -> str:
    """SQL for a datetime column as whole seconds since 1970 (UTC), NULL kept.

    Open311 writes times to the second; reading them as integers spares parsing 150 timestamps per page in Python
    (on PostgreSQL, Django's time-zone loader is the driver's pure-Python one).
    """
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"  # Django stores UTC text: 'YYYY-MM-DD HH:MM:SS[.ffffff]'


def open311_search(search: Open311Search, *, offset: int = 0, size: int = 50) -> list[dict[str, Any]]:
    """One page of reports for Open311, newest first, in one statement: the page's ids, their category and
    commune, and the first visible photo; times are aware and to the second. Hand-written SQL: this is the hot
    path of every aggregator polling the server, and compiling the equivalent ORM queries cost more than running
    them."""
    ids_sql, params = _page_ids_sql(search, offset=offset, size=size)
    q = connection.ops.quote_name
    # Every value is a parameter; only table names (quoted) and fixed clauses are written into the text.
    sql = (
        "SELECT r.id, r.status, r.is_open, r.status_notes, c.name, c.service_code, c.notice, r.description, "  # noqa: S608
        "r.description_hidden, r.agency_responsible, "
        f"{_epoch_seconds('r.created_at')}, {_epoch_seconds('r.updated_at')}, {_epoch_seconds('r.expected_at')}, "
        "r.address, r.lat, r.lon, m.insee_code, "
        f"(SELECT p.id FROM {q(ReportPhoto._meta.db_table)} p WHERE p.report_id = r.id AND p.hidden = %s "
        "ORDER BY p.position, p.id LIMIT 1) "
        f"FROM {q(Report._meta.db_table)} r "
        f"JOIN {q(Category._meta.db_table)} c ON c.id = r.category_id "
        f"JOIN {q(Commune._meta.db_table)} m ON m.id = r.commune_id "
        f"WHERE r.id IN ({ids_sql}) ORDER BY r.created_at DESC, r.id DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [False, *params])
        rows = [dict(zip(OPEN311_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["is_open"] = bool(row["is_open"])
        row["description_hidden"] = bool(row["description_hidden"])
        for column in _DATETIME_COLUMNS:  # aware, to the second
            if row[column] is not None:
                row[column] = datetime.fromtimestamp(row[column], UTC)
    return rows


def reports_version() -> tuple:
    """Changes whenever a report is added, changed or removed: the newest id and the latest change time.
    Two scalar subqueries, so each is answered from its index on SQLite and PostgreSQL alike."""
    table = connection.ops.quote_name(Report._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT MAX(id) FROM {table}), (SELECT MAX(updated_at) FROM {table})")  # noqa: S608
        newest, changed = cursor.fetchone()
    return newest, str(changed)


def submission_report_id(*, key: str, since: datetime) -> int | None:
    """The report stored by the submission with this key since `since`, if any (read on every submission: the
    ORM's compilation costs 20 times the lookup)."""
    meta = ReportSubmission._meta
    q = connection.ops.quote_name
    prepared = meta.get_field("created_at").get_db_prep_value(since, connection)
    sql = (f"SELECT {q(meta.get_field('report').column)} FROM {q(meta.db_table)} "  # noqa: S608
           f"WHERE {q(meta.get_field('key').column)} = %s AND {q(meta.get_field('created_at').column)} >= %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, prepared])
        found = cursor.fetchone()
    return found[0] if found is not None else None


CLAIMED_COLUMNS = ("id", "report_id", "recipient", "subject", "body", "attempts")


@lru_cache(maxsize=64)
def _claim_statement(vendor: str, id_count: int | None) -> str:
    q = connection.ops.quote_name
    table = q(ReportNotification._meta.db_table)
    claimable = "(status = %s OR (status = %s AND claimed_at < %s)) AND attempts < %s"
    wanted = f" AND id IN ({', '.join(['%s'] * id_count)})" if id_count is not None else ""
    returning = ", ".join(q(column) for column in CLAIMED_COLUMNS)
    if vendor == "postgresql":
        # Rows another sender is claiming are skipped, not waited for. The pick is a materialised CTE: as a plain
        # `IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)` PostgreSQL may run the subquery again while the UPDATE
        # changes rows, and claim more than n. The picked rows are locked, and the lock re-checked the condition on
        # each one's latest version (a row another sender changed meanwhile is left out), so the UPDATE joins by
        # primary key alone: repeating the condition there let the planner, with statistics older than a backlog,
        # scan every claimable row once per pick (alerts/delivery.py, the same claim).
        return (f"WITH picked AS MATERIALIZED (SELECT id FROM {table} WHERE {claimable}{wanted} "  # noqa: S608
                f"ORDER BY created_at, id LIMIT %s FOR NO KEY UPDATE SKIP LOCKED) "
                f"UPDATE {table} SET status = %s, claim_token = %s, claimed_at = %s "
                f"FROM picked WHERE {table}.id = picked.id "
                f"RETURNING {', '.join(f'{table}.{q(column)}' for column in CLAIMED_COLUMNS)}")
    # SQLite has one writer at a time.
    return (f"UPDATE {table} SET status = %s, claim_token = %s, claimed_at = %s "  # noqa: S608 (names from _meta)
            f"WHERE id IN (SELECT id FROM {table} WHERE {claimable}{wanted} "
            f"ORDER BY created_at, id LIMIT %s) AND {claimable} RETURNING {returning}")


def notifications_claim(*, token: str, now: datetime, stale_before: datetime, max_attempts: int, limit: int,
                        ids: Sequence[int] | None = None) -> list[ReportNotification]:
    """Claim in one statement the oldest `limit` notifications that may be sent (of `ids` when given): pending,
    or claimed before `stale_before`, with fewer than `max_attempts` attempts. They become "sending" with this
    token and time; the rows claimed come back in id order, with the fields a sender needs.

    On PostgreSQL the pick locks its rows (SKIP LOCKED), which re-checks the condition on a row that another
    sender's UPDATE changed since the snapshot and leaves it out; on SQLite the condition is repeated on the UPDATE
    (one writer at a time). Each row is claimed by one sender (the mail thread
    runs this for every commit that queued e-mails: three compiled ORM queries cost more than the sending)."""
    if ids is not None and not ids:
        return []
    adapt = connection.ops.adapt_datetimefield_value
    claimable = [NotificationStatus.PENDING, NotificationStatus.SENDING, adapt(stale_before), max_attempts]
    update = [NotificationStatus.SENDING, token, adapt(now)]
    pick = [*claimable, *(ids or []), limit]
    params = [*pick, *update] if connection.vendor == "postgresql" else [*update, *pick, *claimable]
    with connection.cursor() as cursor:
        cursor.execute(_claim_statement(connection.vendor, len(ids) if ids is not None else None), params)
        found = cursor.fetchall()
    rows = [ReportNotification(**dict(zip(CLAIMED_COLUMNS, row, strict=True)), status=NotificationStatus.SENDING,
                               claim_token=token, claimed_at=now) for row in found]
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias
    return sorted(rows, key=lambda row: row.pk)


def notifications_mark_sent(*, ids: Sequence[int], token: str, now: datetime) -> int:
    """Mark sent the notifications of `ids` still claimed with this token (one attempt more); how many."""
    if not ids:
        return 0
    sql = (f"UPDATE {connection.ops.quote_name(ReportNotification._meta.db_table)} "  # noqa: S608 (names from _meta)
           "SET status = %s, attempts = attempts + 1, sent_at = %s, claim_token = %s "
           f"WHERE id IN ({', '.join(['%s'] * len(ids))}) AND claim_token = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [NotificationStatus.SENT, connection.ops.adapt_datetimefield_value(now), "", *ids, token])
        return cursor.rowcount
