"""OTV registrations: the resident's form, the change and the cancellation through the private link.

The resident has no account: a registration is reached only through its private link, whose token is given once
(in the confirmation e-mail and the page after sending) and stored as a SHA-256 digest.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.core.actors import PublicActor
from confiance.core.geo import valid_lat_lon
from confiance.prevention.choices import RegistrationStatus, Residence
from confiance.prevention.drafts import RegistrationChange, RegistrationDraft
from confiance.prevention.errors import OtvError, OtvErrorCode
from confiance.prevention.models import OtvRegistration, OtvRules
from confiance.prevention.selectors.otv import otv_rules_for
from confiance.prevention.services.otv_notices import confirmation_send_on_commit
from confiance.privacy.services import audit_record
from confiance.territory.selectors import locate_point

RESIDENT = PublicActor("habitant (OTV)")
_PHONE = re.compile(r"\+?[0-9 .\-()]{6,25}")
_KEY = re.compile(r"[A-Za-z0-9_\-]{8,64}")


@dataclass(frozen=True)
class Submission:
    """A registration and its private token ("" when the form was a replay: the link was already given)."""

    registration: OtvRegistration
    token: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _refuse(code: OtvErrorCode, message: str, field: str) -> OtvError:
    return OtvError(code, message, details={"field": field})


def _text(value: str, field: str, label: str, *, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if "\x00" in value or len(value) > limit:
        raise _refuse(OtvErrorCode.FIELD_INVALID, _("%(label)s : %(limit)s caractères au plus.")
                      % {"label": label, "limit": limit}, field)
    if required and not value:
        raise _refuse(OtvErrorCode.FIELD_INVALID, _("%(label)s : champ obligatoire.") % {"label": label}, field)
    return value


def _phone(value: str, field: str, label: str, *, required: bool = False) -> str:
    value = _text(value, field, label, limit=30, required=required)
    if value and (not _PHONE.fullmatch(value) or sum(ch.isdigit() for ch in value) < 6):
        raise _refuse(OtvErrorCode.FIELD_INVALID, _("%(label)s : numéro de téléphone invalide.")
                      % {"label": label}, field)
    return value


def check_dates(rules: OtvRules, leaves_on: date, returns_on: date, *, today: date, started: bool = False) -> None:
    """The commune's window: departure far enough ahead (unless already gone), return after departure, length."""
    if returns_on <= leaves_on:
        raise _refuse(OtvErrorCode.DATES_ORDER, _("La date de retour doit suivre la date de départ."), "returns_on")
    ahead = (leaves_on - today).days
    if not started and ahead < rules.min_days_ahead:
        raise _refuse(OtvErrorCode.TOO_SOON, _("Inscrivez-vous au moins %(days)s jour(s) avant votre départ.")
                      % {"days": rules.min_days_ahead}, "leaves_on")
    if ahead > rules.max_days_ahead:
        raise _refuse(OtvErrorCode.TOO_FAR, _("L'inscription ouvre %(days)s jours avant le départ au plus tôt.")
                      % {"days": rules.max_days_ahead}, "leaves_on")
    days = (returns_on - leaves_on).days
    if days < rules.min_absence_days:
        raise _refuse(OtvErrorCode.TOO_SHORT, _("Absence trop courte : %(days)s jour(s) au moins.")
                      % {"days": rules.min_absence_days}, "returns_on")
    if days > rules.max_absence_days:
        raise _refuse(OtvErrorCode.TOO_LONG, _("Absence trop longue : %(days)s jours au plus.")
                      % {"days": rules.max_absence_days}, "returns_on")


def _check_residence(rules: OtvRules, residence: str) -> None:
    allowed: dict[str, bool] = {Residence.MAIN: rules.main_residence, Residence.SECONDARY: rules.secondary_residence}
    if residence not in allowed:
        raise _refuse(OtvErrorCode.FIELD_INVALID, _("Type de résidence inconnu."), "residence")
    if not allowed[residence]:
        raise _refuse(OtvErrorCode.RESIDENCE_REFUSED, _("Cette commune n'accepte pas les %(kind)s dans l'opération.")
                      % {"kind": Residence(residence).label.lower() + "s"}, "residence")


def _placed(draft: RegistrationDraft) -> int | None:
    """The sector of the home; refused outside the territory or outside the commune chosen."""
    if not valid_lat_lon(draft.lat, draft.lon):
        raise _refuse(OtvErrorCode.OUTSIDE_TERRITORY, _("Position du logement invalide."), "lat")
    location = locate_point(lat=draft.lat, lon=draft.lon)
    if location.commune_id is None:
        raise _refuse(OtvErrorCode.OUTSIDE_TERRITORY,
                      _("Cette adresse n'est dans aucune commune servie par cette plateforme."), "address")
    if location.commune_id != draft.commune_id:
        raise _refuse(OtvErrorCode.OUTSIDE_COMMUNE,
                      _("Cette adresse n'est pas dans la commune choisie : l'opération est menée par la police "
                        "municipale de la commune du logement."), "address")
    return location.sector_id


def _personal_fields(draft: RegistrationDraft | RegistrationChange) -> dict:
    return {
        "phone": _phone(draft.phone, "phone", _("Téléphone"), required=True),
        "phone_away": _phone(draft.phone_away, "phone_away", _("Téléphone pendant l'absence")),
        "contact_name": _text(draft.contact_name, "contact_name", _("Personne à prévenir"), limit=200),
        "contact_phone": _phone(draft.contact_phone, "contact_phone", _("Téléphone de la personne à prévenir")),
        "alarm": bool(draft.alarm),
        "patrol_notes": _text(draft.patrol_notes, "patrol_notes", _("Informations utiles"), limit=500),
    }


