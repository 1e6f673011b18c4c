"""Writes of the reports app: submission with routing, status changes, handling, citizen follow-up."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.accounts.selectors import agent_can_in_commune
from confiance.core.actors import PublicActor
from confiance.core.errors import ApplicationError
from confiance.core.geo import h3_cell, valid_lat_lon
from confiance.core.inserts import insert_row, insert_rows
from confiance.core.live import publish_on_commit
from confiance.privacy.services import access_log_record, audit_record
from confiance.reports.choices import (
    CLOSED_STATUSES,
    TRANSITIONS,
    AttributeDatatype,
    DestinationKind,
    DispatchStatus,
    ReportSource,
    ReportStatus,
    UpdateKind,
)
from confiance.reports.errors import ReportError, ReportErrorCode
from confiance.reports.events import ReportCreated, ReportOverdue, ReportReopenRequested, ReportStatusChanged
from confiance.reports.models import (
    DESCRIPTION_MAX_LENGTH,
    Category,
    ClientApplication,
    Destination,
    Report,
    ReportDispatch,
    ReportFollower,
    ReportNotification,
    ReportPhoto,
    ReportSubmission,
    ReportUpdate,
)
from confiance.reports.notifications import (
    notification_queue,
    notification_render,
    notification_send,
    notifications_store,
)
from confiance.reports.photos import ProcessedPhoto, photo_process
from confiance.reports.reference import CommuneSetup, Reference, reference_cache
from confiance.reports.sla import add_working_days
from confiance.territory.models import Commune
from confiance.territory.selectors import locate_point

MAX_PHOTOS = 3
# A POST replayed without an idempotency key is recognised by its content for this long.
REPLAY_WINDOW = timedelta(hours=24)


@dataclass
class Reporter:
    """What the citizen chose to tell about themselves (all optional)."""

    name: str = ""
    email: str = ""
    phone: str = ""
    device_id: str = ""
    consent: bool = False

    def is_empty(self) -> bool:
        return not (self.name or self.email or self.phone)


@dataclass
class ReportDraft:
    """A report as submitted, before validation."""

    lat: float
    lon: float
    service_code: str
    description: str = ""
    address: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    reporter: Reporter = field(default_factory=Reporter)
    photos: Sequence[tuple[str, bytes]] = ()
    jurisdiction: str = ""
    source: str = ReportSource.WEB


@dataclass(frozen=True)
class Submission:
    report: Report
    created: bool


# --- Submission ------------------------------------------------------------------------------


def _located_commune(draft: ReportDraft, reference: Reference) -> tuple[CommuneSetup, int | None]:
    if not valid_lat_lon(draft.lat, draft.lon):
        raise ReportError(ReportErrorCode.LOCATION_INVALID, "Latitude ou longitude hors limites.",
                          details={"lat": draft.lat, "long": draft.lon})
    location = locate_point(lat=draft.lat, lon=draft.lon, revision=reference.territory_revision)
    setup = reference.commune(location.commune_id) if location.commune_id is not None else None
    if setup is None:
        raise ReportError(ReportErrorCode.OUTSIDE_TERRITORY,
                          "Ce lieu n'est dans aucune commune servie par cette plateforme.",
                          details={"lat": draft.lat, "long": draft.lon})
    commune = setup.commune
    if draft.jurisdiction and draft.jurisdiction != commune.insee_code:
        raise ReportError(ReportErrorCode.WRONG_JURISDICTION,
                          f"Ce lieu est dans la commune {commune.name} ({commune.insee_code}), "
                          f"pas dans {draft.jurisdiction}.", details={"jurisdiction_id": draft.jurisdiction})
    return setup, location.sector_id


def _category(setup: CommuneSetup, service_code: str) -> Category:
    category, commune = setup.categories.get(service_code), setup.commune
    if category is None:
        raise ReportError(ReportErrorCode.CATEGORY_UNKNOWN,
                          f"Catégorie inconnue à {commune.name} : « {service_code} ».",
                          details={"service_code": service_code}, status_code=404)
    return category


def attributes_clean(category: Category, raw: dict[str, Any]) -> dict[str, Any]:
    """Check answers against the category's questions; return them typed. Unknown keys are ignored."""
    cleaned: dict[str, Any] = {}
    for attribute in category.attributes.all():
        value = raw.get(attribute.code)
        if isinstance(value, list) and attribute.datatype != AttributeDatatype.MULTI:
            value = value[0] if value else None
        if value is None or value == "" or value == []:
            if attribute.required:
                raise ReportError(ReportErrorCode.ATTRIBUTE_MISSING,
                                  f"Réponse obligatoire manquante : {attribute.description}",
                                  details={"attribute": attribute.code})
            continue
        cleaned[attribute.code] = _attribute_value(attribute, value)
    return cleaned


