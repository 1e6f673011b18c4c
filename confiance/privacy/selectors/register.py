"""The register of processing activities of a commune (article 30 GDPR), generated from the apps' declarations.

Retention is read from the retention engine's rules named by each declaration, never typed twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from confiance.privacy.choices import RetentionAction
from confiance.privacy.models import CommunePrivacy
from confiance.privacy.processing import Processing, registered_processings
from confiance.privacy.retention_engine import RetentionRule, registered_rules


@dataclass(frozen=True)
class RetentionLine:
    rule: str
    duration: str
    action: str
    description: str


@dataclass(frozen=True)
class RegisterEntry:
    processing: Processing
    retention: tuple[RetentionLine, ...]
    unknown_rules: tuple[str, ...]  # rules a declaration names that the engine does not know (a test fails on them)

    @property
    def retention_text(self) -> str:
        lines = [f"{line.description} ({line.duration}, {line.action.lower()})" for line in self.retention]
        if self.processing.retention_note:
            lines.append(self.processing.retention_note)
        return " ; ".join(lines) or "Non précisée"


def duration_text(rule: RetentionRule) -> str:
    """A rule's delay in words: '3 ans', '90 jours', '24 heures'."""
    age = rule.max_age()
    if age.days == 0:
        hours = int(age.total_seconds() // 3600)
        return f"{hours} heure{'s' if hours > 1 else ''}"
    if age.days % 365 == 0:
        years = age.days // 365
        return f"{years} an{'s' if years > 1 else ''}"
    return f"{age.days} jour{'s' if age.days > 1 else ''}"


def register_entries() -> list[RegisterEntry]:
    rules = {rule.name: rule for rule in registered_rules()}
    entries = []
    for processing in registered_processings():
        lines = tuple(RetentionLine(name, duration_text(rules[name]), str(RetentionAction(rules[name].action).label),
                                    rules[name].description)
                      for name in processing.retention_rules if name in rules)
        unknown = tuple(name for name in processing.retention_rules if name not in rules)
        entries.append(RegisterEntry(processing, lines, unknown))
    return entries


def commune_privacy(commune_id: int) -> CommunePrivacy:
    """The commune's completions, or an empty unsaved row when it has written none yet."""
    return CommunePrivacy.objects.filter(commune_id=commune_id).first() or CommunePrivacy(commune_id=commune_id)


REGISTER_COLUMNS = ("Traitement", "Finalité", "Base légale", "Textes", "Personnes concernées",
                    "Catégories de données", "Destinataires", "Durée de conservation", "Mesures de sécurité",
                    "AIPD requise")


def register_rows(entries: list[RegisterEntry]) -> list[list[str]]:
    return [[entry.processing.name, entry.processing.purpose, entry.processing.legal_basis,
             " ; ".join(entry.processing.legal_texts), " ; ".join(entry.processing.persons),
             " ; ".join(entry.processing.data), " ; ".join(entry.processing.recipients), entry.retention_text,
             " ; ".join(entry.processing.security), "oui" if entry.processing.needs_dpia else "non"]
            for entry in entries]
