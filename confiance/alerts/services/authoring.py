"""Authoring an alert: a draft by an operator (from scratch, a template or an alarm), edited, submitted for approval.

Life of an alert (every step an `AlertStep`, every human step in the audit journal):
draft -> awaiting approval (submit) -> published (approve, by a second person holding alerts.approve, never the
author) ; the approver may send it back to draft instead. A published alert is replaced by an Update or ended by a
Cancel: both are new messages, drafted and approved the same way, naming the alert(s) they replace.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.alerts.access import alert_get_for_actor
from confiance.alerts.choices import (
    AlertStatus,
    AlertStepKind,
    CapStatus,
    Category,
    Certainty,
    MessageType,
    ResponseType,
    Risk,
    Severity,
    Urgency,
)
from confiance.alerts.drafts import AlertDraft
from confiance.alerts.errors import AlertsError, AlertsErrorCode
from confiance.alerts.events import AlertChanged
from confiance.alerts.geometry import area_clean
from confiance.alerts.models import Alert, AlertStep, AlertTemplate
from confiance.core.errors import NotFoundError
from confiance.core.live import publish_on_commit
from confiance.core.parsing import ParseError, check_datetime
from confiance.privacy.services import audit_record
from confiance.territory.models import Commune, Sector

MAX_VALIDITY = timedelta(days=31)
TEXT_LIMITS = {"event": 120, "headline": 160, "area_description": 300, "description": 4000, "instruction": 4000,
               "headline_en": 160, "description_en": 4000, "instruction_en": 4000}
EDITABLE = (AlertStatus.DRAFT,)
_CLOSED_LISTS = {"category": Category, "response_type": ResponseType, "urgency": Urgency, "severity": Severity,
                 "certainty": Certainty, "risk": Risk, "cap_status": CapStatus}


def sender_of(commune: Commune) -> str:
    """The CAP sender of a commune's messages."""
    return f"mairie-{commune.insee_code}@{settings.CONFIANCE_ALERTS_SENDER_DOMAIN}"


def new_identifier(commune: Commune) -> str:
    """A CAP identifier unique per sender: commune, date and time, and a random suffix (no space nor comma)."""
    return f"FR-{commune.insee_code}-{timezone.now():%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def alert_event(alert: Alert) -> AlertChanged:
    return AlertChanged(
        id=alert.pk, commune_id=alert.commune_id, identifier=alert.identifier, msg_type=alert.msg_type,
        status=alert.status, status_label=str(AlertStatus(alert.status).label), headline=alert.headline,
        severity=alert.severity, severity_label=str(Severity(alert.severity).label), author_id=alert.author_id,
        approver_id=alert.approver_id, published_at=alert.published_at.isoformat() if alert.published_at else None)


def step(alert: Alert, kind: str, *, by=None, note: str = "") -> None:
    AlertStep.objects.create(alert=alert, kind=kind, by=by, note=(note or "")[:500])


def publish_event(alert: Alert) -> None:
    publish_on_commit(alert_event(alert), commune_id=alert.commune_id)


def _invalid(field: str, message: str, code: str = AlertsErrorCode.VALIDITY_INVALID) -> AlertsError:
    return AlertsError(code if code else None, message, details={"field": field})


def _check_texts(draft: AlertDraft) -> None:
    for name, limit in TEXT_LIMITS.items():
        value = getattr(draft, name) or ""
        if len(value) > limit or "\x00" in value:
            raise AlertsError(message=_("%(field)s : %(limit)s caractères au plus.") % {"field": name, "limit": limit},
                              details={"field": name, "max": limit})
    if not draft.event.strip() or not draft.headline.strip():
        raise AlertsError(message=_("L'événement et le titre sont obligatoires."), details={"field": "headline"})
    for name, choices in _CLOSED_LISTS.items():
        if getattr(draft, name) not in choices.values:
            raise AlertsError(message=_("Valeur inconnue pour %(field)s.") % {"field": name}, details={"field": name})


def _check_validity(draft: AlertDraft) -> None:
    for name in ("onset", "expires"):
        moment = getattr(draft, name)
        if moment is None:
            continue
        if timezone.is_naive(moment):
            raise _invalid(name, _("Indiquez le fuseau horaire des dates."))
        try:
            check_datetime(moment)
        except ParseError as exc:
            raise _invalid(name, str(exc)) from exc
    if draft.onset and draft.expires and draft.expires <= draft.onset:
        raise _invalid("expires", _("La fin de validité doit venir après le début."))
    if draft.onset and draft.expires and draft.expires - draft.onset > MAX_VALIDITY:
        raise _invalid("expires", _("Une alerte vaut 31 jours au plus : publiez une mise à jour ensuite."))