def _attribute_value(attribute, value: Any) -> Any:
    def invalid(reason: str) -> ReportError:
        return ReportError(ReportErrorCode.ATTRIBUTE_INVALID, f"{attribute.description} : {reason}",
                           details={"attribute": attribute.code})

    keys = {str(item.get("key")) for item in attribute.values or []}
    if attribute.datatype == AttributeDatatype.NUMBER:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise invalid("un nombre est attendu.") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise invalid("un nombre est attendu.")
        return number
    if attribute.datatype == AttributeDatatype.DATETIME:
        moment = parse_datetime(str(value)) if not isinstance(value, datetime) else value
        if moment is None:
            raise invalid("une date et une heure sont attendues (AAAA-MM-JJTHH:MM).")
        return moment.isoformat()
    if attribute.datatype == AttributeDatatype.SINGLE:
        if str(value) not in keys:
            raise invalid("choix inconnu.")
        return str(value)
    if attribute.datatype == AttributeDatatype.MULTI:
        values = value if isinstance(value, list) else [value]
        chosen = [str(v) for v in values]
        if any(v not in keys for v in chosen):
            raise invalid("choix inconnu.")
        return sorted(set(chosen))
    text = str(value).strip()
    limit = 4000 if attribute.datatype == AttributeDatatype.TEXT else 300
    if len(text) > limit:
        raise invalid(f"{limit} caractères au plus.")
    return text


def _reporter_clean(reporter: Reporter) -> Reporter:
    name = (reporter.name or "").strip()[:200]
    email = (reporter.email or "").strip().lower()
    phone = (reporter.phone or "").strip()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ReportError(ReportErrorCode.CONTACT_INVALID, "Adresse électronique invalide.",
                              details={"field": "email"}) from None
    if phone and (len(phone) > 30 or not all(ch.isdigit() or ch in " +.-()" for ch in phone)):
        raise ReportError(ReportErrorCode.CONTACT_INVALID, "Numéro de téléphone invalide.", details={"field": "phone"})
    cleaned = Reporter(name=name, email=email, phone=phone, device_id=(reporter.device_id or "").strip()[:100],
                       consent=reporter.consent)
    if not cleaned.is_empty() and not cleaned.consent:
        raise ReportError(ReportErrorCode.CONSENT_REQUIRED,
                          "Pour laisser vos coordonnées, acceptez qu'elles soient utilisées pour traiter le "
                          "signalement.", details={"field": "consent"})
    return cleaned


def _photos_clean(photos: Sequence[tuple[str, bytes]]) -> list[ProcessedPhoto]:
    if len(photos) > MAX_PHOTOS:
        raise ReportError(ReportErrorCode.TOO_MANY_PHOTOS, f"{MAX_PHOTOS} photos au plus.",
                          details={"count": len(photos)})
    return [photo_process(data, name=name) for name, data in photos]


def submission_key(*, client_key: str, idempotency_key: str = "", draft: ReportDraft | None = None) -> str:
    """Key of a submission: the client's idempotency key if given, else a digest of the content."""
    if idempotency_key:
        material = f"key:{client_key}:{idempotency_key.strip()[:200]}"
    else:
        assert draft is not None
        content = {
            "lat": round(draft.lat, 6), "lon": round(draft.lon, 6), "code": draft.service_code,
            "description": draft.description.strip(), "address": draft.address.strip(),
            "attributes": draft.attributes, "email": draft.reporter.email.strip().lower(),
            "photos": [hashlib.sha256(data).hexdigest() for _, data in draft.photos],
        }
        material = f"content:{client_key}:" + json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()


