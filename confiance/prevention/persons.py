"""Person finders of the prevention app, for the DPO's rights requests (privacy/processing.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from confiance.prevention.models import Referent, ReserveVolunteer
from confiance.privacy.processing import PersonFinder, PersonMatch, register_person_finder

# --- Participation citoyenne ---------------------------------------------------------------------


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
