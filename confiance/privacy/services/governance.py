"""What the commune completes: its register's controller and DPO contact, and its ethics charter (versioned)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from confiance.core.actors import Authorised
from confiance.privacy.choices import PRIVACY_MANAGE_PERMISSION
from confiance.privacy.errors import PrivacyError, PrivacyErrorCode
from confiance.privacy.models import CharterVersion, CommunePrivacy
from confiance.privacy.services import audit_record

SETTINGS_FIELDS = ("controller", "controller_address", "dpo_name", "dpo_email", "dpo_phone", "rights_address")


@transaction.atomic
def commune_privacy_update(*, actor: Authorised, commune_id: int, **values: str) -> CommunePrivacy:
    actor.require(PRIVACY_MANAGE_PERMISSION, commune_id)
    settings_row, _created = CommunePrivacy.objects.select_for_update(no_key=True).get_or_create(commune_id=commune_id)
    changed = []
    for name in SETTINGS_FIELDS:
        if name in values and getattr(settings_row, name) != values[name]:
            setattr(settings_row, name, values[name])
            changed.append(name)
    settings_row.updated_at = timezone.now()
    settings_row.save()
    audit_record(actor=actor, action="privacy.register_update", target=settings_row, commune_id=commune_id,
                 extra={"fields": changed})
    return settings_row


@transaction.atomic
def charter_adopt(*, actor: Authorised, commune_id: int, text: str, adopted_on: date | None = None) -> CharterVersion:
    """Append a new version of the commune's ethics charter; earlier versions stay as they were."""
    actor.require(PRIVACY_MANAGE_PERMISSION, commune_id)
    text = (text or "").strip()
    if len(text) < 20:
        raise PrivacyError(PrivacyErrorCode.INVALID, "Le texte de la charte est trop court.", details={"field": "text"})
    last = (CharterVersion.objects.select_for_update(no_key=True).filter(commune_id=commune_id)
            .order_by("-number").values_list("number", flat=True).first()) or 0
    version = CharterVersion.objects.create(commune_id=commune_id, number=last + 1, text=text[:20000],
                                            adopted_on=adopted_on, created_by_id=actor.agent.pk)
    audit_record(actor=actor, action="privacy.charter_adopt", target=version, extra={"version": version.number})
    return version
