"""Reads of the reports app: lists for agents, public views, nearby reports, Open311 queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.core.figures import percentile, rounded
from confiance.core.geo import degree_lengths, distance_m
from confiance.core.parsing import id_or_none
from confiance.reports.choices import ReportStatus, UpdateKind
from confiance.reports.models import (
    Category,
    CategoryAttribute,
    Destination,
    Report,
    ReportDispatch,
    ReportFollower,
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
    ids: frozenset[int] | None = None


def _category_and_state(queryset: QuerySet[Report], service_code: str, status: str) -> QuerySet[Report]:
    """The filters the agents' list and the public list share: a category, a state ("open", "closed", a status)."""
    if service_code:
        queryset = queryset.filter(category__service_code=service_code)
    if status == "open":
        return queryset.filter(is_open=True)
    if status == "closed":
        return queryset.filter(is_open=False)
    return queryset.filter(status=status) if status else queryset


def report_list_for_actor(*, actor: Actor, filters: ReportFilters | None = None) -> QuerySet[Report]:
    """Reports of the communes where the actor may see reports, filtered, newest first."""
    filters = filters or ReportFilters()
    visible = actor.commune_ids(Permission.REPORTS_VIEW)
    if filters.commune_ids is not None:
        visible = visible & frozenset(filters.commune_ids)
    queryset = Report.objects.filter(commune_id__in=visible)
    if filters.ids is not None:
        queryset = queryset.filter(pk__in=filters.ids)
    queryset = _category_and_state(queryset, filters.service_code, filters.status)
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
        report_id = id_or_none(term)
        if report_id is not None:
            queryset = queryset.filter(pk=report_id)
        else:
            queryset = queryset.filter(Q(description__icontains=term) | Q(address__icontains=term))
    return queryset.select_related("category", "commune", "sector", "assigned_to").order_by("-created_at", "-id")


def report_history(*, report: Report) -> list[ReportUpdate]:
    return list(report.updates.select_related("actor").order_by("created_at", "id"))


def destination_list(*, commune_ids: set[int] | frozenset[int]) -> QuerySet[Destination]:
    """Active destinations of these communes."""
    return Destination.objects.filter(commune_id__in=commune_ids, active=True).select_related("commune")


def destination_get(*, commune_id: int, destination_id: int) -> Destination | None:
    """An active destination of a commune, or None."""
    return destination_list(commune_ids={commune_id}).filter(pk=destination_id).first()


def category_list(*, commune_ids: set[int] | frozenset[int] | None = None, active: bool = True,
                  insee_code: str = "") -> QuerySet[Category]:
    """Categories (of some communes, or of one by its INSEE code), their questions prefetched, in the forms' order."""
    queryset = Category.objects.all()
    if commune_ids is not None:
        queryset = queryset.filter(commune_id__in=commune_ids)
    if insee_code:
        queryset = queryset.filter(commune__insee_code=insee_code)
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
        raise NotFoundError(message=_("Signalement introuvable."))
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


def reporter_follows(*, report: Report) -> bool:
    """Whether the reporter follows the report by e-mail (for the tracking page: the address itself is not read out)."""
    if not report.reporter_email:
        return False
    return ReportFollower.objects.filter(report=report, email=report.reporter_email).exists()


def report_find(report_id: int) -> Report | None:
    """A report by its id, whatever its commune (for the public and the Open311 clients: no personal data read)."""
    return Report.objects.filter(pk=report_id).select_related("category", "commune", "duplicate_of").first()


def report_id_for_token(token: str) -> int | None:
    """The id of the report behind a tracking token."""
    return Report.objects.filter(tracking_token=token).values_list("id", flat=True).first()


def commune_by_insee_code(insee_code: str) -> Commune | None:
    """The commune an Open311 jurisdiction_id names."""
    return Commune.objects.filter(insee_code=insee_code).first()


def category_for_code(*, commune_id: int | None, service_code: str) -> Category | None:
    """The active category of a commune with this service code."""
    if commune_id is None:
        return None
    return Category.objects.filter(commune_id=commune_id, active=True, service_code=service_code).first()


