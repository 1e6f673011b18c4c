"""Person finders of the prevention app, for access and erasure requests (privacy.processing)."""

from __future__ import annotations

import re

from django.db.models import Q

from confiance.prevention.models import OtvRegistration
from confiance.privacy.processing import PersonFinder, PersonMatch, register_person_finder

# --- Opération Tranquillité Vacances ---------------------------------------------------------


def _digits(phone: str) -> str:
    return re.sub(r"[^0-9]", "", phone or "")[-9:]


def _otv_matches(registration: OtvRegistration) -> PersonMatch:
    passages = [{"heure": p.passed_at.isoformat(), "constat": p.get_outcome_display(), "observation": p.note}
                for p in registration.passages.order_by("passed_at")]
    return PersonMatch(
        source="Inscription OTV", reference=registration.reference, commune_id=registration.commune_id,
        summary=f"Absence du {registration.leaves_on:%d/%m/%Y} au {registration.returns_on:%d/%m/%Y}, "
                f"{registration.address}",
        data={"nom": registration.last_name, "prénom": registration.first_name, "adresse": registration.address,
              "départ": registration.leaves_on.isoformat(), "retour": registration.returns_on.isoformat(),
              "courriel": registration.email, "téléphone": registration.phone,
              "téléphone pendant l'absence": registration.phone_away,
              "personne à prévenir": registration.contact_name, "son téléphone": registration.contact_phone,
              "alarme": registration.alarm, "informations utiles": registration.patrol_notes,
              "passages": passages},
        model="prevention.OtvRegistration", pk=registration.pk)


def find_otv(*, email: str = "", phone: str = "", name: str = "", commune_ids=None) -> list[PersonMatch]:
    """Registrations by e-mail (exact), phone (last nine digits, any of the three phones) or name."""
    criteria = Q()
    if email.strip():
        criteria |= Q(email__iexact=email.strip())
    digits = _digits(phone)
    if len(digits) >= 6:
        criteria |= Q(pk__in=[
            pk for pk, *phones in OtvRegistration.objects.values_list("pk", "phone", "phone_away", "contact_phone")
            if any(_digits(value).endswith(digits) for value in phones if value)])
    if name.strip():
        words = name.strip().split()
        criteria |= Q(last_name__iexact=words[-1]) | Q(last_name__iexact=name.strip()) | \
            Q(contact_name__icontains=name.strip())
    if not criteria:
        return []
    rows = OtvRegistration.objects.filter(criteria)
    if commune_ids is not None:
        rows = rows.filter(commune_id__in=list(commune_ids))
    return [_otv_matches(registration) for registration in rows.order_by("pk")[:200]]


def erase_otv(match: PersonMatch) -> None:
    OtvRegistration.objects.filter(pk=match.pk).delete()


register_person_finder(PersonFinder(key="prevention.otv", label="Opération Tranquillité Vacances", find=find_otv,
                                    erase=erase_otv))

# --- end of Opération Tranquillité Vacances --------------------------------------------------
