"""Hand-written SQL of reports, where the ORM's compilation costs more than the query: the Open311 search, its
change marker, the replay check of submissions. Table and column names come from the models' `_meta`; every value is
a parameter. `tests/test_sql.py` holds the ORM-parity tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from confiance.core.geo import degree_lengths
from confiance.reports.models import Category, Report, ReportPhoto, ReportSubmission
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