def _open311_categories(commune_id: int | None) -> QuerySet[Category]:
    queryset = Category.objects.filter(active=True)
    if commune_id is not None:
        queryset = queryset.filter(commune_id=commune_id)
    return queryset.order_by("service_code", "commune__insee_code")


def open311_services(*, commune_id: int | None) -> QuerySet[Category]:
    """Active categories (of a commune, or of the whole territory), each marked with whether it has questions."""
    return _open311_categories(commune_id).annotate(
        has_attributes=Exists(CategoryAttribute.objects.filter(category=OuterRef("pk"))))


def open311_service_definition(*, commune_id: int | None, service_code: str) -> Category | None:
    """The first active category with this code, its questions prefetched."""
    return (_open311_categories(commune_id).filter(service_code=service_code).prefetch_related("attributes")
            .first())


@dataclass(frozen=True)
class PublicUpdateSearch:
    """A window of public updates (Open311 servicerequestupdates)."""

    since: datetime
    until: datetime | None = None
    commune_id: int | None = None
    report_ids: tuple[int, ...] | None = None
    offset: int = 0
    size: int = 100


PUBLIC_UPDATE_KINDS = (UpdateKind.STATUS, UpdateKind.PUBLIC, UpdateKind.DUPLICATE)


def public_update_list(search: PublicUpdateSearch) -> list[ReportUpdate]:
    """Status changes and public messages in a window, oldest first, their report read with them."""
    queryset = ReportUpdate.objects.filter(kind__in=PUBLIC_UPDATE_KINDS)
    if search.commune_id is not None:
        queryset = queryset.filter(report__commune_id=search.commune_id)
    queryset = queryset.filter(created_at__gte=search.since)
    if search.until:
        queryset = queryset.filter(created_at__lte=search.until)
    if search.report_ids is not None:
        queryset = queryset.filter(report_id__in=search.report_ids)
    return list(queryset.select_related("report").order_by("created_at", "id")
                [search.offset:search.offset + search.size])


def client_update_find(*, report: Report, client_id: int, client_update_id: str) -> ReportUpdate | None:
    """The update a client application already posted on a report under its own id."""
    return ReportUpdate.objects.filter(report=report, data__client=client_id,
                                       data__client_update_id=client_update_id).first()


def report_photo_list(*, report: Report) -> list[dict[str, Any]]:
    """The photos of a report, hidden ones included (for agents)."""
    return [dict(row) for row in report.photos.order_by("position").values("id", "hidden", "width", "height")]


def report_dispatch_list(*, report: Report) -> list[ReportDispatch]:
    """Where the report was sent, first dispatch first."""
    return list(report.dispatches.select_related("destination").order_by("id"))


def reports_exist_in_commune(report_ids: list[int], commune_id: int) -> bool:
    """True when every id is a report of this commune (used to link reports from other apps)."""
    ids = set(report_ids)
    return Report.objects.filter(pk__in=ids, commune_id=commune_id).count() == len(ids)


def nearby_open_reports(*, category: Category, lat: float, lon: float, limit: int = 5) -> list[dict[str, Any]]:
    """Open reports of the same category within the category's radius, nearest first."""
    # "is_open IN (true)": SQLite matches it to the (category, is_open, lat) index, not a bare boolean column.
    queryset = within_radius(Report.objects.filter(category=category, is_open__in=[True]),
                             lat=lat, lon=lon, radius_m=category.duplicate_radius_m)
    rows: list[dict[str, Any]] = [
        dict(row) for row in
        queryset.order_by("distance2").values("id", "lat", "lon", "address", "status", "created_at")[:limit]]
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
    return reverse("reports:public-photo", args=[value])


