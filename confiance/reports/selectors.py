"""Reads of the reports app: lists for agents, public views, nearby reports, Open311 queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.core.figures import percentile, rounded
from confiance.core.geo import degree_lengths, distance_m
from confiance.reports.choices import ReportStatus, UpdateKind
from confiance.reports.models import (
    Category,
    Destination,
    Report,
    ReportPhoto,
    ReportUpdate,
    ResponseTemplate,
)
from confiance.territory.models import Commune

PHOTO_SALT = "confiance.reports.photo"


# --- Geometry helpers: an equirectangular distance, exact enough below a few kilometres ----------


def within_radius(queryset: QuerySet[Report], *, lat: float, lon: float, radius_m: float) -> QuerySet[Report]:
    """Reports within `radius_m` of a point: a bounding box the indexes can use, then the exact circle in SQL."""
    ky, kx = degree_lengths(lat)
    dlat, dlon = radius_m / ky, radius_m / max(kx, 1e-9)
    dy = (F("lat") - lat) * ky
    dx = (F("lon") - lon) * kx
    return (queryset.filter(lat__gte=lat - dlat, lat__lte=lat + dlat, lon__gte=lon - dlon, lon__lte=lon + dlon)
            .alias(distance2=dy * dy + dx * dx).filter(distance2__lte=radius_m * radius_m))


# --- Agents ----------------------------------------------------------------------------------


@dataclass
class ReportFilters:
    commune_ids: set[int] | None = None
    service_code: str = ""
    status: str = ""
    destination_id: int | None = None
    overdue: bool = False
    reopen_requested: bool = False
    assigned_to_id: int | None = None
    bbox: tuple[float, float, float, float] | None = None  # south, west, north, east
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""


def report_list_for_actor(*, actor: Actor, filters: ReportFilters | None = None) -> QuerySet[Report]:
    """Reports of the communes where the actor may see reports, filtered, newest first."""
    filters = filters or ReportFilters()
    visible = actor.commune_ids(Permission.REPORTS_VIEW)
    if filters.commune_ids is not None:
        visible = visible & frozenset(filters.commune_ids)
    queryset = Report.objects.filter(commune_id__in=visible)
    if filters.service_code:
        queryset = queryset.filter(category__service_code=filters.service_code)
    if filters.status == "open":
        queryset = queryset.filter(is_open=True)
    elif filters.status == "closed":
        queryset = queryset.filter(is_open=False)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.destination_id == 0:
        queryset = queryset.filter(dispatches__isnull=True)
    elif filters.destination_id:
        queryset = queryset.filter(dispatches__destination_id=filters.destination_id)
    if filters.overdue:
        queryset = queryset.filter(is_open=True, expected_at__lt=timezone.now())
    if filters.reopen_requested:
        queryset = queryset.filter(reopen_requested=True)
    if filters.assigned_to_id:
        queryset = queryset.filter(assigned_to_id=filters.assigned_to_id)
    if filters.bbox:
        south, west, north, east = filters.bbox
        queryset = queryset.filter(lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east)
    if filters.since:
        queryset = queryset.filter(created_at__gte=filters.since)
    if filters.until:
        queryset = queryset.filter(created_at__lt=filters.until)
    if filters.text:
        term = filters.text.strip()
        if term.isdigit():
            queryset = queryset.filter(pk=int(term))
        else:
            queryset = queryset.filter(Q(description__icontains=term) | Q(address__icontains=term))
    return queryset.select_related("category", "commune", "sector", "assigned_to").order_by("-created_at", "-id")


def report_get_for_actor(*, actor: Actor, report_id: int) -> Report:
    report = (Report.objects.filter(pk=report_id, commune_id__in=actor.commune_ids(Permission.REPORTS_VIEW))
              .select_related("category", "commune", "sector", "assigned_to", "duplicate_of", "client").first())
    if report is None:
        raise NotFoundError(message="Signalement introuvable.")
    return report


def report_history(*, report: Report) -> list[ReportUpdate]:
    return list(report.updates.select_related("actor").order_by("created_at", "id"))


def destination_list(*, commune_ids: set[int] | frozenset[int]) -> QuerySet[Destination]:
    return Destination.objects.filter(commune_id__in=commune_ids, active=True).select_related("commune")


def category_list(*, commune_ids: set[int] | frozenset[int] | None = None, active: bool = True) -> QuerySet[Category]:
    queryset = Category.objects.all()
    if commune_ids is not None:
        queryset = queryset.filter(commune_id__in=commune_ids)
    if active:
        queryset = queryset.filter(active=True)
    return queryset.select_related("commune").prefetch_related("attributes").order_by(
        "commune__name", "group", "position", "name")


def template_list(*, report: Report) -> list[ResponseTemplate]:
    """Response templates of the report's commune that fit its category (or any category)."""
    return list(ResponseTemplate.objects.filter(commune_id=report.commune_id)
                .filter(Q(category__isnull=True) | Q(category_id=report.category_id)).order_by("title"))


