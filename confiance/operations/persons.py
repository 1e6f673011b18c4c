"""How a rights request finds a person in the police files: persons of the main courante, callers of interventions.

Erasure is refused: both are municipal police files authorised by the arrêté of 14 April 2009 (infractions) or
held under délibération CNIL 2008-304 (other missions). Their content is kept for the fixed time (three years at
most for the main courante) because the police and the courts may need it; the right to erasure does not apply to
data a public authority must keep to carry out its mission (GDPR art. 17-3-b), and the arrêté excludes the right
to object. Access and rectification stay open: the DPO answers them from the export.
"""

from __future__ import annotations

from django.db.models.functions import Lower

from confiance.operations.models import Intervention, LogPerson
from confiance.privacy.processing import PersonFinder, PersonMatch, phone_variants, register_person_finder

MATCH_LIMIT = 500
ERASURE_REFUSAL = (
    "Effacement impossible : fichier de police municipale autorisé par l'arrêté du 14 avril 2009 (ou tenu sous la "
    "délibération CNIL 2008-304), conservé pour la durée fixée (3 ans au plus pour la main courante) ; le droit à "
    "l'effacement ne s'applique pas aux données qu'une autorité publique doit conserver pour sa mission "
    "(RGPD art. 17-3-b) et l'arrêté exclut le droit d'opposition. Les droits d'accès et de rectification restent "
    "ouverts auprès du maire.")


def _name_parts(name: str) -> list[str]:
    return [part for part in name.lower().split() if part]


def _log_persons(*, phone: str, name: str, commune_ids):
    base = LogPerson.objects.filter(entry__commune_id__in=list(commune_ids)).select_related("entry")
    found: dict[int, LogPerson] = {}
    if phone and phone_variants(phone):
        found.update({person.pk: person for person in base.filter(phone__in=phone_variants(phone))[:MATCH_LIMIT]})
    parts = _name_parts(name)
    if parts:
        # "Jean Dupont" or "Dupont Jean": the last name is one of the words, the first name (if any) another.
        candidates = base.alias(last=Lower("last_name")).filter(last__in=parts)[:MATCH_LIMIT]
        for person in candidates:
            others = [part for part in parts if part != person.last_name.lower()]
            if not others or not person.first_name or person.first_name.lower() in others:
                found[person.pk] = person
    return sorted(found.values(), key=lambda person: person.pk)


def _callers(*, phone: str, name: str, commune_ids):
    base = Intervention.objects.filter(commune_id__in=list(commune_ids))
    found: dict[int, Intervention] = {}
    if phone and phone_variants(phone):
        found.update({item.pk: item for item in base.filter(caller_phone__in=phone_variants(phone))[:MATCH_LIMIT]})
    if name.strip():
        wanted = " ".join(_name_parts(name))
        found.update({item.pk: item for item in
                      base.alias(caller=Lower("caller_name")).filter(caller=wanted)[:MATCH_LIMIT]})
    return sorted(found.values(), key=lambda item: item.pk)


def find(*, email: str = "", phone: str = "", name: str = "", commune_ids=()) -> list[PersonMatch]:
    matches = [PersonMatch(
        source="Main courante (personne concernée)", reference=person.entry.number,
        commune_id=person.entry.commune_id,
        summary=f"{person.get_role_display()} — entrée {person.entry.number} du {person.entry.occurred_at:%d/%m/%Y}",
        data={"nom": person.last_name, "prénom": person.first_name, "qualité": str(person.get_role_display()),
              "date de naissance": person.birth_date.isoformat() if person.birth_date else "",
              "adresse": person.address, "téléphone": person.phone, "entrée": person.entry.number,
              "date des faits": person.entry.occurred_at.isoformat()},
        erasable=False, erasure_refusal=ERASURE_REFUSAL, model="operations.LogPerson", pk=person.pk,
    ) for person in _log_persons(phone=phone, name=name, commune_ids=commune_ids)]
    matches += [PersonMatch(
        source="Intervention (requérant)", reference=item.number, commune_id=item.commune_id,
        summary=f"Requérant de l'intervention {item.number} du {item.created_at:%d/%m/%Y}",
        data={"nom": item.caller_name, "téléphone": item.caller_phone, "intervention": item.number,
              "date": item.created_at.isoformat()},
        erasable=False, erasure_refusal=ERASURE_REFUSAL, model="operations.Intervention", pk=item.pk,
    ) for item in _callers(phone=phone, name=name, commune_ids=commune_ids)]
    return matches


register_person_finder(PersonFinder(key="operations", label="Police municipale", find=find, erase=None))
