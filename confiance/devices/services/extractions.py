"""Writes of the register of extractions for judicial requisitions: record a request (its spans go under legal hold
at once), record what was handed over (file names and SHA-256), release the hold.

Confiance stores no video. The hold is the record telling the supervisors, the VMS integrator and an inspection
that these spans of these cameras must not be purged; it is in force from the request until `hold_released_at`.
Each write is journaled; the register's exports (PDF, CSV) are access-logged with their motive.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.devices.choices import ExtractionStatus
from confiance.devices.drafts import ExtractionDraft, MediumDraft
from confiance.devices.errors import DevicesError, DevicesErrorCode
from confiance.devices.models import Camera, Extraction, ExtractionMedium
from confiance.privacy.choices import AccessMotive
from confiance.privacy.services import access_log_record, audit_record
from confiance.territory.models import Commune

SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_CAMERAS = 200
MAX_MEDIA = 100
MAX_SPAN_DAYS = 31


def _invalid(message: str, field: str, code: DevicesErrorCode = DevicesErrorCode.EXTRACTION_INVALID) -> DevicesError:
    return DevicesError(code, message, details={"field": field})


def _cameras_of(commune: Commune, camera_ids: tuple[int, ...]) -> list[Camera]:
    ids = sorted(set(camera_ids))
    if not ids or len(ids) > MAX_CAMERAS:
        raise _invalid(_("Choisissez de 1 à %(max)d caméras.") % {"max": MAX_CAMERAS}, "camera_ids")
    cameras = list(Camera.objects.select_related("device").filter(pk__in=ids, device__commune=commune))
    if len(cameras) != len(ids):
        raise _invalid(_("Une caméra demandée n'existe pas dans cette commune."), "camera_ids")
    return cameras


def _check_span(draft: ExtractionDraft) -> None:
    if draft.span_end <= draft.span_start:
        raise _invalid(_("La fin de la période doit suivre son début."), "span_end")
    if (draft.span_end - draft.span_start).days > MAX_SPAN_DAYS:
        raise _invalid(_("La période demandée dépasse la durée de conservation des images."), "span_end")
    if draft.span_start > timezone.now():
        raise _invalid(_("La période demandée ne peut pas commencer dans le futur."), "span_start")


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise _invalid(_("Ce champ est obligatoire."), field)
    return value[:limit]


@transaction.atomic
def extraction_record(*, actor: Actor, commune: Commune, draft: ExtractionDraft) -> Extraction:
    """A requisition enters the register; its spans are under legal hold from now on."""
    actor.require(Permission.CAMERAS_EXTRACT, commune.pk)
    _check_span(draft)
    cameras = _cameras_of(commune, draft.camera_ids)
    extraction = Extraction.objects.create(
        commune=commune, officer_name=_text(draft.officer_name, "officer_name", 200),
        officer_service=_text(draft.officer_service, "officer_service", 200),
        requisition_reference=_text(draft.requisition_reference, "requisition_reference", 120),
        requested_at=draft.requested_at or timezone.now(), span_start=draft.span_start, span_end=draft.span_end,
        recorded_by=actor.agent)
    extraction.cameras.set(cameras)
    audit_record(actor=actor, action="cameras.extraction_record", target=extraction,
                 extra={"requisition": extraction.requisition_reference,
                        "cameras": [camera.device.identifier for camera in cameras],
                        "span": [draft.span_start.isoformat(), draft.span_end.isoformat()]})
    return extraction


def medium_check(medium: MediumDraft) -> MediumDraft:
    name = (medium.file_name or "").strip()
    if not name or len(name) > 255 or any(char in name for char in "\r\n\x00"):
        raise _invalid(_("Nom de fichier invalide."), "file_name")
    digest = (medium.sha256 or "").strip().lower()
    if not SHA256.fullmatch(digest):
        raise _invalid(_("L'empreinte SHA-256 est faite de 64 caractères hexadécimaux."), "sha256",
                       DevicesErrorCode.EXTRACTION_DIGEST_INVALID)
    return MediumDraft(file_name=name, sha256=digest)


@transaction.atomic
def extraction_deliver(*, actor: Actor, extraction_id: int, media: list[MediumDraft]) -> Extraction:
    """The images were handed over: the files and their fingerprints, when and by whom. The hold stays."""
    extraction = Extraction.objects.select_for_update(no_key=True).filter(pk=extraction_id).first()
    if extraction is None or extraction.commune_id not in actor.commune_ids(Permission.CAMERAS_EXTRACT):
        raise DevicesError(DevicesErrorCode.EXTRACTION_INVALID, _("Extraction introuvable."), status_code=404)
    if extraction.status == ExtractionStatus.DELIVERED:
        raise DevicesError(DevicesErrorCode.EXTRACTION_ALREADY_DELIVERED,
                           _("Les images de cette réquisition ont déjà été remises."), status_code=409)
    if not media or len(media) > MAX_MEDIA:
        raise _invalid(_("Indiquez de 1 à %(max)d fichiers remis.") % {"max": MAX_MEDIA}, "media")
    checked = [medium_check(medium) for medium in media]
    ExtractionMedium.objects.bulk_create([ExtractionMedium(extraction=extraction, file_name=medium.file_name,
                                                           sha256=medium.sha256) for medium in checked])
    extraction.status, extraction.delivered_at, extraction.delivered_by = (
        ExtractionStatus.DELIVERED, timezone.now(), actor.agent)
    extraction.save(update_fields=["status", "delivered_at", "delivered_by"])
    audit_record(actor=actor, action="cameras.extraction_deliver", target=extraction,
                 extra={"media": [{"file": medium.file_name, "sha256": medium.sha256} for medium in checked]})
    # Handing images over is an export of images: it is written to the access log with its motive.
    access_log_record(actor=actor, target=extraction, motive=_("Réquisition judiciaire %(reference)s")
                      % {"reference": extraction.requisition_reference}, extra={"what": "export"},
                      motive_code=AccessMotive.JUDICIAL)
    return extraction


@transaction.atomic
def extraction_release_hold(*, actor: Actor, extraction_id: int) -> Extraction:
    """The judicial authority no longer needs the spans kept: the VMS may purge them again."""
    extraction = Extraction.objects.select_for_update(no_key=True).filter(pk=extraction_id).first()
    if extraction is None or extraction.commune_id not in actor.commune_ids(Permission.CAMERAS_EXTRACT):
        raise DevicesError(DevicesErrorCode.EXTRACTION_INVALID, _("Extraction introuvable."), status_code=404)
    if extraction.hold_released_at is not None:
        raise DevicesError(DevicesErrorCode.EXTRACTION_HOLD_RELEASED, _("Le gel de ces images est déjà levé."),
                           status_code=409)
    extraction.hold_released_at, extraction.hold_released_by = timezone.now(), actor.agent
    extraction.save(update_fields=["hold_released_at", "hold_released_by"])
    audit_record(actor=actor, action="cameras.extraction_release", target=extraction,
                 extra={"requisition": extraction.requisition_reference})
    return extraction


def extraction_register_exported(*, actor: Actor, commune: Commune, motive: str, fmt: str) -> None:
    """Write the export of the register (officers' names) to the access log, with its motive."""
    actor.require(Permission.CAMERAS_EXTRACT, commune.pk)
    with transaction.atomic():
        access_log_record(actor=actor, target=commune, motive=motive, extra={"what": f"register_{fmt}"},
                          motive_code=AccessMotive.JUDICIAL)