def _targets(commune: Commune, draft: AlertDraft) -> tuple[list[Sector], list[Commune]]:
    sectors = list(Sector.objects.filter(pk__in=draft.sector_ids, commune=commune))
    if len(sectors) != len(set(draft.sector_ids)):
        raise AlertsError(AlertsErrorCode.AREA_INVALID, _("Secteur inconnu dans cette commune."),
                          details={"field": "sector_ids"})
    communes = list(Commune.objects.filter(pk__in=draft.commune_ids))
    if len(communes) != len(set(draft.commune_ids)) or any(item.pk != commune.pk for item in communes):
        raise AlertsError(AlertsErrorCode.AREA_INVALID, _("Une commune ne vise que son propre territoire."),
                          details={"field": "commune_ids"})
    return sectors, communes


def cleaned(commune: Commune, draft: AlertDraft) -> tuple[AlertDraft, list[Sector], list[Commune]]:
    """The draft checked (texts, closed lists, validity, area), its area normalised, its targets loaded."""
    _check_texts(draft)
    _check_validity(draft)
    draft = replace(draft, area=area_clean(draft.area))
    sectors, communes = _targets(commune, draft)
    return draft, sectors, communes


def _apply(alert: Alert, draft: AlertDraft) -> None:
    for name in ("event", "headline", "category", "response_type", "urgency", "severity", "certainty", "risk",
                 "description", "instruction", "headline_en", "description_en", "instruction_en", "onset",
                 "expires", "area_description", "area", "cap_status"):
        value = getattr(draft, name)
        setattr(alert, name, value.strip() if isinstance(value, str) else value)


def create_message(*, actor: Actor, commune: Commune, draft: AlertDraft, msg_type: str = MessageType.ALERT,
                   references: list[Alert] | None = None, source_alarm_id: int | None = None) -> Alert:
    """Write a new draft message (inside the caller's transaction)."""
    draft, sectors, communes = cleaned(commune, draft)
    template = AlertTemplate.objects.filter(pk=draft.template_id).first() if draft.template_id else None
    alert = Alert(commune=commune, sender=sender_of(commune), identifier=new_identifier(commune),
                  msg_type=msg_type, author=actor.agent, template=template, source_alarm_id=source_alarm_id)
    _apply(alert, draft)
    alert.save()
    alert.target_sectors.set(sectors)
    alert.target_communes.set(communes)
    if references:
        alert.references.set(references)
    step(alert, AlertStepKind.DRAFTED, by=actor.agent)
    audit_record(actor=actor, action="alerts.draft", target=alert,
                 extra={"msg_type": msg_type, "references": [item.pk for item in references or []]})
    publish_event(alert)
    return alert


@transaction.atomic
def alert_draft(*, actor: Actor, commune_id: int, draft: AlertDraft, source_alarm_id: int | None = None) -> Alert:
    """An operator drafts a new alert for a commune where it holds alerts.draft."""
    actor.require(Permission.ALERTS_DRAFT, commune_id)
    commune = Commune.objects.get(pk=commune_id)
    return create_message(actor=actor, commune=commune, draft=draft, source_alarm_id=source_alarm_id)


@transaction.atomic
def alert_edit(*, actor: Actor, alert_id: int, draft: AlertDraft) -> Alert:
    """Change a draft (any drafter of the commune may; an alert awaiting approval goes back to draft first)."""
    alert = alert_get_for_actor(actor=actor, alert_id=alert_id, permission=Permission.ALERTS_DRAFT, lock=True)
    if alert.status not in EDITABLE:
        raise AlertsError(AlertsErrorCode.NOT_EDITABLE, _("Seul un brouillon se modifie."),
                          details={"status": alert.status})
    draft, sectors, communes = cleaned(alert.commune, draft)
    _apply(alert, draft)
    alert.updated_at = timezone.now()
    alert.save()
    alert.target_sectors.set(sectors)
    alert.target_communes.set(communes)
    step(alert, AlertStepKind.EDITED, by=actor.agent)
    audit_record(actor=actor, action="alerts.edit", target=alert)
    publish_event(alert)
    return alert