def export_rows(queryset: QuerySet[Report], *, limit: int = 50_000) -> list[dict[str, Any]]:
    """Rows for CSV/GeoJSON export: no personal data of reporters."""
    rows = []
    for report in queryset[:limit]:
        rows.append({
            "id": report.pk, "commune_insee": report.commune.insee_code, "commune": report.commune.name,
            "secteur": report.sector.name if report.sector else "", "categorie": report.category.name,
            "code_service": report.category.service_code, "etat": report.status,
            "etat_libelle": str(report.get_status_display()), "ouvert": report.is_open,
            "en_retard": report.is_overdue, "recu_le": report.created_at.isoformat(),
            "mis_a_jour_le": report.updated_at.isoformat(),
            "echeance": report.expected_at.isoformat() if report.expected_at else "",
            "clos_le": report.closed_at.isoformat() if report.closed_at else "",
            "adresse": report.address, "description": "" if report.description_hidden else report.description,
            "lat": report.lat, "lon": report.lon,
        })
    return rows


# --- Citizens --------------------------------------------------------------------------------


def report_public_get(*, token: str) -> Report:
    report = (Report.objects.filter(tracking_token=token).select_related("category", "commune", "duplicate_of")
              .first())
    if report is None or not token:
        raise NotFoundError(message="Signalement introuvable.")
    return report


def public_history(*, report: Report) -> list[dict[str, Any]]:
    """What the public may read of a report's history: status changes and public messages."""
    entries = []
    for update in report.updates.order_by("created_at", "id"):
        if update.kind in {UpdateKind.NOTE, UpdateKind.ASSIGNMENT, UpdateKind.MODERATION, UpdateKind.FEEDBACK,
                           UpdateKind.OVERDUE, UpdateKind.COMMENT, UpdateKind.REOPEN_REQUEST, UpdateKind.REQUALIFY}:
            continue
        if not (update.status or update.public_message):
            continue
        entries.append({"id": update.pk, "created_at": update.created_at, "status": update.status,
                        "status_label": ReportStatus(update.status).label if update.status else "",
                        "message": update.public_message})
    return entries


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


def reports_exist_in_commune(report_ids: list[int], commune_id: int) -> bool:
    """True when every id is a report of this commune (used to link reports from other apps)."""
    ids = set(report_ids)
    return Report.objects.filter(pk__in=ids, commune_id=commune_id).count() == len(ids)


def nearby_open_reports(*, category: Category, lat: float, lon: float, limit: int = 5) -> list[dict[str, Any]]:
    """Open reports of the same category within the category's radius, nearest first."""
    # "is_open IN (true)": SQLite matches it to the (category, is_open, lat) index, not a bare boolean column.
    queryset = within_radius(Report.objects.filter(category=category, is_open__in=[True]),
                             lat=lat, lon=lon, radius_m=category.duplicate_radius_m)
    rows = list(queryset.order_by("distance2").values("id", "lat", "lon", "address", "status", "created_at")[:limit])
    for row in rows:
        row["distance_m"] = round(distance_m(lat, lon, row["lat"], row["lon"]))
        row["status_label"] = str(ReportStatus(row["status"]).label)
    return rows


