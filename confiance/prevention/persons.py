"""Person finders of the prevention app, for access and erasure requests (privacy.processing)."""


from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Q

from confiance.prevention.models import OtvRegistration, Referent, ReserveVolunteer
from confiance.privacy.processing import PersonFinder, PersonMatch, register_person_finder


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


def _name_filter(name: str) -> Q:
    words = name.split()
    query = Q()
    for word in words[:4]:
        query &= Q(first_name__iexact=word) | Q(last_name__iexact=word)
    return query if words else Q(pk__in=[])


def _criteria(email: str, phone: str, name: str) -> Q:
    query = Q(pk__in=[])
    if email:
        query |= Q(email__iexact=email.strip())
    if phone:
        query |= Q(phone=phone.strip())
    if name:
        query |= _name_filter(name)
    return query


def find_referents(*, email: str = "", phone: str = "", name: str = "",
                   commune_ids: Iterable[int] = ()) -> list[PersonMatch]:
    matches = []
    for referent in Referent.objects.filter(_criteria(email, phone, name), commune_id__in=list(commune_ids)) \
            .select_related("sector"):
        matches.append(PersonMatch(
            source="Référent de participation citoyenne", reference=f"référent n° {referent.pk}",
            commune_id=referent.commune_id,
            summary=f"{referent} — secteur {referent.sector.name}, nommé le {referent.named_at:%d/%m/%Y}"
                    + (f", révoqué le {referent.revoked_at:%d/%m/%Y}" if referent.revoked_at else ""),
            data={"prénom": referent.first_name, "nom": referent.last_name, "e-mail": referent.email,
                  "téléphone": referent.phone, "secteur": referent.sector.name,
                  "observations": referent.observations.count()},
            erasable=referent.revoked_at is not None,
            erasure_refusal="" if referent.revoked_at else "Référent en fonction : le maire doit d'abord le révoquer.",
            model="prevention.Referent", pk=referent.pk))
    return matches


def erase_referent(match: PersonMatch) -> None:
    Referent.objects.filter(pk=match.pk, revoked_at__isnull=False).delete()


register_person_finder(PersonFinder(key="prevention.referents", label="Référents de participation citoyenne",
                                    find=find_referents, erase=erase_referent))

# --- Réserve communale ---------------------------------------------------------------------------


def find_volunteers(*, email: str = "", phone: str = "", name: str = "",
                    commune_ids: Iterable[int] = ()) -> list[PersonMatch]:
    matches = []
    for volunteer in ReserveVolunteer.objects.filter(_criteria(email, phone, name), commune_id__in=list(commune_ids)):
        matches.append(PersonMatch(
            source="Réserve communale", reference=f"réserviste n° {volunteer.pk}", commune_id=volunteer.commune_id,
            summary=f"{volunteer} — engagé le {volunteer.joined_on:%d/%m/%Y}"
                    + (f", parti le {volunteer.left_on:%d/%m/%Y}" if volunteer.left_on else ""),
            data={"prénom": volunteer.first_name, "nom": volunteer.last_name, "e-mail": volunteer.email,
                  "téléphone": volunteer.phone, "compétences": volunteer.skills,
                  "disponibilités": volunteer.availability,
                  "réponses": list(volunteer.answers.values_list("mobilisation__title", "answer")),
                  "heures": [str(h) for h in volunteer.assignments.values_list("hours", flat=True) if h is not None]},
            erasable=True, model="prevention.ReserveVolunteer", pk=volunteer.pk))
    return matches


def erase_volunteer(match: PersonMatch) -> None:
    ReserveVolunteer.objects.filter(pk=match.pk).delete()


register_person_finder(PersonFinder(key="prevention.volunteers", label="Réservistes", find=find_volunteers,
                                    erase=erase_volunteer))