def has_area(alert: Alert) -> bool:
    return bool((alert.area or {}).get("features")) or alert.target_sectors.exists() or \
        alert.target_communes.exists()


@transaction.atomic
def alert_submit(*, actor: Actor, alert_id: int) -> Alert:
    """The author (or another drafter) asks for approval; the area and validity must be complete."""
    alert = alert_get_for_actor(actor=actor, alert_id=alert_id, permission=Permission.ALERTS_DRAFT, lock=True)
    if alert.status != AlertStatus.DRAFT:
        raise AlertsError(AlertsErrorCode.NOT_EDITABLE, _("Seul un brouillon est soumis à validation."))
    if not has_area(alert):
        raise AlertsError(AlertsErrorCode.AREA_MISSING,
                          _("Dessinez la zone ou choisissez des secteurs avant de soumettre."))
    if alert.expires is None:
        raise _invalid("expires", _("Indiquez la fin de validité avant de soumettre."))
    if alert.expires <= timezone.now():
        raise _invalid("expires", _("La fin de validité est déjà passée."))
    alert.status = AlertStatus.AWAITING_APPROVAL
    alert.submitted_at = alert.updated_at = timezone.now()
    alert.save(update_fields=["status", "submitted_at", "updated_at"])
    step(alert, AlertStepKind.SUBMITTED, by=actor.agent)
    audit_record(actor=actor, action="alerts.submit", target=alert)
    publish_event(alert)
    return alert


@transaction.atomic
def alert_return(*, actor: Actor, alert_id: int, note: str) -> Alert:
    """The approver sends an alert back to its author with an observation."""
    alert = alert_get_for_actor(actor=actor, alert_id=alert_id, permission=Permission.ALERTS_APPROVE, lock=True)
    if alert.status != AlertStatus.AWAITING_APPROVAL:
        raise AlertsError(AlertsErrorCode.NOT_SUBMITTED, _("Cette alerte n'attend pas de validation."))
    note = (note or "").strip()[:500]
    alert.status, alert.review_note, alert.updated_at = AlertStatus.DRAFT, note, timezone.now()
    alert.save(update_fields=["status", "review_note", "updated_at"])
    step(alert, AlertStepKind.RETURNED, by=actor.agent, note=note)
    audit_record(actor=actor, action="alerts.return", target=alert)
    publish_event(alert)
    return alert


@transaction.atomic
def alert_abandon(*, actor: Actor, alert_id: int) -> Alert:
    """A draft nobody will publish: kept (history), marked abandoned."""
    alert = alert_get_for_actor(actor=actor, alert_id=alert_id, permission=Permission.ALERTS_DRAFT, lock=True)
    if alert.status not in (AlertStatus.DRAFT, AlertStatus.AWAITING_APPROVAL):
        raise AlertsError(AlertsErrorCode.NOT_EDITABLE, _("Seul un brouillon s'abandonne."))
    alert.status, alert.updated_at = AlertStatus.ABANDONED, timezone.now()
    alert.save(update_fields=["status", "updated_at"])
    step(alert, AlertStepKind.ABANDONED, by=actor.agent)
    audit_record(actor=actor, action="alerts.abandon", target=alert)
    publish_event(alert)
    return alert


def draft_from_template(template: AlertTemplate, *, now=None) -> AlertDraft:
    """The wording of a template as a draft valid from now for the template's duration."""
    now = now or timezone.now()
    return AlertDraft(
        event=template.event, headline=template.headline, category=template.category,
        response_type=template.response_type, urgency=template.urgency, severity=template.severity,
        certainty=template.certainty, risk=template.risk, description=template.description,
        instruction=template.instruction, headline_en=template.headline_en, description_en=template.description_en,
        instruction_en=template.instruction_en, onset=now, expires=now + timedelta(hours=template.duration_hours),
        template_id=template.pk)


def template_for(commune_id: int, template_id: int) -> AlertTemplate:
    template = AlertTemplate.objects.filter(pk=template_id, active=True).first()
    if template is None or template.commune_id not in (None, commune_id):
        raise NotFoundError(AlertsErrorCode.TEMPLATE_UNKNOWN, _("Modèle d'alerte introuvable."))
    return template