def _replayed(key: str, now: datetime) -> Report | None:
    # Read on every submission: plain SQL on the unique key (the ORM's compilation costs 20 times the lookup).
    meta = ReportSubmission._meta
    since = meta.get_field("created_at").get_db_prep_value(now - REPLAY_WINDOW, connection)
    with connection.cursor() as cursor:
        q = connection.ops.quote_name
        cursor.execute(f"SELECT report_id FROM {q(meta.db_table)} WHERE {q('key')} = %s "  # noqa: S608
                       "AND created_at >= %s", [key, since])
        found = cursor.fetchone()
    return Report.objects.get(pk=found[0]) if found is not None else None


def routing_destinations(*, commune_id: int, category_id: int, sector_id: int | None) -> list[Destination]:
    """Destinations of a report, from the commune's ordered rules (first final match stops)."""
    return _routes(reference_cache.current().commune(commune_id), category_id=category_id, sector_id=sector_id)


def _routes(setup: CommuneSetup | None, *, category_id: int, sector_id: int | None) -> list[Destination]:
    chosen: dict[int, Destination] = {}
    for rule in setup.rules if setup is not None else ():
        if rule.category_id not in (None, category_id) or rule.sector_id not in (None, sector_id):
            continue
        for destination in rule.destinations.all():
            if destination.active:
                chosen.setdefault(destination.pk, destination)
        if rule.final:
            break
    return list(chosen.values())


def _expected_at(category: Category, start: datetime) -> datetime | None:
    if category.sla_working_days is None:
        return None
    return add_working_days(start, category.sla_working_days)


def _history(report: Report, *, actor: Any, kind: str, now: datetime, status: str = "", status_from: str = "",
             public_message: str = "", internal_note: str = "", data: dict | None = None) -> ReportUpdate:
    agent = getattr(actor, "agent", None) if actor is not None else None
    label = getattr(actor, "label", None) if actor is not None else None
    return insert_row(ReportUpdate(
        report=report, kind=kind, status=status, status_from=status_from, public_message=public_message.strip(),
        internal_note=internal_note.strip(), actor=agent, actor_label=label or "système", data=data or {},
        created_at=now,
    ))


def _dispatch_row(report: Report, destination: Destination, now: datetime, mails: list[ReportNotification],
                  tokens: dict[str, str] | None = None) -> ReportDispatch:
    """The dispatch of a report to a destination; an e-mail to the service joins `mails`."""
    row = ReportDispatch(report=report, destination=destination, created_at=now, sent_at=now)
    if destination.kind == DestinationKind.POLICE or not destination.email:
        # Handled inside Confiance: the report is on the service's list as soon as it is committed.
        row.status = DispatchStatus.DELIVERED
    else:
        mails += notification_render(report=report, recipients=[destination.email], template="new_for_service",
                                     context={"destination": destination}, tokens=tokens)
        row.status = DispatchStatus.SENT
        row.attempts = 1
    return row


def _dispatch(report: Report, destinations: Iterable[Destination], now: datetime) -> list[ReportDispatch]:
    """Send the report to destinations it was not sent to yet; agency_responsible lists all of them."""
    already = set(report.dispatches.values_list("destination_id", flat=True))
    mails: list[ReportNotification] = []
    rows = [_dispatch_row(report, destination, now, mails) for destination in destinations
            if destination.pk not in already]
    if rows:
        insert_rows(rows)
        notifications_store(mails)
        names = report.dispatches.order_by("id").values_list("destination__name", flat=True)
        report.agency_responsible = ", ".join(names)[:300]
        Report.objects.filter(pk=report.pk).update(agency_responsible=report.agency_responsible)
    return rows


