"""Approval by a second person, publication as a CAP 1.2 message, updates and cancellations naming what they replace.

Publication freezes the CAP message (`Alert.cap_xml`): the public address serves those bytes for ever. The message
is checked against the OASIS XSD and the rules the XSD does not see before anything is committed; an invalid message
is never published. After commit, the on-published callbacks run (delivery, `confiance.alerts.hooks`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.alerts import hooks
from confiance.alerts.access import alert_get_for_actor
from confiance.alerts.cap.build import cap_build, cap_datetime
from confiance.alerts.cap.rules import cap_rule_problems
from confiance.alerts.cap.xml import schema_errors
from confiance.alerts.choices import AlertStatus, AlertStepKind, MessageType, ResponseType, Urgency
from confiance.alerts.drafts import AlertDraft
from confiance.alerts.errors import AlertsError, AlertsErrorCode
from confiance.alerts.models import Alert
from confiance.alerts.services.authoring import create_message, publish_event, step
from confiance.core.errors import NotFoundError
from confiance.privacy.services import audit_record

IN_FORCE = (AlertStatus.PUBLISHED,)
CANCEL_VALIDITY = timedelta(hours=12)  # how long the "fin d'alerte" stays shown


def reference_exists(sender: str, identifier: str, sent: str) -> bool:
    """Whether a reference names a message this platform published (its sent time included)."""
    alert = Alert.objects.filter(sender=sender, identifier=identifier, published_at__isnull=False).first()
    return alert is not None and alert.published_at is not None and cap_datetime(alert.published_at) == sent


def cap_checked(alert: Alert) -> bytes:
    """The alert's CAP message, or refused with every problem found (XSD first, then the other rules)."""
    xml = cap_build(alert, base_url=settings.CONFIANCE_PUBLIC_URL.rstrip("/"))
    root = etree.fromstring(xml)
    problems = schema_errors(root) or cap_rule_problems(root, reference_exists=reference_exists)
    duplicate = Alert.objects.filter(sender=alert.sender, identifier=alert.identifier).exclude(pk=alert.pk).exists()
    if duplicate:
        problems.append("identifiant déjà utilisé par cet émetteur")
    if problems:
        raise AlertsError(AlertsErrorCode.CAP_INVALID, _("Le message CAP serait invalide : %(problems)s")
                          % {"problems": "; ".join(problems[:5])}, details={"problems": problems})
    return xml


def _check_approver(actor: Actor, alert: Alert) -> None:
    if alert.author_id == actor.agent.pk:
        raise AlertsError(AlertsErrorCode.OWN_DRAFT,
                          _("Une alerte est validée par une autre personne que son auteur."), status_code=403)
    if not actor.can(Permission.ALERTS_APPROVE, alert.commune_id):
        raise AlertsError(AlertsErrorCode.APPROVER_NOT_ALLOWED,
                          _("Seuls un chef de poste ou un élu valident une alerte."), status_code=403)


def _publish(actor: Actor, alert: Alert) -> Alert:
    if alert.status != AlertStatus.AWAITING_APPROVAL or alert.approver_id is None or alert.approved_at is None:
        raise AlertsError(AlertsErrorCode.NOT_APPROVED, _("Une alerte n'est publiée qu'après validation."))
    if alert.approver_id == alert.author_id:
        raise AlertsError(AlertsErrorCode.OWN_DRAFT, _("Une alerte validée par son auteur n'est pas publiée."))
    if alert.expires is not None and alert.expires <= timezone.now():
        raise AlertsError(AlertsErrorCode.VALIDITY_INVALID, _("La fin de validité est déjà passée."))
    replaced = list(alert.references.select_for_update(no_key=True))
    if any(item.status not in IN_FORCE for item in replaced):
        raise AlertsError(AlertsErrorCode.REFERENCE_NOT_IN_FORCE,
                          _("Une des alertes remplacées n'est plus en vigueur."))
    now = timezone.now()
    alert.published_at = now
    alert.cap_xml = cap_checked(alert).decode("utf-8")
    alert.status = AlertStatus.PUBLISHED
    alert.updated_at = now
    alert.save(update_fields=["published_at", "cap_xml", "status", "updated_at"])
    ended = AlertStatus.CANCELLED if alert.msg_type == MessageType.CANCEL else AlertStatus.SUPERSEDED
    for item in replaced:
        item.status, item.ended_at, item.updated_at = ended, now, now
        item.save(update_fields=["status", "ended_at", "updated_at"])
        step(item, AlertStepKind.CANCELLED if ended == AlertStatus.CANCELLED else AlertStepKind.SUPERSEDED,
             by=actor.agent, note=alert.identifier)
        publish_event(item)
    step(alert, AlertStepKind.PUBLISHED, by=actor.agent)
    audit_record(actor=actor, action="alerts.publish", target=alert,
                 extra={"identifier": alert.identifier, "msg_type": alert.msg_type,
                        "replaces": [item.identifier for item in replaced]})
    publish_event(alert)
    alert_id = alert.pk
    transaction.on_commit(lambda: hooks.run_published(alert_id))
    return alert