def photo_from_signed(value: str) -> tuple[ReportPhoto, bool]:
    max_age = settings.CONFIANCE_REPORT_PHOTO_LINK_DAYS * 86400
    try:
        data = signing.loads(value, salt=PHOTO_SALT, max_age=max_age)
    except signing.BadSignature:
        raise NotFoundError(message=_("Photo introuvable ou lien expiré.")) from None
    photo = ReportPhoto.objects.filter(pk=data.get("p"), hidden=False).only("content", "thumbnail").first()
    if photo is None:
        raise NotFoundError(message=_("Photo introuvable."))
    return photo, bool(data.get("t"))


def visible_photo_ids(*, report: Report) -> list[int]:
    return list(report.photos.filter(hidden=False).order_by("position").values_list("id", flat=True))



# --- The public list and map of reports (FixMyStreet's "all reports" page) -----------------------

# What the public list reads of a report: never the reporter's fields, the tracking token or internal data.
PUBLIC_LIST_FIELDS = ("id", "status", "is_open", "lat", "lon", "address", "description", "description_hidden",
                      "created_at", "closed_at", "duplicate_of_id", "category__name", "category__service_code",
                      "commune__name", "commune__insee_code")
PUBLIC_MAP_LIMIT = 2000


@dataclass(frozen=True)
class PublicReportFilters:
    """Filters of the public list: a commune, a category (service code), a state ("open", "closed" or a status)."""

    commune_id: int | None = None
    service_code: str = ""
    status: str = ""


def public_report_list(filters: PublicReportFilters) -> QuerySet[Report]:
    """Reports anyone may see, newest first, with only the fields the public list shows."""
    queryset = Report.objects.all()
    if filters.commune_id is not None:
        queryset = queryset.filter(commune_id=filters.commune_id)
    queryset = _category_and_state(queryset, filters.service_code, filters.status)
    return queryset.select_related("category", "commune").only(*PUBLIC_LIST_FIELDS).order_by("-created_at", "-id")


def public_report_cards(reports: list[Report]) -> list[dict[str, Any]]:
    """The public list's entries: a hidden description is left out here, a photo only if public (its thumbnail)."""
    first_photo: dict[int, int] = {}
    for report_id, photo_id in (ReportPhoto.objects.filter(report_id__in=[r.pk for r in reports], hidden=False)
                                .order_by("report_id", "position", "id").values_list("report_id", "id")):
        first_photo.setdefault(report_id, photo_id)
    return [
        {"id": report.pk, "category": report.category.name, "commune": report.commune.name,
         "address": report.address, "status": report.status, "status_label": str(report.get_status_display()),
         "is_open": report.is_open, "created_at": report.created_at, "closed_at": report.closed_at,
         "duplicate_of_id": report.duplicate_of_id,
         "description": "" if report.description_hidden else report.description,
         "thumbnail": photo_signed_url(first_photo[report.pk], thumbnail=True) if report.pk in first_photo else ""}
        for report in reports
    ]


def public_report_points(filters: PublicReportFilters, *, limit: int = PUBLIC_MAP_LIMIT) -> list[dict[str, Any]]:
    """Markers of the public map: position, category and state of the newest `limit` reports."""
    rows = public_report_list(filters).values_list("id", "lat", "lon", "status", "category__name")[:limit]
    return [{"id": report_id, "lat": lat, "lon": lon, "status": status,
             "status_label": str(ReportStatus(status).label), "category": category,
             "url": reverse("reports:public", args=[report_id])}
            for report_id, lat, lon, status, category in rows]


def public_commune_choices() -> list[tuple[str, str]]:
    """(INSEE code, name) of the communes served that have report categories, by name."""
    return list(Commune.objects.filter(report_categories__isnull=False).distinct().order_by("name")
                .values_list("insee_code", "name"))


def public_service_codes(*, commune_id: int | None = None) -> list[tuple[str, str]]:
    """(service code, name) of the categories (of a commune, or of all), by name; a code shared by communes once."""
    seen: dict[str, str] = {}
    for code, name in (Category.objects.filter(**({"commune_id": commune_id} if commune_id is not None else {}))
                       .order_by("commune__name", "position", "name").values_list("service_code", "name")):
        seen.setdefault(code, name)
    return sorted(seen.items(), key=lambda item: item[1])


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
