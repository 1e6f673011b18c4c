"""The register of personal data breaches (article 33 GDPR): the CNIL is notified within 72 hours of discovery."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from confiance.core.actors import Authorised
from confiance.privacy.choices import PRIVACY_MANAGE_PERMISSION, BreachRisk
from confiance.privacy.errors import PrivacyError, PrivacyErrorCode
from confiance.privacy.models import Breach
from confiance.privacy.services import audit_record
from confiance.privacy.services.rights import _next_number

NOTIFICATION_DELAY = timedelta(hours=72)


def breach_deadline(breach: Breach) -> datetime:
    return breach.discovered_at + NOTIFICATION_DELAY


def breach_overdue(breach: Breach, now: datetime | None = None) -> bool:
    """Past 72 hours without a notification, unless the decision is that no risk makes one needed."""
    now = now or timezone.now()
    needs_notice = breach.risk != BreachRisk.NONE
    return needs_notice and breach.notified_at is None and now > breach_deadline(breach)


@transaction.atomic
def breach_record(*, actor: Authorised, commune_id: int, discovered_at: datetime, description: str,
                  occurred_at: datetime | None = None, data_categories: str = "", persons_count: int | None = None,
                  consequences: str = "", measures: str = "") -> Breach:
    actor.require(PRIVACY_MANAGE_PERMISSION, commune_id)
    if len((description or "").strip()) < 5:
        raise PrivacyError(PrivacyErrorCode.INVALID, "Décrivez la violation.", details={"field": "description"})
    if discovered_at > timezone.now() + timedelta(minutes=5):
        raise PrivacyError(PrivacyErrorCode.INVALID, "La date de découverte est dans le futur.",
                           details={"field": "discovered_at"})
    breach = Breach.objects.create(
        commune_id=commune_id, number=_next_number(Breach, commune_id, "VDP"), discovered_at=discovered_at,
        occurred_at=occurred_at, description=description[:4000], data_categories=data_categories[:500],
        persons_count=persons_count, consequences=consequences[:4000], measures=measures[:4000],
        created_by_id=actor.agent.pk)
    audit_record(actor=actor, action="privacy.breach_record", target=breach)
    return breach


@transaction.atomic
def breach_decide(*, actor: Authorised, breach: Breach, risk: str, reason: str, notification_text: str = "",
                  notified_at: datetime | None = None, persons_informed_at: datetime | None = None) -> Breach:
    """The decision (register only, notify the CNIL, inform the persons too), its reason and the notification."""
    actor.require(PRIVACY_MANAGE_PERMISSION, breach.commune_id)
    if risk not in BreachRisk.values:
        raise PrivacyError(PrivacyErrorCode.INVALID, "Décision inconnue.", details={"field": "risk"})
    if len((reason or "").strip()) < 5:
        raise PrivacyError(PrivacyErrorCode.INVALID, "Justifiez la décision.", details={"field": "reason"})
    breach.risk, breach.decision_reason = risk, reason[:4000]
    breach.notification_text = notification_text[:8000]
    breach.notified_at, breach.persons_informed_at = notified_at, persons_informed_at
    breach.save(update_fields=["risk", "decision_reason", "notification_text", "notified_at",
                               "persons_informed_at"])
    audit_record(actor=actor, action="privacy.breach_decide", target=breach,
                 extra={"risk": risk, "notified": notified_at is not None,
                        "late": notified_at is not None and notified_at > breach_deadline(breach)})
    return breach


def notification_draft(breach: Breach, controller: str) -> str:
    """A first text of the notification to the CNIL (article 33-3 GDPR's four points), for the DPO to finish."""
    return "\n".join([
        f"Responsable de traitement : {controller or '(à compléter)'}",
        f"Violation n° {breach.number}, découverte le {timezone.localtime(breach.discovered_at):%d/%m/%Y à %H:%M}.",
        f"1. Nature de la violation : {breach.description}",
        f"   Catégories de données : {breach.data_categories or '(à compléter)'} ; "
        f"nombre approximatif de personnes : {breach.persons_count if breach.persons_count is not None else '?'}",
        "2. Contact : le délégué à la protection des données de la commune.",
        f"3. Conséquences probables : {breach.consequences or '(à compléter)'}",
        f"4. Mesures prises ou envisagées : {breach.measures or '(à compléter)'}",
    ])