def report_submit(*, actor: Any, draft: ReportDraft, client: ClientApplication | None = None,
                  idempotency_key: str = "", now: datetime | None = None,
                  reference: Reference | None = None) -> Submission:
    """Validate, route and store a report; a replayed submission returns the report it created.

    `reference`: the reference data the caller has just taken (`reference_cache.current()`), if any.
    """
    now = now or timezone.now()
    description = (draft.description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ReportError(ReportErrorCode.DESCRIPTION_TOO_LONG,
                          f"La description dépasse {DESCRIPTION_MAX_LENGTH} caractères.",
                          details={"length": len(description), "max": DESCRIPTION_MAX_LENGTH})
    client_key = f"client:{client.pk}" if client else "web"
    key = submission_key(client_key=client_key, idempotency_key=idempotency_key, draft=draft)
    existing = _replayed(key, now)
    if existing is not None:
        return Submission(report=existing, created=False)
    reference = reference or reference_cache.current()
    setup, sector_id = _located_commune(draft, reference)
    commune = setup.commune
    if client is not None:
        allowed = reference.client_commune_ids(client)
        if allowed and commune.pk not in allowed:
            raise ReportError(ReportErrorCode.WRONG_JURISDICTION,
                              f"Cette application n'est pas autorisée à {commune.name}.", status_code=403)
    category = _category(setup, draft.service_code)
    attributes = attributes_clean(category, draft.attributes or {})
    reporter = _reporter_clean(draft.reporter)
    photos = _photos_clean(draft.photos)
    try:
        with transaction.atomic():
            report = _report_store(actor=actor, draft=draft, client=client, setup=setup, sector_id=sector_id,
                                   category=category, attributes=attributes, reporter=reporter, photos=photos,
                                   description=description, key=key, now=now)
    except IntegrityError:
        existing = _replayed(key, now)
        if existing is None:
            raise
        return Submission(report=existing, created=False)
    return Submission(report=report, created=True)


def _report_store(*, actor, draft, client, setup, sector_id, category, attributes, reporter, photos,
                  description, key, now) -> Report:
    commune = setup.commune
    destinations = _routes(setup, category_id=category.pk, sector_id=sector_id)
    report = insert_row(Report(
        commune=commune, sector_id=sector_id, category=category, status=ReportStatus.NEW, is_open=True,
        agency_responsible=", ".join(destination.name for destination in destinations)[:300],
        description=description, address=(draft.address or "").strip()[:300], lat=draft.lat, lon=draft.lon,
        h3_cell=h3_cell(draft.lat, draft.lon), attributes=attributes, reporter_name=reporter.name,
        reporter_email=reporter.email, reporter_phone=reporter.phone, reporter_device_id=reporter.device_id,
        reporter_consent=reporter.consent, source=draft.source, client=client,
        tracking_token=secrets.token_urlsafe(32), created_at=now, updated_at=now,
        expected_at=_expected_at(category, now),
    ))
    insert_row(ReportSubmission(key=key, report=report, created_at=now))
    ReportPhoto.objects.bulk_create([
        ReportPhoto(report=report, position=index, content=photo.content, thumbnail=photo.thumbnail,
                    width=photo.width, height=photo.height, size_bytes=len(photo.content), sha256=photo.sha256,
                    created_at=now)
        for index, photo in enumerate(photos)
    ])
    _history(report, actor=actor, kind=UpdateKind.CREATED, now=now, status=ReportStatus.NEW,
             public_message="Signalement reçu.")
    # A new report's only follower is its reporter: the unfollow tokens are known, no need to read them.
    tokens: dict[str, str] = {}
    mails: list[ReportNotification] = []
    if reporter.email:
        follower = insert_row(ReportFollower(report=report, email=reporter.email,
                                             token=secrets.token_urlsafe(32), created_at=now))
        tokens[follower.email] = follower.token
        mails += notification_render(report=report, recipients=[reporter.email], template="received",
                                     tokens=tokens)
    # A new report has no dispatch yet: one insert, and the agency is known before the report is written.
    insert_rows([_dispatch_row(report, destination, now, mails, tokens) for destination in destinations])
    notifications_store(mails)  # the receipt and the services' e-mails: one insert, sent together
    audit_record(actor=actor, action="reports.submit", target=report, commune_id=commune.pk,
                 extra={"category": category.service_code, "source": draft.source,
                        "client": client.name if client else "", "destinations": [d.name for d in destinations]})
    publish_on_commit(ReportCreated(
        report_id=report.pk, service_code=category.service_code, category=category.name, commune=commune.name,
        status=report.status, status_label=str(ReportStatus(report.status).label), lat=report.lat, lon=report.lon,
        address=report.address, created_at=now.isoformat(),
    ), commune_id=commune.pk)
    return report


# --- Handling by agents ----------------------------------------------------------------------


def _require_handle(actor: Actor, report: Report) -> None:
    actor.require(Permission.REPORTS_HANDLE, report.commune_id)


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("category", "commune").get(pk=report.pk)


def _followers(report: Report) -> list[str]:
    return list(report.followers.values_list("email", flat=True))


def _apply_status(report: Report, status: str, now: datetime) -> str:
    previous = report.status
    if status not in TRANSITIONS.get(previous, frozenset()):
        raise ReportError(ReportErrorCode.TRANSITION_REFUSED,
                          f"Passage impossible de « {ReportStatus(previous).label} » à "
                          f"« {ReportStatus(status).label} ».",
                          details={"from": previous, "to": status}, status_code=409)
    report.status = status
    report.is_open = status not in CLOSED_STATUSES
    if report.is_open:
        report.closed_at = None
        report.reopen_requested = False
        report.feedback_fixed = None
        if previous in CLOSED_STATUSES:
            report.overdue_notified_at = None
            report.expected_at = _expected_at(report.category, now)
    elif previous not in CLOSED_STATUSES:
        report.closed_at = now
    report.updated_at = now
    return previous


@transaction.atomic
def report_respond(*, actor: Actor, report: Report, status: str = "", public_message: str = "",
                   internal_note: str = "", now: datetime | None = None) -> ReportUpdate:
    """A status change and/or a public message and/or an internal note, as one history entry."""
    now = now or timezone.now()
    _require_handle(actor, report)
    report = _locked(report)
    public_message, internal_note = (public_message or "").strip(), (internal_note or "").strip()
    if status and status not in ReportStatus.values:
        raise ReportError(ReportErrorCode.TRANSITION_REFUSED, f"État inconnu : {status}.")
    if not (status or public_message or internal_note):
        raise ReportError(ReportErrorCode.TRANSITION_REFUSED, "Rien à enregistrer : choisissez un état ou écrivez "
                                                              "un message.")
    if status == ReportStatus.DUPLICATE:
        raise ReportError(ReportErrorCode.TRANSITION_REFUSED, "Utilisez « Marquer comme doublon ».")
    previous = ""
    if status:
        previous = _apply_status(report, status, now)
    else:
        report.updated_at = now
    if public_message:
        report.status_notes = public_message
    report.save()
    kind = UpdateKind.STATUS if status else (UpdateKind.PUBLIC if public_message else UpdateKind.NOTE)
    update = _history(report, actor=actor, kind=kind, now=now, status=status, status_from=previous,
                      public_message=public_message, internal_note=internal_note)
    if status or public_message:
        notification_queue(report=report, recipients=_followers(report), template="updated",
                           context={"update": update, "status_label": report.get_status_display()})
    audit_record(actor=actor, action="reports.respond", target=report, commune_id=report.commune_id,
                 extra={"status": status, "from": previous, "public": bool(public_message),
                        "note": bool(internal_note)})
    if status:
        publish_on_commit(ReportStatusChanged(report_id=report.pk, status=status,
                                              status_label=str(ReportStatus(status).label)),
                          commune_id=report.commune_id)
    return update


@transaction.atomic
def report_assign(*, actor: Actor, report: Report, agent_id: int | None = None,
                  destination: Destination | None = None, internal_note: str = "",
                  now: datetime | None = None) -> ReportUpdate:
    """Assign to an agent who may handle reports of the commune, and/or transfer to another destination."""
    now = now or timezone.now()
    _require_handle(actor, report)
    report = _locked(report)
    data: dict[str, Any] = {}
    if agent_id is not None:
        if not agent_can_in_commune(agent_id=agent_id, permission=Permission.REPORTS_HANDLE,
                                    commune_id=report.commune_id):
            raise ReportError(ReportErrorCode.ASSIGNEE_INVALID,
                              "Cet agent ne traite pas les signalements de cette commune.")
        data["assigned_to"] = agent_id
        data["previous"] = report.assigned_to_id
        report.assigned_to_id = agent_id
    if destination is not None:
        if destination.commune_id != report.commune_id or not destination.active:
            raise ReportError(ReportErrorCode.ASSIGNEE_INVALID, "Destinataire inconnu dans cette commune.")
        _dispatch(report, [destination], now)
        data["destination"] = destination.name
    if not data:
        raise ReportError(ReportErrorCode.ASSIGNEE_INVALID, "Choisissez un agent ou un destinataire.")
    report.updated_at = now
    report.save(update_fields=["assigned_to", "updated_at"])
    update = _history(report, actor=actor, kind=UpdateKind.ASSIGNMENT, now=now, internal_note=internal_note,
                      data=data)
    audit_record(actor=actor, action="reports.assign", target=report, commune_id=report.commune_id, extra=data)
    return update


@transaction.atomic
def report_mark_duplicate(*, actor: Actor, report: Report, original: Report, public_message: str = "",
                          now: datetime | None = None) -> Report:
    """Close a report as a duplicate of another; its followers now follow the original and are told."""
    now = now or timezone.now()
    _require_handle(actor, report)
    report = _locked(report)
    while original.duplicate_of_id is not None:
        original = original.duplicate_of
    if original.pk == report.pk or original.commune_id != report.commune_id:
        raise ReportError(ReportErrorCode.DUPLICATE_INVALID,
                          "Le signalement d'origine doit être un autre signalement de la même commune.")
    previous = _apply_status(report, ReportStatus.DUPLICATE, now)
    message = public_message.strip() or f"Ce signalement fait doublon avec le signalement n° {original.pk}."
    report.duplicate_of = original
    report.status_notes = message
    report.save()
    moved = []
    for follower in report.followers.all():
        _, created = ReportFollower.objects.get_or_create(
            report=original, email=follower.email,
            defaults={"token": secrets.token_urlsafe(32), "created_at": now})
        if created:
            moved.append(follower.email)
    _history(report, actor=actor, kind=UpdateKind.DUPLICATE, now=now, status=ReportStatus.DUPLICATE,
             status_from=previous, public_message=message, data={"original": original.pk})
    notification_queue(report=report, recipients=_followers(report), template="duplicate",
                       context={"original": original})
    audit_record(actor=actor, action="reports.duplicate", target=report, commune_id=report.commune_id,
                 extra={"original": original.pk, "followers_moved": len(moved)})
    publish_on_commit(ReportStatusChanged(report_id=report.pk, status=ReportStatus.DUPLICATE,
                                          status_label=str(ReportStatus.DUPLICATE.label)),
                      commune_id=report.commune_id)
    return original


@dataclass(frozen=True)
class BulkResult:
    done: list[int]
    refused: dict[int, str]


@transaction.atomic
def report_bulk_requalify(*, actor: Actor, reports: Iterable[Report], service_code: str,
                          internal_note: str = "", now: datetime | None = None) -> BulkResult:
    """Move reports to another category of their commune; they are routed again to its destinations."""
    now = now or timezone.now()
    done, refused = [], {}
    for report in reports:
        if not actor.can(Permission.REPORTS_HANDLE, report.commune_id):
            refused[report.pk] = "non autorisé"
            continue
        report = _locked(report)
        category = Category.objects.filter(commune_id=report.commune_id, service_code=service_code,
                                           active=True).first()
        if category is None:
            refused[report.pk] = "catégorie inconnue dans la commune"
            continue
        if category.pk == report.category_id:
            refused[report.pk] = "déjà dans cette catégorie"
            continue
        previous = report.category
        report.category = category
        report.updated_at = now
        if report.is_open:
            report.expected_at = _expected_at(category, report.created_at)
        report.save(update_fields=["category", "updated_at", "expected_at"])
        _dispatch(report, routing_destinations(commune_id=report.commune_id, category_id=category.pk,
                                               sector_id=report.sector_id), now)
        _history(report, actor=actor, kind=UpdateKind.REQUALIFY, now=now, internal_note=internal_note,
                 data={"from": previous.service_code, "to": category.service_code})
        audit_record(actor=actor, action="reports.requalify", target=report, commune_id=report.commune_id,
                     extra={"from": previous.service_code, "to": category.service_code})
        done.append(report.pk)
    return BulkResult(done=done, refused=refused)


def report_bulk_done(*, actor: Actor, reports: Iterable[Report], public_message: str = "",
                     now: datetime | None = None) -> BulkResult:
    """Mark several reports "service fait", each in its own transaction; refusals are listed, not fatal."""
    done, refused = [], {}
    for report in reports:
        try:
            report_respond(actor=actor, report=report, status=ReportStatus.DONE, public_message=public_message,
                           now=now)
        except ApplicationError as error:
            refused[report.pk] = error.message
        else:
            done.append(report.pk)
    return BulkResult(done=done, refused=refused)


@transaction.atomic
def report_moderate(*, actor: Actor, report: Report, hide_description: bool | None = None,
                    photo_id: int | None = None, hide_photo: bool | None = None, reason: str = "",
                    now: datetime | None = None) -> ReportUpdate:
    """Hide (or show again) the description or one photo from the public."""
    now = now or timezone.now()
    _require_handle(actor, report)
    report = _locked(report)
    data: dict[str, Any] = {}
    if hide_description is not None:
        report.description_hidden = hide_description
        report.updated_at = now
        report.save(update_fields=["description_hidden", "updated_at"])
        data["description_hidden"] = hide_description
    if photo_id is not None and hide_photo is not None:
        updated = ReportPhoto.objects.filter(report=report, pk=photo_id).update(hidden=hide_photo)
        if not updated:
            raise ReportError(ReportErrorCode.PHOTO_INVALID, "Photo introuvable.", status_code=404)
        data.update({"photo": photo_id, "photo_hidden": hide_photo})
    if not data:
        raise ReportError(ReportErrorCode.PHOTO_INVALID, "Rien à modérer.")
    update = _history(report, actor=actor, kind=UpdateKind.MODERATION, now=now, internal_note=reason, data=data)
    audit_record(actor=actor, action="reports.moderate", target=report, commune_id=report.commune_id, extra=data)
    return update


def report_reporter_reveal(*, actor: Actor, report: Report, motive: str) -> dict[str, Any]:
    """The reporter's contact details, for the handling service; the consultation is logged with its motive."""
    _require_handle(actor, report)
    access_log_record(actor=actor, target=report, motive=motive, extra={"fields": "reporter"})
    return {"name": report.reporter_name, "email": report.reporter_email, "phone": report.reporter_phone,
            "removed_at": report.personal_data_removed_at}


# --- Citizens after submission ---------------------------------------------------------------


@transaction.atomic
def report_follow(*, report: Report, email: str, now: datetime | None = None) -> bool:
    """Follow a report by e-mail (idempotent); True when a new follower was added."""
    now = now or timezone.now()
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ReportError(ReportErrorCode.CONTACT_INVALID, "Adresse électronique invalide.",
                          details={"field": "email"}) from None
    _, created = ReportFollower.objects.get_or_create(
        report=report, email=email, defaults={"token": secrets.token_urlsafe(32), "created_at": now})
    if created:
        notification_queue(report=report, recipients=[email], template="followed")
    return created


def report_unfollow(*, token: str) -> bool:
    return ReportFollower.objects.filter(token=token).delete()[0] > 0


@transaction.atomic
def report_feedback(*, report: Report, fixed: bool, comment: str = "", now: datetime | None = None) -> ReportUpdate:
    """After closure, the reporter says whether the problem is fixed."""
    now = now or timezone.now()
    report = _locked(report)
    if report.is_open:
        raise ReportError(ReportErrorCode.NOT_CLOSED, "Ce signalement n'est pas encore clos.", status_code=409)
    report.feedback_fixed = fixed
    report.save(update_fields=["feedback_fixed"])
    return _history(report, actor=PublicActor("déclarant"), kind=UpdateKind.FEEDBACK, now=now,
                    internal_note=(comment or "").strip()[:2000], data={"fixed": fixed})


@transaction.atomic
def report_reopen_request(*, report: Report, reason: str, actor: Any = None, data: dict | None = None,
                          now: datetime | None = None) -> ReportUpdate:
    """A citizen asks to reopen a closed report; the handling services are told and decide."""
    now = now or timezone.now()
    report = _locked(report)
    if report.is_open:
        raise ReportError(ReportErrorCode.NOT_CLOSED, "Ce signalement est encore ouvert.", status_code=409)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ReportError(ReportErrorCode.CONTACT_INVALID, "Expliquez en quelques mots pourquoi le rouvrir.",
                          details={"field": "reason"})
    report.reopen_requested = True
    report.updated_at = now
    report.save(update_fields=["reopen_requested", "updated_at"])
    update = _history(report, actor=actor or PublicActor("déclarant"), kind=UpdateKind.REOPEN_REQUEST, now=now,
                      internal_note=reason[:2000], data=data)
    emails = report.dispatches.exclude(destination__email="").values_list("destination__email", flat=True)
    notification_queue(report=report, recipients=list(emails), template="reopen_requested",
                       context={"reason": reason})
    publish_on_commit(ReportReopenRequested(report_id=report.pk), commune_id=report.commune_id)
    return update


@transaction.atomic
def report_comment_add(*, report: Report, client: ClientApplication, description: str, status: str = "",
                       client_update_id: str = "", now: datetime | None = None) -> ReportUpdate:
    """An update posted by an Open311 client (FixMyStreet extension): a comment, or a reopen request."""
    now = now or timezone.now()
    description = (description or "").strip()
    if not description:
        raise ReportError(ReportErrorCode.CONTACT_INVALID, "Le texte de la mise à jour est vide.",
                          details={"field": "description"})
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ReportError(ReportErrorCode.DESCRIPTION_TOO_LONG,
                          f"La description dépasse {DESCRIPTION_MAX_LENGTH} caractères.")
    actor = PublicActor(f"application {client.name}")
    data = {"client": client.pk, "client_update_id": client_update_id} if client_update_id else {}
    if status.lower() == "open" and not report.is_open:
        return report_reopen_request(report=report, reason=description, actor=actor, data=data, now=now)
    report = _locked(report)
    report.updated_at = now
    report.save(update_fields=["updated_at"])
    return _history(report, actor=actor, kind=UpdateKind.COMMENT, now=now, internal_note=description, data=data)


# --- Sweeps ----------------------------------------------------------------------------------


def overdue_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Flag open reports past their target once, tell their services, and publish a live event."""
    now = now or timezone.now()
    flagged = 0
    due = (Report.objects.filter(is_open=True, expected_at__lt=now, overdue_notified_at__isnull=True)
           .select_related("category", "commune").order_by("expected_at")[:limit])
    for report in due:
        with transaction.atomic():
            if not Report.objects.filter(pk=report.pk, overdue_notified_at__isnull=True).update(
                    overdue_notified_at=now):
                continue
            _history(report, actor=None, kind=UpdateKind.OVERDUE, now=now,
                     data={"expected_at": report.expected_at.isoformat()})
            emails = report.dispatches.exclude(destination__email="").values_list("destination__email", flat=True)
            notification_queue(report=report, recipients=list(emails), template="overdue")
            publish_on_commit(ReportOverdue(report_id=report.pk, category=report.category.name,
                                            commune=report.commune.name,
                                            expected_at=report.expected_at.isoformat()),
                              commune_id=report.commune_id)
        flagged += 1
    return flagged


def reports_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """What runs periodically: overdue reports, then e-mails still pending."""
    flagged = overdue_sweep(now=now)
    sent, failed = notification_send()
    return {"overdue": flagged, "sent": sent, "failed": failed}


# --- Client applications ---------------------------------------------------------------------


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def client_application_create(*, actor: Any, name: str, key: str = "",
                              communes: Iterable[Commune] = ()) -> tuple[ClientApplication, str]:
    """Register an Open311 client; returns the key once (a chosen key is allowed only in demo mode)."""
    if key and not settings.DEMO_MODE:
        raise ReportError(ReportErrorCode.API_KEY_INVALID, "Une clé choisie n'est permise qu'en mode démo.")
    key = key or f"o311_{secrets.token_urlsafe(32)}"
    client, _ = ClientApplication.objects.update_or_create(
        name=name, defaults={"key_prefix": key[:8], "key_hash": _key_hash(key), "active": True})
    client.communes.set(list(communes))
    audit_record(actor=actor, action="reports.client_create", target=("reports.clientapplication", client.pk),
                 extra={"name": name})
    return client, key


def client_application_authenticate(key: str | None, reference: Reference | None = None) -> ClientApplication:
    if not key:
        raise ReportError(ReportErrorCode.API_KEY_INVALID, "Clé d'API manquante (api_key).", status_code=403)
    found = (reference or reference_cache.current()).client(_key_hash(key.strip()))
    if found is None:
        raise ReportError(ReportErrorCode.API_KEY_INVALID, "Clé d'API inconnue ou révoquée.", status_code=403)
    client, now = found.client, timezone.now()
    if client.last_used_at is None or now - client.last_used_at > timedelta(minutes=5):
        ClientApplication.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now  # the cached instance; no signal, so the cache stays
    return client