@transaction.atomic
def alert_approve(*, actor: Actor, alert_id: int, publish: bool = True) -> Alert:
    """A second person (alerts.approve, never the author) approves the alert and, by default, publishes it."""
    alert = alert_get_for_actor(actor=actor, alert_id=alert_id, permission=Permission.ALERTS_VIEW, lock=True)
    _check_approver(actor, alert)
    if alert.status != AlertStatus.AWAITING_APPROVAL:
        raise AlertsError(AlertsErrorCode.NOT_SUBMITTED, _("Cette alerte n'attend pas de validation."))
    alert.approver, alert.approved_at = actor.agent, timezone.now()
    alert.save(update_fields=["approver", "approved_at"])
    step(alert, AlertStepKind.APPROVED, by=actor.agent)
    audit_record(actor=actor, action="alerts.approve", target=alert)
    if publish:
        return _publish(actor, alert)
    publish_event(alert)
    return alert


@transaction.atomic
def alert_publish(*, actor: Actor, alert_id: int) -> Alert:
    """Publish an approved alert (approval without immediate publication, then this)."""
    alert = alert_get_for_actor(actor=actor, alert_id=alert_id, permission=Permission.ALERTS_DRAFT, lock=True)
    return _publish(actor, alert)


def _replaced(actor: Actor, alert_ids: list[int] | tuple[int, ...]) -> list[Alert]:
    if not alert_ids:
        raise AlertsError(AlertsErrorCode.REFERENCE_UNKNOWN, _("Indiquez l'alerte remplacée."))
    found = []
    for alert_id in dict.fromkeys(alert_ids):
        try:
            alert = alert_get_for_actor(actor=actor, alert_id=alert_id, permission=Permission.ALERTS_DRAFT)
        except NotFoundError as exc:
            raise AlertsError(AlertsErrorCode.REFERENCE_UNKNOWN, _("Alerte remplacée inconnue."),
                              details={"alert_id": alert_id}, status_code=404) from exc
        if alert.status not in IN_FORCE or alert.msg_type == MessageType.CANCEL:
            raise AlertsError(AlertsErrorCode.REFERENCE_NOT_IN_FORCE,
                              _("Seule une alerte publiée et en vigueur se met à jour ou s'annule."),
                              details={"alert_id": alert_id})
        found.append(alert)
    if len({alert.commune_id for alert in found}) != 1:
        raise AlertsError(AlertsErrorCode.REFERENCE_UNKNOWN, _("Les alertes remplacées sont d'une même commune."))
    return found


@transaction.atomic
def alert_update(*, actor: Actor, replaces: list[int] | tuple[int, ...], draft: AlertDraft) -> Alert:
    """Draft an Update replacing published alerts; it is approved and published like an alert."""
    replaced = _replaced(actor, replaces)
    return create_message(actor=actor, commune=replaced[0].commune, draft=draft, msg_type=MessageType.UPDATE,
                          references=replaced)


def draft_of(alert: Alert) -> AlertDraft:
    """An alert's content as a draft (to prefill an update)."""
    return AlertDraft(
        event=alert.event, headline=alert.headline, category=alert.category, response_type=alert.response_type,
        urgency=alert.urgency, severity=alert.severity, certainty=alert.certainty, risk=alert.risk,
        description=alert.description, instruction=alert.instruction, headline_en=alert.headline_en,
        description_en=alert.description_en, instruction_en=alert.instruction_en, onset=alert.onset,
        expires=alert.expires, area_description=alert.area_description, area=alert.area,
        sector_ids=tuple(alert.target_sectors.values_list("pk", flat=True)),
        commune_ids=tuple(alert.target_communes.values_list("pk", flat=True)), cap_status=alert.cap_status)


@transaction.atomic
def alert_cancel(*, actor: Actor, replaces: list[int] | tuple[int, ...], reason: str = "") -> Alert:
    """Draft the Cancel of published alerts (same area, "fin d'alerte"); approved and published like an alert."""
    replaced = _replaced(actor, replaces)
    first = replaced[0]
    now = timezone.now()
    reason = (reason or "").strip()[:1000]
    draft = replace(draft_of(first), headline=(_("Fin d'alerte : %(headline)s") % {"headline": first.headline})[:160],
                    description=reason or _("L'alerte est levée."),
                    instruction=_("Vous pouvez reprendre vos activités normales."),
                    response_type=ResponseType.ALL_CLEAR,
                    urgency=Urgency.PAST, onset=now, expires=now + CANCEL_VALIDITY,
                    headline_en="", description_en="", instruction_en="")
    return create_message(actor=actor, commune=first.commune, draft=draft, msg_type=MessageType.CANCEL,
                          references=replaced)
