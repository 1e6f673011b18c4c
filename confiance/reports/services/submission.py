"""Submission of a report: checks of the draft, replay detection, routing, storage, the first e-mails."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from confiance.core.actors import Acting
from confiance.core.geo import h3_cell, valid_lat_lon
from confiance.core.inserts import insert_row, insert_rows
from confiance.core.live import publish_on_commit
from confiance.privacy.services import audit_record
from confiance.reports.choices import AttributeDatatype, ReportStatus, UpdateKind
from confiance.reports.drafts import MAX_PHOTOS, ReportDraft, Reporter, Submission
from confiance.reports.errors import ReportError, ReportErrorCode
from confiance.reports.events import ReportCreated
from confiance.reports.models import (
    DESCRIPTION_MAX_LENGTH,
    SUBMISSION_REPLAY_WINDOW,
    Category,
    CategoryAttribute,
    ClientApplication,
    Report,
    ReportFollower,
    ReportNotification,
    ReportPhoto,
    ReportSubmission,
)
from confiance.reports.notifications import notification_render, notifications_store
from confiance.reports.photos import ProcessedPhoto, photo_process
from confiance.reports.reference import CommuneSetup, Reference, reference_cache
from confiance.reports.services.history import history_append
from confiance.reports.services.routing import destinations_for, dispatch_row, expected_at
from confiance.reports.sql import submission_report_id
from confiance.territory.selectors import locate_point

# A POST replayed is recognised (by its idempotency key, or by its content) for this long; the keys are kept as long
# (retention rule reports.submissions), and one older than this still in the table is replaced, not a conflict.
REPLAY_WINDOW = SUBMISSION_REPLAY_WINDOW
# Stored in the history, so in the platform's language (French), whatever the language of the request.
RECEIVED_MESSAGE = "Signalement reçu."


@dataclass(frozen=True)
class _Checked:
    """A draft once every check passed: what is stored."""

    setup: CommuneSetup
    sector_id: int | None
    category: Category
    attributes: dict[str, Any]
    reporter: Reporter
    photos: list[ProcessedPhoto]
    description: str


def _located_commune(draft: ReportDraft, reference: Reference) -> tuple[CommuneSetup, int | None]:
    if not valid_lat_lon(draft.lat, draft.lon):
        raise ReportError(ReportErrorCode.LOCATION_INVALID, _("Latitude ou longitude hors limites."),
                          details={"lat": draft.lat, "long": draft.lon})
    location = locate_point(lat=draft.lat, lon=draft.lon, revision=reference.territory_revision)
    setup = reference.commune(location.commune_id) if location.commune_id is not None else None
    if setup is None:
        raise ReportError(ReportErrorCode.OUTSIDE_TERRITORY,
                          _("Ce lieu n'est dans aucune commune servie par cette plateforme."),
                          details={"lat": draft.lat, "long": draft.lon})
    commune = setup.commune
    if draft.jurisdiction and draft.jurisdiction != commune.insee_code:
        raise ReportError(ReportErrorCode.WRONG_JURISDICTION,
                          _("Ce lieu est dans la commune %(name)s (%(insee)s), pas dans %(asked)s.")
                          % {"name": commune.name, "insee": commune.insee_code, "asked": draft.jurisdiction},
                          details={"jurisdiction_id": draft.jurisdiction})
    return setup, location.sector_id


def _category(setup: CommuneSetup, service_code: str) -> Category:
    category, commune = setup.categories.get(service_code), setup.commune
    if category is None:
        raise ReportError(ReportErrorCode.CATEGORY_UNKNOWN,
                          _("Catégorie inconnue à %(commune)s : « %(code)s ».")
                          % {"commune": commune.name, "code": service_code},
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
                                  _("Réponse obligatoire manquante : %(question)s")
                                  % {"question": attribute.description},
                                  details={"attribute": attribute.code})
            continue
        cleaned[attribute.code] = _attribute_value(attribute, value)
    return cleaned


def _invalid(attribute: CategoryAttribute, reason: str) -> ReportError:
    return ReportError(ReportErrorCode.ATTRIBUTE_INVALID,
                       _("%(question)s : %(reason)s") % {"question": attribute.description, "reason": reason},
                       details={"attribute": attribute.code})


def _number(attribute: CategoryAttribute, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _invalid(attribute, _("un nombre est attendu.")) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _invalid(attribute, _("un nombre est attendu."))
    return number


def _choices(attribute: CategoryAttribute, value: Any) -> list[str]:
    keys = {str(item.get("key")) for item in attribute.values or []}
    chosen = [str(v) for v in (value if isinstance(value, list) else [value])]
    if any(v not in keys for v in chosen):
        raise _invalid(attribute, _("choix inconnu."))
    return chosen


def _attribute_value(attribute: CategoryAttribute, value: Any) -> Any:
    if attribute.datatype == AttributeDatatype.NUMBER:
        return _number(attribute, value)
    if attribute.datatype == AttributeDatatype.DATETIME:
        moment = parse_datetime(str(value)) if not isinstance(value, datetime) else value
        if moment is None:
            raise _invalid(attribute, _("une date et une heure sont attendues (AAAA-MM-JJTHH:MM)."))
        return moment.isoformat()
    if attribute.datatype == AttributeDatatype.SINGLE:
        return _choices(attribute, str(value))[0]
    if attribute.datatype == AttributeDatatype.MULTI:
        return sorted(set(_choices(attribute, value)))
    text = str(value).strip()
    limit = 4000 if attribute.datatype == AttributeDatatype.TEXT else 300
    if len(text) > limit:
        raise _invalid(attribute, _("%(limit)s caractères au plus.") % {"limit": limit})
    return text


def _reporter_clean(reporter: Reporter) -> Reporter:
    name = (reporter.name or "").strip()[:200]
    email = (reporter.email or "").strip().lower()
    phone = (reporter.phone or "").strip()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ReportError(ReportErrorCode.CONTACT_INVALID, _("Adresse électronique invalide."),
                              details={"field": "email"}) from None
    if phone and (len(phone) > 30 or not all(ch.isdigit() or ch in " +.-()" for ch in phone)):
        raise ReportError(ReportErrorCode.CONTACT_INVALID, _("Numéro de téléphone invalide."),
                          details={"field": "phone"})
    cleaned = Reporter(name=name, email=email, phone=phone, device_id=(reporter.device_id or "").strip()[:100],
                       consent=reporter.consent)
    if not cleaned.is_empty() and not cleaned.consent:
        raise ReportError(ReportErrorCode.CONSENT_REQUIRED,
                          _("Pour laisser vos coordonnées, acceptez qu'elles soient utilisées pour traiter le "
                            "signalement."), details={"field": "consent"})
    return cleaned


def _photos_clean(photos: Sequence[tuple[str, bytes]]) -> list[ProcessedPhoto]:
    if len(photos) > MAX_PHOTOS:
        raise ReportError(ReportErrorCode.TOO_MANY_PHOTOS, _("%(max)s photos au plus.") % {"max": MAX_PHOTOS},
                          details={"count": len(photos)})
    return [photo_process(data, name=name) for name, data in photos]


def _description_clean(description: str) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ReportError(ReportErrorCode.DESCRIPTION_TOO_LONG,
                          _("La description dépasse %(max)s caractères.") % {"max": DESCRIPTION_MAX_LENGTH},
                          details={"length": len(description), "max": DESCRIPTION_MAX_LENGTH})
    return description


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
            "photos": [hashlib.sha256(data).hexdigest() for _name, data in draft.photos],
        }
        material = f"content:{client_key}:" + json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()


def _replayed(key: str, now: datetime) -> Report | None:
    report_id = submission_report_id(key=key, since=now - REPLAY_WINDOW)
    return Report.objects.get(pk=report_id) if report_id is not None else None


def _checked(draft: ReportDraft, *, client: ClientApplication | None, reference: Reference,
             description: str) -> _Checked:
    setup, sector_id = _located_commune(draft, reference)
    commune = setup.commune
    if client is not None:
        allowed = reference.client_commune_ids(client)
        if allowed and commune.pk not in allowed:
            raise ReportError(ReportErrorCode.CLIENT_NOT_ALLOWED,
                              _("Cette application n'est pas autorisée à %(commune)s.") % {"commune": commune.name},
                              status_code=403)
    category = _category(setup, draft.service_code)
    return _Checked(setup=setup, sector_id=sector_id, category=category,
                    attributes=attributes_clean(category, draft.attributes or {}),
                    reporter=_reporter_clean(draft.reporter), photos=_photos_clean(draft.photos),
                    description=description)


def report_submit(*, actor: Acting, draft: ReportDraft, client: ClientApplication | None = None,
                  idempotency_key: str = "", now: datetime | None = None,
                  reference: Reference | None = None) -> Submission:
    """Validate, route and store a report; a replayed submission returns the report it created.

    `reference`: the reference data the caller has just taken (`reference_cache.current()`), if any.
    """
    now = now or timezone.now()
    description = _description_clean(draft.description)
    client_key = f"client:{client.pk}" if client else "web"
    key = submission_key(client_key=client_key, idempotency_key=idempotency_key, draft=draft)
    by_content = not idempotency_key
    existing = _replayed(key, now)
    if existing is not None:
        return Submission(report=existing, created=False, by_content=by_content)
    checked = _checked(draft, client=client, reference=reference or reference_cache.current(),
                       description=description)
    for attempt in range(2):
        try:
            with transaction.atomic():
                report = _report_store(actor=actor, draft=draft, client=client, checked=checked, key=key, now=now)
        except IntegrityError:
            existing = _replayed(key, now)  # the same submission, stored by a concurrent request
            if existing is not None:
                return Submission(report=existing, created=False, by_content=by_content)
            # A key older than the window, not yet swept: the submission is new, the old key goes.
            stale = ReportSubmission.objects.filter(key=key, created_at__lt=now - REPLAY_WINDOW).delete()[0]
            if not stale or attempt:
                break
        else:
            return Submission(report=report, created=True)
    raise ReportError(ReportErrorCode.SUBMISSION_CONFLICT,
                      _("Ce signalement n'a pas pu être enregistré à cause d'un envoi simultané : réessayez."),
                      status_code=409)


def _report_row(draft: ReportDraft, client: ClientApplication | None, checked: _Checked, agency: str,
                now: datetime) -> Report:
    reporter = checked.reporter
    return Report(
        commune=checked.setup.commune, sector_id=checked.sector_id, category=checked.category,
        status=ReportStatus.NEW, is_open=True, agency_responsible=agency[:300], description=checked.description,
        address=(draft.address or "").strip()[:300], lat=draft.lat, lon=draft.lon,
        h3_cell=h3_cell(draft.lat, draft.lon),
        attributes=checked.attributes, reporter_name=reporter.name, reporter_email=reporter.email,
        reporter_phone=reporter.phone, reporter_device_id=reporter.device_id, reporter_consent=reporter.consent,
        source=draft.source, client=client, tracking_token=secrets.token_urlsafe(32), created_at=now,
        updated_at=now, expected_at=expected_at(checked.category, now),
    )


def _photos_store(report: Report, photos: list[ProcessedPhoto], now: datetime) -> None:
    ReportPhoto.objects.bulk_create([
        ReportPhoto(report=report, position=index, content=photo.content, thumbnail=photo.thumbnail,
                    width=photo.width, height=photo.height, size_bytes=len(photo.content), sha256=photo.sha256,
                    created_at=now)
        for index, photo in enumerate(photos)
    ])


def _receipt(report: Report, email: str, now: datetime, tokens: dict[str, str]) -> list[ReportNotification]:
    """The reporter follows the report and is sent a receipt; `tokens` learns the unfollow token."""
    if not email:
        return []
    follower = insert_row(ReportFollower(report=report, email=email, token=secrets.token_urlsafe(32),
                                         created_at=now))
    tokens[follower.email] = follower.token
    return notification_render(report=report, recipients=[email], template="received", tokens=tokens)


def _report_store(*, actor: Acting, draft: ReportDraft, client: ClientApplication | None, checked: _Checked,
                  key: str, now: datetime) -> Report:
    commune, category = checked.setup.commune, checked.category
    destinations = destinations_for(checked.setup, category_id=category.pk, sector_id=checked.sector_id)
    report = insert_row(_report_row(draft, client, checked, ", ".join(d.name for d in destinations), now))
    insert_row(ReportSubmission(key=key, report=report, created_at=now))
    _photos_store(report, checked.photos, now)
    history_append(report, actor=actor, kind=UpdateKind.CREATED, now=now, status=ReportStatus.NEW,
                   public_message=RECEIVED_MESSAGE)
    # A new report's only follower is its reporter: the unfollow tokens are known, no need to read them.
    tokens: dict[str, str] = {}
    mails = _receipt(report, checked.reporter.email, now, tokens)
    # A new report has no dispatch yet: one insert, and the agency is known before the report is written.
    insert_rows([dispatch_row(report, destination, now, mails, tokens) for destination in destinations])
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
