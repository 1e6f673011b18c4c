"""Rights requests (articles 15-21 GDPR): register, one-month clock, search across every finder, export, erasure.

Every step is a RightsRequestStep row and an audit entry; the search is an access-log entry with the request as
its motive (the DPO reads person records).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from confiance.core.actors import Authorised
from confiance.privacy.choices import (
    PRIVACY_MANAGE_PERMISSION,
    AccessMotive,
    RightsRequestKind,
    RightsRequestStatus,
    RightsStepKind,
)
from confiance.privacy.errors import PrivacyError, PrivacyErrorCode
from confiance.privacy.models import RightsRequest, RightsRequestStep
from confiance.privacy.processing import PersonMatch, registered_person_finders
from confiance.privacy.services import access_log_record, audit_record


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (the last day of a shorter month): GDPR art. 12-3 counts in months."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _next_number(model, commune_id: int, prefix: str) -> str:
    year = timezone.localdate().year
    count = model.objects.filter(commune_id=commune_id, number__startswith=f"{prefix}-{year}-").count()
    return f"{prefix}-{year}-{count + 1:04d}"


def _step(request: RightsRequest, actor: Authorised | None, kind: str, note: str = "", **data: Any) -> None:
    RightsRequestStep.objects.create(request=request, kind=kind, note=note[:4000], data=data,
                                     actor=getattr(actor, "agent", None))
    audit_record(actor=actor, action=f"privacy.rights_{kind}", target=request, commune_id=request.commune_id,
                 extra={"kind": request.kind, **{key: value for key, value in data.items() if key != "matches"}})


@transaction.atomic
def rights_request_create(*, actor: Authorised, commune_id: int, kind: str, requester_name: str = "",
                          requester_email: str = "", requester_phone: str = "", details: str = "",
                          received_at: datetime | None = None) -> RightsRequest:
    """Register a request; its answer is due one month after receipt (GDPR art. 12-3)."""
    actor.require(PRIVACY_MANAGE_PERMISSION, commune_id)
    if kind not in RightsRequestKind.values:
        raise PrivacyError(PrivacyErrorCode.INVALID, "Droit inconnu.", details={"field": "kind"})
    if not (requester_name.strip() or requester_email.strip() or requester_phone.strip()):
        raise PrivacyError(PrivacyErrorCode.NO_CRITERION, "Indiquez le nom, le courriel ou le téléphone du demandeur.")
    received = received_at or timezone.now()
    request = RightsRequest.objects.create(
        commune_id=commune_id, number=_next_number(RightsRequest, commune_id, "DDR"), kind=kind,
        requester_name=requester_name.strip()[:200], requester_email=requester_email.strip()[:254],
        requester_phone=requester_phone.strip()[:30], details=details[:4000], received_at=received,
        due_at=add_months(received, 1), created_by_id=actor.agent.pk)
    _step(request, actor, RightsStepKind.RECEIVED)
    return request


def _require_open(actor: Authorised, request: RightsRequest) -> None:
    actor.require(PRIVACY_MANAGE_PERMISSION, request.commune_id)
    if request.status != RightsRequestStatus.OPEN:
        raise PrivacyError(PrivacyErrorCode.REQUEST_CLOSED, "Cette demande est close.")


@transaction.atomic
def rights_request_extend(*, actor: Authorised, request: RightsRequest, reason: str) -> RightsRequest:
    """Extend the clock by two more months (three in all), with the reason the person is told (art. 12-3)."""
    _require_open(actor, request)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise PrivacyError(PrivacyErrorCode.EXTENSION_REASON_REQUIRED,
                           "Indiquez le motif de la prolongation (complexité ou nombre de demandes).")
    if request.extension_reason:
        raise PrivacyError(PrivacyErrorCode.ALREADY_EXTENDED, "Le délai a déjà été prolongé.")
    request.due_at = add_months(request.received_at, 3)
    request.extension_reason = reason[:500]
    request.save(update_fields=["due_at", "extension_reason"])
    _step(request, actor, RightsStepKind.EXTENDED, reason, due_at=request.due_at.isoformat())
    return request


@dataclass(frozen=True)
class SearchResult:
    matches: list[PersonMatch]
    sources: dict[str, int]  # finder label -> matches

    @property
    def found(self) -> bool:
        return bool(self.matches)


def _search(request: RightsRequest) -> SearchResult:
    matches: list[PersonMatch] = []
    sources: dict[str, int] = {}
    for finder in registered_person_finders():
        found = list(finder.find(email=request.requester_email, phone=request.requester_phone,
                                 name=request.requester_name, commune_ids=[request.commune_id]))
        sources[finder.label] = len(found)
        matches += found
    return SearchResult(matches, sources)


@transaction.atomic
def rights_request_search(*, actor: Authorised, request: RightsRequest) -> SearchResult:
    """Search every registered finder for the requester, in the request's commune only; logged as a consultation."""
    actor.require(PRIVACY_MANAGE_PERMISSION, request.commune_id)
    result = _search(request)
    access_log_record(actor=actor, target=request, motive=f"Demande d'exercice de droits {request.number}",
                      motive_code=AccessMotive.RIGHTS_REQUEST,
                      extra={"matches": len(result.matches)})
    _step(request, actor, RightsStepKind.SEARCHED, sources=result.sources, total=len(result.matches))
    return result


