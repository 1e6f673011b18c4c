"""Declarations the DPO's registers are generated from (issue 20): processing operations and person finders.

Each app declares, in its own modules, what it processes and how to find a person in it:

- `<app>/processing.py` calls `register_processing(Processing(...))` once per processing operation (article 30
  GDPR register entry). Retention is never typed there: `retention_rules` names the app's retention rules
  (`<app>/retention.py`), and the register reads their durations from the retention engine.
  `models` lists the models holding personal data the processing covers ("app_label.Model"); a test fails when
  a model holding personal data is covered by no declaration.
- `<app>/persons.py` calls `register_person_finder(PersonFinder(...))`: a function that, given an e-mail, a phone
  or a name and the communes of the request, returns the matching records (for an access request), and says
  whether the law lets them be erased (and why not, when it does not).

Both modules are discovered like `retention.py` (autodiscover), so an app plugs in without touching privacy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules

_processings: dict[str, Processing] = {}
_finders: dict[str, PersonFinder] = {}


@dataclass(frozen=True)
class Processing:
    """One processing operation of the register (CNIL template, article 30 GDPR)."""

    key: str  # stable identifier, "<app>.<what>"
    name: str  # French, as the register shows it
    purpose: str
    legal_basis: str  # e.g. "Mission d'intérêt public (art. 6-1-e RGPD)"
    legal_texts: tuple[str, ...]  # e.g. ("Code de la sécurité intérieure, L.251-2",)
    persons: tuple[str, ...]  # categories of persons concerned
    data: tuple[str, ...]  # categories of data
    recipients: tuple[str, ...]
    retention_rules: tuple[str, ...]  # names of RetentionRule of the retention engine
    security: tuple[str, ...]  # security measures
    models: tuple[str, ...]  # "app_label.Model" holding this processing's personal data
    needs_dpia: bool = False
    retention_note: str = ""  # a retention not carried by a rule (e.g. "durée de l'abonnement"), said plainly
    # True for the one processing that covers agents' traces: a model whose only personal data is a reference to
    # the agent who acted (author, created_by...) is covered by it (privacy/personal_data.py).
    covers_agent_traces: bool = False
    dpia_risks: tuple[tuple[str, str, str], ...] = ()  # (risk, likelihood, severity) the DPIA draft starts from


@dataclass(frozen=True)
class PersonMatch:
    """One record about a person found for a rights request, with what the DPO may send."""

    source: str  # French label of where it was found ("Signalement", "Inscription OTV"...)
    reference: str  # the record's number or id as users know it
    commune_id: int | None
    summary: str  # French, one line
    data: dict[str, Any] = field(default_factory=dict)  # the personal data held, for the export
    erasable: bool = True
    erasure_refusal: str = ""  # why the law forbids erasure, when it does (French)
    model: str = ""  # "app_label.Model"
    pk: Any = None


@dataclass(frozen=True)
class PersonFinder:
    key: str
    label: str
    # find(email=..., phone=..., name=..., commune_ids=...) -> matches; empty criteria are "" and are ignored.
    find: Callable[..., Iterable[PersonMatch]]
    # erase(match) -> None, for the matches it returned as erasable; None when nothing here can be erased.
    erase: Callable[[PersonMatch], None] | None = None


def phone_variants(phone: str) -> list[str]:
    """The ways a French number is written (as typed, digits only, 0X, +33X, spaced pairs) to search them exactly."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not digits:
        return []
    national = "0" + digits[2:] if digits.startswith("33") and len(digits) == 11 else digits
    variants = {phone.strip(), digits, national}
    if national.startswith("0") and len(national) == 10:
        variants.add("+33" + national[1:])
        variants.add(" ".join(national[i:i + 2] for i in range(0, 10, 2)))
        variants.add(".".join(national[i:i + 2] for i in range(0, 10, 2)))
    return sorted(variant for variant in variants if variant)


def register_processing(processing: Processing) -> Processing:
    _processings[processing.key] = processing
    return processing


def registered_processings() -> list[Processing]:
    autodiscover_modules("processing")
    return sorted(_processings.values(), key=lambda item: item.key)


def register_person_finder(finder: PersonFinder) -> PersonFinder:
    _finders[finder.key] = finder
    return finder


def registered_person_finders() -> list[PersonFinder]:
    autodiscover_modules("persons")
    return sorted(_finders.values(), key=lambda item: item.key)


# --- The privacy app's own processing operations -------------------------------------------------------------

register_processing(Processing(
    key="privacy.governance",
    name="Journal des opérations, exercice des droits et violations de données",
    purpose=("Tracer les opérations et les consultations des fichiers (qui, quand, quel motif), instruire les "
             "demandes d'exercice des droits, tenir le registre des violations de données et la charte éthique."),
    legal_basis="Obligation légale (art. 6-1-c RGPD : articles 5-2, 15 à 22, 30 et 33 RGPD)",
    legal_texts=("RGPD, articles 15 à 22, 30 et 33", "Arrêté du 14 avril 2009 (journal des consultations, 3 ans)",
                 "Délibération CNIL 2008-304"),
    persons=("Agents (auteurs des opérations)", "Personnes exerçant leurs droits", "Délégué à la protection des "
             "données (contact publié)"),
    data=("Auteur, date, action, motif de consultation", "Identité et coordonnées du demandeur, objet de la demande",
          "Description des violations et des personnes concernées"),
    recipients=("DPO de la commune", "CNIL (notification d'une violation)", "Le demandeur (réponse)"),
    retention_rules=("privacy.audit_journal",),
    retention_note="Demandes et violations : 5 ans après leur clôture (preuve de conformité, à purger par le DPO).",
    security=("Journal chaîné et signé (HMAC), têtes ancrées hors de la base", "Accès réservé au DPO de la commune",
              "Chaque étape d'une demande est journalisée"),
    models=("privacy.AuditEntry", "privacy.RightsRequest", "privacy.RightsRequestStep", "privacy.Breach",
            "privacy.CharterVersion", "privacy.CommunePrivacy"),
))