def _fields(draft: RegistrationDraft) -> dict:
    email = _text(draft.email, "email", _("Courriel"), limit=254, required=True)
    try:
        validate_email(email)
    except ValidationError:
        raise _refuse(OtvErrorCode.FIELD_INVALID, _("Courriel invalide."), "email") from None
    return {"last_name": _text(draft.last_name, "last_name", _("Nom"), limit=100, required=True),
            "first_name": _text(draft.first_name, "first_name", _("Prénom"), limit=100, required=True),
            "address": _text(draft.address, "address", _("Adresse"), limit=300, required=True),
            "email": email, **_personal_fields(draft)}


def _rules(commune_id: int) -> OtvRules:
    rules = otv_rules_for(commune_id=commune_id)
    if rules is None or not rules.open:
        raise _refuse(OtvErrorCode.NOT_OFFERED, _("Cette commune ne propose pas l'inscription en ligne à "
                                                  "l'Opération Tranquillité Vacances."), "commune")
    return rules


def registration_submit(*, draft: RegistrationDraft, idempotency_key: str, today: date | None = None) -> Submission:
    """Register a home; the same form sent twice (same key) gives the first registration back, without its link."""
    if not _KEY.fullmatch(idempotency_key or ""):
        raise _refuse(OtvErrorCode.FIELD_INVALID, _("Formulaire expiré : rechargez la page."), "nonce")
    existing = OtvRegistration.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return Submission(existing, "")
    today = today or timezone.localdate()
    rules = _rules(draft.commune_id)
    fields = _fields(draft)
    _check_residence(rules, draft.residence)
    check_dates(rules, draft.leaves_on, draft.returns_on, today=today)
    sector_id = _placed(draft)
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            registration = OtvRegistration.objects.create(
                commune_id=draft.commune_id, sector_id=sector_id, lat=draft.lat, lon=draft.lon,
                residence=draft.residence, leaves_on=draft.leaves_on, returns_on=draft.returns_on,
                token_hash=token_digest(token), idempotency_key=idempotency_key, **fields)
            audit_record(actor=RESIDENT, action="prevention.otv_register", target=registration,
                         extra={"leaves_on": draft.leaves_on.isoformat(), "returns_on": draft.returns_on.isoformat()})
    except IntegrityError:  # the same form, sent twice at once: the other request created it
        return Submission(OtvRegistration.objects.get(idempotency_key=idempotency_key), "")
    confirmation_send_on_commit(registration, token)
    return Submission(registration, token)


def registration_by_token(token: str) -> OtvRegistration | None:
    """The registration this private link opens, and that one only (None for any other string)."""
    if not token or len(token) > 100:
        return None
    return OtvRegistration.objects.filter(token_hash=token_digest(token)).select_related("commune", "sector").first()


def _check_open(registration: OtvRegistration, today: date) -> None:
    if registration.status != RegistrationStatus.ACTIVE or registration.returns_on < today:
        raise _refuse(OtvErrorCode.CLOSED, _("Cette inscription est close : elle ne peut plus être modifiée."), "")


@transaction.atomic
def registration_change(*, registration: OtvRegistration, change: RegistrationChange,
                        today: date | None = None) -> OtvRegistration:
    """The resident changes dates or phones through the private link; the commune's window applies again."""
    today = today or timezone.localdate()
    registration = OtvRegistration.objects.select_for_update(no_key=True).get(pk=registration.pk)
    _check_open(registration, today)
    fields = _personal_fields(change)
    started = registration.leaves_on <= today
    if started and change.leaves_on != registration.leaves_on:
        raise _refuse(OtvErrorCode.CLOSED, _("Vous êtes déjà parti : seule la date de retour peut changer."),
                      "leaves_on")
    if (change.leaves_on, change.returns_on) != (registration.leaves_on, registration.returns_on):
        check_dates(_rules(registration.commune_id), change.leaves_on, change.returns_on, today=today,
                    started=started)
        if change.returns_on < today:
            raise _refuse(OtvErrorCode.DATES_ORDER, _("La date de retour est déjà passée."), "returns_on")
    for name, value in fields.items():
        setattr(registration, name, value)
    registration.leaves_on, registration.returns_on = change.leaves_on, change.returns_on
    registration.updated_at = timezone.now()
    registration.save()
    audit_record(actor=RESIDENT, action="prevention.otv_change", target=registration,
                 extra={"leaves_on": change.leaves_on.isoformat(), "returns_on": change.returns_on.isoformat()})
    return registration


@transaction.atomic
def registration_cancel(*, registration: OtvRegistration, today: date | None = None) -> OtvRegistration:
    """The resident cancels (back early, trip cancelled): the home leaves the patrols' lists at once."""
    registration = OtvRegistration.objects.select_for_update(no_key=True).get(pk=registration.pk)
    _check_open(registration, today or timezone.localdate())
    now = timezone.now()
    registration.status, registration.cancelled_at, registration.updated_at = RegistrationStatus.CANCELLED, now, now
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_record(actor=RESIDENT, action="prevention.otv_cancel", target=registration)
    return registration