def public_categories(*, commune_id: int) -> list[dict[str, Any]]:
    """The categories a citizen may choose in a commune, with notices and questions, for the form."""
    return [
        {"code": category.service_code, "name": category.name, "group": category.group,
         "description": category.description, "notice": category.notice, "radius": category.duplicate_radius_m,
         "attributes": [
             {"code": attribute.code, "datatype": attribute.datatype, "required": attribute.required,
              "description": attribute.description, "help": attribute.datatype_description,
              "values": attribute.values or []}
             for attribute in category.attributes.all()
         ]}
        for category in category_list(commune_ids={commune_id})
    ]


def photo_signed_url(photo_id: int, *, thumbnail: bool = False) -> str:
    """A link to a public photo that only this platform could have issued (expires, see settings)."""
    value = signing.dumps({"p": photo_id, "t": int(thumbnail)}, salt=PHOTO_SALT, compress=True)
    return reverse("portal:report-photo", args=[value])


def photo_from_signed(value: str) -> tuple[ReportPhoto, bool]:
    max_age = settings.CONFIANCE_REPORT_PHOTO_LINK_DAYS * 86400
    try:
        data = signing.loads(value, salt=PHOTO_SALT, max_age=max_age)
    except signing.BadSignature:
        raise NotFoundError(message="Photo introuvable ou lien expiré.") from None
    photo = ReportPhoto.objects.filter(pk=data.get("p"), hidden=False).only("content", "thumbnail").first()
    if photo is None:
        raise NotFoundError(message="Photo introuvable.")
    return photo, bool(data.get("t"))


def photo_for_actor(*, actor: Actor, photo_id: int) -> ReportPhoto:
    photo = (ReportPhoto.objects.filter(pk=photo_id, report__commune_id__in=actor.commune_ids(Permission.REPORTS_VIEW))
             .first())
    if photo is None:
        raise NotFoundError(message="Photo introuvable.")
    return photo


def visible_photo_ids(*, report: Report) -> list[int]:
    return list(report.photos.filter(hidden=False).order_by("position").values_list("id", flat=True))



def reports_version() -> tuple:
    """Changes whenever a report is added, changed or removed: the newest id and the latest change time.
    Two scalar subqueries, so each is answered from its index on SQLite and PostgreSQL alike."""
    table = connection.ops.quote_name(Report._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT MAX(id) FROM {table}), (SELECT MAX(updated_at) FROM {table})")  # noqa: S608
        newest, changed = cursor.fetchone()
    return newest, str(changed)


# --- For analytics (aggregates only: no reporter data leaves through these) ---------------------

def analysis_rows(*, commune_ids: set[int] | frozenset[int], since: datetime, until: datetime) -> list[tuple]:
    """(id, received at, lat, lon, category, commune id, sector id) of the reports received in
    [since, until), duplicates left out."""
    return list(Report.objects.filter(commune_id__in=commune_ids, created_at__gte=since, created_at__lt=until,
                                      duplicate_of__isnull=True)
                .values_list("id", "created_at", "lat", "lon", "category__name", "commune_id", "sector_id"))


def resolution_figures(*, commune_ids: set[int] | frozenset[int], since: datetime, until: datetime) -> dict[str, Any]:
    """Reports received in [since, until): how many, how many closed, the median and 90th percentile of
    the time to close (hours), and the share that missed their due date (closed late, or still open after it)."""
    rows = list(Report.objects.filter(commune_id__in=commune_ids, created_at__gte=since, created_at__lt=until,
                                      duplicate_of__isnull=True)
                .values_list("created_at", "closed_at", "expected_at"))
    now = timezone.now()
    hours = [(closed - created).total_seconds() / 3600 for created, closed, _due in rows if closed]
    with_due = [(closed, due) for _created, closed, due in rows if due]
    late = sum(1 for closed, due in with_due if (closed or now) > due and (closed is not None or now > due))

    return {"received": len(rows), "closed": len(hours), "median_hours": rounded(percentile(hours, 0.5)),
            "p90_hours": rounded(percentile(hours, 0.9)), "with_due_date": len(with_due),
            "overdue_share": round(late / len(with_due), 3) if with_due else None}