def export_document(request: RightsRequest, result: SearchResult) -> dict[str, Any]:
    """What the DPO sends the person: every record found, with the data held and whether it can be erased."""
    return {
        "demande": request.number, "droit": str(RightsRequestKind(request.kind).label),
        "reçue le": request.received_at.isoformat(), "réponse due le": request.due_at.isoformat(),
        "résultat": ("Des données vous concernant ont été trouvées." if result.found else
                     "Aucune donnée vous concernant n'a été trouvée dans les traitements de la commune."),
        "sources consultées": result.sources,
        "données": [{"source": match.source, "référence": match.reference, "résumé": match.summary,
                     "données": match.data, "effaçable": match.erasable, "motif de refus": match.erasure_refusal}
                    for match in result.matches],
    }


@transaction.atomic
def rights_request_export(*, actor: Authorised, request: RightsRequest) -> dict[str, Any]:
    actor.require(PRIVACY_MANAGE_PERMISSION, request.commune_id)
    result = _search(request)
    access_log_record(actor=actor, target=request, motive=f"Export pour la demande {request.number}",
                      motive_code=AccessMotive.RIGHTS_REQUEST,
                      extra={"matches": len(result.matches)})
    _step(request, actor, RightsStepKind.EXPORTED, total=len(result.matches))
    return export_document(request, result)


@dataclass(frozen=True)
class ErasureOutcome:
    erased: list[PersonMatch]
    refused: list[PersonMatch]


@transaction.atomic
def rights_request_erase(*, actor: Authorised, request: RightsRequest) -> ErasureOutcome:
    """Erase what the law allows; for the rest, record the refusal and its legal reason."""
    _require_open(actor, request)
    if request.kind != RightsRequestKind.ERASURE:
        raise PrivacyError(PrivacyErrorCode.NOT_ERASURE, "Seule une demande d'effacement efface des données.")
    erased, refused = [], []
    for finder in registered_person_finders():
        for match in finder.find(email=request.requester_email, phone=request.requester_phone,
                                 name=request.requester_name, commune_ids=[request.commune_id]):
            if match.erasable and finder.erase is not None:
                finder.erase(match)
                erased.append(match)
            else:
                refused.append(match)
    if erased:
        _step(request, actor, RightsStepKind.ERASED, total=len(erased),
              records=[f"{match.model}:{match.pk}" for match in erased])
    if refused:
        reasons = sorted({match.erasure_refusal or "Effacement non prévu pour ce traitement." for match in refused})
        _step(request, actor, RightsStepKind.ERASURE_REFUSED, "\n".join(reasons), total=len(refused),
              records=[f"{match.model}:{match.pk}" for match in refused])
    return ErasureOutcome(erased, refused)


@transaction.atomic
def rights_request_close(*, actor: Authorised, request: RightsRequest, refused: bool, note: str) -> RightsRequest:
    """Record the answer sent (or the refusal, with its reason) and stop the clock."""
    _require_open(actor, request)
    if refused and len((note or "").strip()) < 5:
        raise PrivacyError(PrivacyErrorCode.INVALID, "Indiquez le motif du refus.", details={"field": "note"})
    request.status = RightsRequestStatus.REFUSED if refused else RightsRequestStatus.ANSWERED
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_at"])
    _step(request, actor, RightsStepKind.REFUSED if refused else RightsStepKind.ANSWERED, note or "")
    return request
