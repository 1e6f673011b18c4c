"""OTV passages: a patrol notes its passage at a home (RAS or an anomaly), and the main courante gets its entry.

The entry is an "autres missions" record (délibération CNIL 2008-304, LEGAL.md) under the commune's nature "otv".
It names the registration and the sector, never the resident nor the address: the main courante is kept three
years, the OTV data a few days after the return.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.geo import valid_lat_lon
from confiance.operations.choices import EntrySource, Purpose
from confiance.operations.drafts import EntryDraft
from confiance.operations.models import Nature
from confiance.operations.services.logbook import log_entry_create
from confiance.prevention.choices import PassageOutcome, RegistrationStatus
from confiance.prevention.errors import OtvError, OtvErrorCode
from confiance.prevention.models import OtvPassage
from confiance.prevention.selectors.otv import registration_get_for_actor
from confiance.prevention.services.otv_notices import anomaly_notices_send_on_commit
from confiance.privacy.services import audit_record

OTV_NATURE = "otv"


def otv_nature(commune_id: int) -> Nature:
    """The commune's main courante nature for OTV passages, created on first use under the right regime."""
    nature, _created = Nature.objects.get_or_create(
        commune_id=commune_id, code=OTV_NATURE,
        defaults={"label": "Opération Tranquillité Vacances", "purpose": Purpose.OTHER_MISSIONS, "position": 90})
    return nature


def _check(outcome: str, note: str, lat: float | None, lon: float | None, passed_at: datetime,
           now: datetime) -> str:
    if outcome not in PassageOutcome.values:
        raise OtvError(OtvErrorCode.FIELD_INVALID, _("Constat inconnu."), details={"field": "outcome"})
    note = (note or "").strip()
    if len(note) > 1000 or "\x00" in note:
        raise OtvError(OtvErrorCode.FIELD_INVALID, _("Observation : 1000 caractères au plus."),
                       details={"field": "note"})
    if outcome == PassageOutcome.ANOMALY and not note:
        raise OtvError(OtvErrorCode.FIELD_INVALID, _("Décrivez l'anomalie constatée."), details={"field": "note"})
    if (lat is None) != (lon is None) or (lat is not None and lon is not None and not valid_lat_lon(lat, lon)):
        raise OtvError(OtvErrorCode.POSITION_INVALID, _("Position invalide."), details={"field": "lat"})
    if passed_at > now + timedelta(minutes=5) or passed_at < now - timedelta(days=2):
        raise OtvError(OtvErrorCode.FIELD_INVALID, _("Heure du passage invalide (48 heures en arrière au plus)."),
                       details={"field": "passed_at"})
    return note


def _entry_text(registration, outcome: str, note: str) -> str:
    sector = registration.sector.name if registration.sector else _("hors secteur")
    text = _("Passage OTV, inscription %(reference)s (secteur %(sector)s) : %(outcome)s") % {
        "reference": registration.reference, "sector": sector, "outcome": PassageOutcome(outcome).label}
    return f"{text}. {note}" if note else text


@transaction.atomic
def passage_log(*, actor: Actor, registration_id: int, outcome: str, note: str = "", lat: float | None = None,
                lon: float | None = None, passed_at: datetime | None = None, acknowledge_sensitive: bool = False,
                now: datetime | None = None) -> OtvPassage:
    """Note a passage at a watched home; writes the main courante entry in the same transaction."""
    now = now or timezone.now()
    passed_at = passed_at or now
    registration = registration_get_for_actor(actor=actor, registration_id=registration_id)
    actor.require(Permission.OPERATIONS_LOG, registration.commune_id)
    note = _check(outcome, note, lat, lon, passed_at, now)
    day = timezone.localdate(passed_at)
    if registration.status != RegistrationStatus.ACTIVE or not registration.leaves_on <= day <= registration.returns_on:
        raise OtvError(OtvErrorCode.NOT_WATCHED, _("Ce logement n'est pas à surveiller ce jour-là."),
                       details={"field": "registration"}, status_code=409)
    entry = log_entry_create(actor=actor, commune_id=registration.commune_id, now=now, draft=EntryDraft(
        nature_id=otv_nature(registration.commune_id).pk, source=EntrySource.PATROL, occurred_at=passed_at,
        text=_entry_text(registration, outcome, note), acknowledge_sensitive=acknowledge_sensitive))
    passage = OtvPassage.objects.create(registration=registration, commune_id=registration.commune_id,
                                        agent=actor.agent, passed_at=passed_at, lat=lat, lon=lon, outcome=outcome,
                                        note=note, log_entry_number=entry.number)
    audit_record(actor=actor, action="prevention.otv_passage", target=passage,
                 extra={"registration": registration.pk, "outcome": outcome, "log_entry": entry.number})
    anomaly_notices_send_on_commit(passage)
    return passage
