"""Free text checked for the data categories police files must not hold (LEGAL.md, "Municipal police files").

Racial or ethnic origin, political, philosophical or religious opinions, union membership, health, sex life. The
check is a word list, matched without case or accents and with feminine and plural endings: it catches the
common wordings and warns the agent, who may confirm when the word is used otherwise (a place name, a quotation
needed for an infraction). It is a safeguard, not a guarantee: the warning says so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CATEGORIES = {
    "origine": _("origine raciale ou ethnique"),
    "opinions": _("opinions politiques"),
    "religion": _("convictions religieuses ou philosophiques"),
    "syndicat": _("appartenance syndicale"),
    "sante": _("santé"),
    "sexualite": _("vie ou orientation sexuelle"),
}

# Stems: a word matches when it starts with the stem and ends with at most "e", "s", "es", "ne", "nes", "le"...
_TERMS: dict[str, tuple[str, ...]] = {
    "origine": (
        "origine ethnique", "ethnie", "ethnique", "race", "racial", "raciale", "couleur de peau", "type africain",
        "type europeen", "type maghrebin", "type asiatique", "type nord-africain", "maghrebin", "nord-africain",
        "africain", "arabe", "asiatique", "gitan", "tzigane", "rom", "roms", "metis", "basane",
    ),
    "opinions": (
        "opinion politique", "opinions politiques", "parti politique", "militant", "extreme droite",
        "extreme gauche", "communiste", "anarchiste", "royaliste", "gauchiste", "facho", "fasciste",
        "sympathisant",
    ),
    "religion": (
        "religion", "religieux", "religieuse", "musulman", "juif", "juive", "chretien", "catholique", "protestant",
        "evangelique", "bouddhiste", "hindou", "athee", "franc-macon", "pratiquant", "voilee", "kippa",
        "salafiste", "croyant",
    ),
    "syndicat": (
        "syndique", "syndicaliste", "delegue syndical", "adherent cgt", "adherent cfdt", "membre de la cgt",
        "membre de la cfdt", "membre du syndicat", "appartenance syndicale",
    ),
    "sante": (
        "seropositif", "seropositive", "vih", "sida", "diabetique", "depressif", "depressive",
        "depression", "schizophrene", "bipolaire",
        "handicap", "handicape", "maladie", "malade", "psychiatrique", "cancer", "enceinte", "grossesse",
        "toxicomane", "alcoolique", "epileptique", "autiste", "traitement medical", "hospitalise",
    ),
    "sexualite": (
        "homosexuel", "homosexualite", "gay", "lesbienne", "bisexuel", "transgenre", "orientation sexuelle",
        "vie sexuelle", "pratiques sexuelles",
    ),
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _pattern(term: str) -> str:
    words = [re.escape(word) for word in term.split()]
    # Feminine and plural endings on the last word; words joined by any spacing.
    return r"\b" + r"\s+".join(words) + r"(?:e|s|es|ne|nes|le|les)?\b"


_COMPILED = [(category, term, re.compile(_pattern(term))) for category, terms in _TERMS.items() for term in terms]


@dataclass(frozen=True)
class SensitiveMatch:
    category: str
    term: str
    excerpt: str

    @property
    def category_label(self) -> str:
        return str(CATEGORIES[self.category])

    def as_dict(self) -> dict[str, str]:
        return {"category": self.category, "category_label": self.category_label, "term": self.term,
                "excerpt": self.excerpt}


def sensitive_matches(*texts: str) -> list[SensitiveMatch]:
    """Words of the forbidden categories found in these texts, one per (category, term)."""
    found: dict[tuple[str, str], SensitiveMatch] = {}
    for text in texts:
        if not text:
            continue
        folded = _fold(text)
        for category, term, pattern in _COMPILED:
            match = pattern.search(folded)
            if match and (category, term) not in found:
                start, end = max(0, match.start() - 30), min(len(text), match.end() + 30)
                # Folding keeps lengths for French text (accents become combining marks that are dropped), so
                # the excerpt is cut from the original at the same offsets, approximately.
                found[(category, term)] = SensitiveMatch(category, term, text[start:end].strip())
    return list(found.values())
