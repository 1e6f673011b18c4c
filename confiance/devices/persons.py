"""Person finder of video-protection, for the DPO's rights requests (privacy.processing): the requesting officers
named in the register of extractions.

The register holds an officer's name and service, not their e-mail or phone: only the name is searched, every word
of it as a whole word of the officer's name (so "Marc Dupont" finds "Lieutenant Marc DUPONT", not "Marcel
Dupontel"), accents and case ignored. The entries are not erasable on request: the register is kept for the
inspections of the prefecture and the CNIL and for the judicial proceedings (6 years after the hold ends).
"""

from __future__ import annotations

import re
import unicodedata

from confiance.devices.models import Extraction
from confiance.privacy.processing import PersonFinder, PersonMatch, register_person_finder

MAX_WORDS = 4
MAX_MATCHES = 200
REFUSAL = ("Registre des extractions sur réquisition judiciaire : tenu pour les contrôles de la préfecture et de la "
           "CNIL et pour la procédure (CSI L.252-3, CPP art. 60-1) ; effacé 6 ans après la levée du gel, jamais tant "
           "que le gel est en vigueur.")


def _folded(text: str) -> str:
    """Lower case, without accents: "Lefèvre" and "LEFEVRE" are the same name."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(ch)).casefold()


def _words(name: str) -> list[str]:
    return [word for word in re.split(r"[\s,;]+", _folded(name).strip()) if len(word) >= 2][:MAX_WORDS]


def _match(extraction: Extraction) -> PersonMatch:
    media = [{"fichier": medium.file_name, "sha256": medium.sha256} for medium in extraction.media.all()]
    return PersonMatch(
        source="Registre des extractions (officier requérant)", reference=extraction.requisition_reference,
        commune_id=extraction.commune_id,
        summary=f"Réquisition {extraction.requisition_reference} du {extraction.requested_at:%d/%m/%Y}, "
                f"{extraction.officer_name} ({extraction.officer_service})",
        data={"officier requérant": extraction.officer_name, "service": extraction.officer_service,
              "référence de la réquisition": extraction.requisition_reference,
              "reçue le": extraction.requested_at.isoformat(),
              "période demandée": f"{extraction.span_start.isoformat()} → {extraction.span_end.isoformat()}",
              "caméras": [camera.device.name for camera in extraction.cameras.all()],
              "état": extraction.get_status_display(),
              "remise le": extraction.delivered_at.isoformat() if extraction.delivered_at else "",
              "fichiers remis": media},
        erasable=False, erasure_refusal=REFUSAL, model="devices.Extraction", pk=extraction.pk)


def find_officers(*, email: str = "", phone: str = "", name: str = "", commune_ids=None) -> list[PersonMatch]:
    """Extractions whose requesting officer bears every word of `name` (e-mail and phone: not held here)."""
    words = _words(name)
    if not words:
        return []
    rows = Extraction.objects.all()
    if commune_ids is not None:
        rows = rows.filter(commune_id__in=list(commune_ids))
    patterns = [re.compile(rf"(?<!\w){re.escape(word)}(?!\w)") for word in words]
    found = []  # names compared folded, in Python: the database's case folding ignores accents on no engine
    for pk, officer_name in rows.order_by("pk").values_list("pk", "officer_name").iterator(chunk_size=2000):
        folded = _folded(officer_name)
        if all(pattern.search(folded) for pattern in patterns):
            found.append(pk)
            if len(found) >= MAX_MATCHES:
                break
    extractions = (Extraction.objects.filter(pk__in=found).order_by("pk")
                   .prefetch_related("media", "cameras__device"))
    return [_match(extraction) for extraction in extractions]


register_person_finder(PersonFinder(key="devices.extractions", label="Registre des extractions (vidéoprotection)",
                                    find=find_officers, erase=None))
