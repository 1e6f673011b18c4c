"""Free text checked for the data categories police files must not hold (LEGAL.md, "Municipal police files").

Racial or ethnic origin, political, philosophical or religious opinions, union membership, health, sex life. Most
words of these categories are harmless on their own ("véhicule noir", "vin blanc", "restaurant asiatique", "école
catholique", "Rue des Juifs"): what the files must not hold is a *person* described by them. So the check is built
from phrasings, matched without case or accents:

- a person noun (homme, femme, individu, jeune, personne, garçon, fille, un type, mec..., feminine and plural forms)
  followed by a colour, origin, ethnicity or religion adjective, possibly through "de type", "d'origine", "de
  peau"... ("un homme noir", "deux jeunes maghrébins", "individu de type africain", "la requérante, musulmane");
- a determiner followed by such an adjective used as a noun ("un Noir", "des Roms", "une musulmane");
- "d'origine", "de type", "d'apparence" followed by an origin or a nationality ("d'origine maghrébine");
- words that are sensitive whatever the context (ethnie, couleur de peau, slurs, religious garments, health
  conditions, sexual orientation, union and political membership), a few of them unless the context says
  otherwise ("chien de race", "place réservée aux personnes handicapées", "enceinte acoustique").

It warns the agent, who may confirm when the wording is used otherwise (a place name, a quotation needed for an
infraction). It is a safeguard, not a guarantee: the warning says so. The tests hold a list of phrasings that must
warn and a corpus of ordinary logbook sentences that must not.
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


def _any(*fragments: str) -> str:
    return "(?:" + "|".join(fragments) + ")"


# Fragments are regular expressions over folded text (lower case, no accents, typographic apostrophes as ').
PERSON_NOUNS = _any(
    r"hommes?", r"femmes?", r"individu(?:e|s|es)?", r"jeunes?", r"personnes?", r"garcons?", r"fill(?:e|es|ette|ettes)",
    r"gars", r"mecs?", r"meufs?", r"nanas?", r"gamin(?:e|s|es)?", r"enfants?", r"ados?", r"adolescent(?:e|s|es)?",
    r"mineur(?:e|s|es)?", r"majeur(?:e|s|es)?", r"suspect(?:e|s|es)?", r"auteurs?", r"autrices?", r"victimes?",
    r"temoins?", r"conduct(?:eur|rice)s?", r"passag(?:er|ere)s?", r"pieton(?:ne)?s?", r"riverain(?:e|s|es)?",
    r"voisin(?:e|s|es)?", r"client(?:e|s|es)?", r"vend(?:eur|euse)s?", r"mendiant(?:e|s|es)?", r"sdf", r"monsieur",
    r"messieurs", r"madame", r"mesdames", r"dames?", r"demoiselles?", r"couples?", r"familles?", r"communautes?",
    r"populations?", r"gens", r"requerant(?:e|s|es)?", r"interpelle(?:e|s|es)?", r"occupant(?:e|s|es)?",
    r"squatt?eurs?", r"mis\s+en\s+cause", r"agresseurs?", r"usag(?:er|ere)s?", r"habitant(?:e|s|es)?",
    r"ressortissant(?:e|s|es)?", r"touristes?", r"etudiant(?:e|s|es)?", r"eleves?", r"lyceen(?:ne)?s?",
    r"collegien(?:ne)?s?", r"inconnu(?:e|s|es)?",
    # "type" is a person only after a determiner ("un type", "ces types"), not in "véhicule de type SUV".
    r"(?:un|le|ce|des|les|ces|deux|trois|quatre|plusieurs|quelques)\s+types?",
)
DETERMINERS = _any(r"un", r"une", r"des", r"les", r"le", r"la", r"deux", r"trois", r"quatre", r"cinq", r"six",
                   r"plusieurs", r"ces", r"cet", r"cette", r"ce", r"quelques", r"certains", r"certaines", r"aux")
# Colours and other words that describe a person's origin (not a nationality).
COLOURS = _any(r"noire?s?", r"blanc(?:he)?s?", r"jaunes?", r"blacks?", r"metis(?:se|ses)?", r"basanee?s?",
               r"typee?s?", r"mulatre(?:sse)?s?", r"de\s+couleur")
ORIGINS = _any(
    r"maghrebine?s?", r"nord[- ]?africaine?s?", r"africaine?s?", r"subsaharien(?:ne)?s?", r"arabes?",
    r"asiatiques?", r"asiats?", r"europeen(?:ne)?s?", r"caucasien(?:ne)?s?", r"orienta(?:l|le|les|ux)",
    r"antillaise?s?", r"roms?", r"gitane?s?", r"tziganes?", r"manouches?", r"yeniches?", r"kabyles?", r"berberes?",
    r"kurdes?", r"latinos?", r"beurs?", r"rebeus?", r"renois?", r"slaves?", r"mediterraneen(?:ne)?s?",
)
NATIONALITIES = _any(
    r"algerien(?:ne)?s?", r"marocaine?s?", r"tunisien(?:ne)?s?", r"senegalaise?s?", r"malien(?:ne)?s?",
    r"turcs?", r"turques?", r"chinoise?s?", r"roumaine?s?", r"etrangere?s?", r"indien(?:ne)?s?",
    r"pakistanaise?s?", r"comorien(?:ne)?s?", r"congolaise?s?", r"ivoirien(?:ne)?s?", r"camerounaise?s?",
    r"haitien(?:ne)?s?", r"portugaise?s?", r"italien(?:ne)?s?", r"espagnole?s?", r"francaise?s?",
    r"afghane?s?", r"syrien(?:ne)?s?", r"tchetchene?s?", r"albanaise?s?", r"vietnamien(?:ne)?s?",
)
RELIGIONS = _any(
    r"musulmane?s?", r"jui(?:f|ve)s?", r"israelites?", r"chretien(?:ne)?s?", r"catholiques?",
    r"evangeliques?", r"bouddhistes?", r"hindoue?s?", r"athees?", r"sikhs?", r"islamistes?", r"salafistes?",
    r"religieu(?:x|se|ses)", r"voilee?s?", r"integristes?",
)
# Adjectives that also name a person after a determiner ("un Maghrébin", "des Roms", "une musulmane").
ORIGIN_NOUNS = _any(
    r"maghrebine?s?", r"nord[- ]?africaine?s?", r"africaine?s?", r"subsaharien(?:ne)?s?", r"arabes?",
    r"asiatiques?", r"asiats?", r"roms?", r"gitane?s?", r"tziganes?", r"manouches?", r"yeniches?", r"kabyles?",
    r"blacks?", r"metis(?:se|ses)?", r"beurs?", r"rebeus?", r"renois?", r"mulatre(?:sse)?s?", r"basanee?s?",
)
# ("protestant" only here: after a person noun it is also the verb, "le conducteur protestant contre...").
RELIGION_NOUNS = _any(r"musulmane?s?", r"jui(?:f|ve)s?", r"israelites?", r"chretien(?:ne)?s?", r"catholiques?",
                      r"protestante?s?",
                      r"bouddhistes?", r"hindoue?s?", r"athees?", r"sikhs?", r"islamistes?", r"salafistes?")
# "un Noir", "des Blancs": nouns only with their capital letter ("dans le noir", "des blancs" in a form are not).
CAPITAL_COLOURS = re.compile(r"(?:Noir|Noire|Noirs|Noires|Blanc|Blanche|Blancs|Blanches|Jaune|Jaunes)\b")

_INTENSIFIER = r"(?:(?:tres|plutot|assez|visiblement|apparemment)\s+)?"
_LINK = r"(?:(?:de\s+type|type|d\s*'\s*origine|d\s+origine|d\s*'\s*apparence|d\s*'\s*allure|a\s+la\s+peau|de\s+peau|"\
        r"au\s+teint|de\s+confession|de\s+religion|d\s*'\s*ethnie)\s+)"
_ORIGIN_LINK = r"(?:de\s+type|type|d\s*'\s*origine|d\s+origine|d\s*'\s*apparence|d\s*'\s*allure|d\s*'\s*ethnie)\s+"
_AFTER_PERSON = r"\s*,?\s+" + _INTENSIFIER
_START, _END = r"(?<![\w-])", r"(?![\w-])"

# A street, a building or a shop named after a community is not a person ("Rue des Juifs", "école des Roms").
_PLACE_BEFORE = re.compile(
    r"(?:rue|place|impasse|allee|avenue|boulevard|chemin|quai|cours|passage|square|cite|residence|route|sentier|"
    r"quartier|cimetiere|carre|ecole|lycee|college|eglise|synagogue|mosquee|temple|restaurant|epicerie|boucherie|"
    r"traiteur|magasin|association|centre|marche|fete|festival)\s+(?:(?:des|du|de\s+la|de|d'|la|le|les|l')\s*)?$")


@dataclass(frozen=True)
class _Rule:
    category: str
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None  # searched in the text around the match
    capital: bool = False  # the last word must start with a capital letter in the original text


def _rule(category: str, regex: str, unless: str | None = None, capital: bool = False) -> _Rule:
    return _Rule(category, re.compile(_START + regex + _END), re.compile(unless) if unless else None, capital)


def _words(category: str, *fragments: str, unless: str | None = None) -> _Rule:
    return _rule(category, _any(*fragments), unless)


_ANIMALS = r"chien|chienne|chiot|chat|chaton|cheval|animal|animaux|canin|felin|bovin|equin|pitbull|rottweiler|" \
           r"molosse|categorie|berger|elevage"

RULES: tuple[_Rule, ...] = (
    # Origin: a person described by colour, origin or ethnicity.
    _rule("origine", PERSON_NOUNS + _AFTER_PERSON + _LINK + "?" + _any(COLOURS, ORIGINS)),
    _rule("origine", PERSON_NOUNS + _AFTER_PERSON + _LINK + NATIONALITIES),
    _rule("origine", _ORIGIN_LINK + _any(ORIGINS, NATIONALITIES)),
    _rule("origine", DETERMINERS + r"\s+" + ORIGIN_NOUNS),
    _rule("origine", DETERMINERS + r"\s+" + r"(?:noire?s?|blanc(?:he)?s?|jaunes?)", capital=True),
    _rule("origine", r"(?:a\s+la\s+|de\s+)?(?:peau|teint)\s+(?:noire?|blanche?|mate?|foncee?|basanee?|metisse?|"
                     r"brune?|caramel|chocolat|olivatre)"),
    _words("origine", r"origines?\s+ethniques?", r"ethnies?", r"ethniques?", r"ethniquement", r"raciale?s?",
           r"raciaux", r"racisee?s?", r"couleur\s+de\s+(?:la\s+)?peau", r"negre(?:sse)?s?", r"bougnoule?s?",
           r"bicots?", r"chinetoques?", r"niakoue?s?", r"bamboulas?", r"romanos?", r"youpin(?:e|s|es)?",
           r"feujs?", r"beurettes?"),
    _words("origine", r"races?", unless=_ANIMALS),
    # Religion: a person described by a religion, religious garments, the words of belief.
    _rule("religion", PERSON_NOUNS + _AFTER_PERSON + _LINK + "?" + RELIGIONS),
    _rule("religion", DETERMINERS + r"\s+" + RELIGION_NOUNS),
    _rule("religion", RELIGIONS + r"\s+pratiquante?s?"),
    _words("religion", r"religions?", r"de\s+confession", r"kippas?", r"burk?qas?",
           r"burkas?", r"niqabs?", r"hijabs?", r"tchadors?", r"jilbabs?", r"voile\s+islamique",
           r"foulard\s+islamique", r"franc[- ]?maconn?e?s?", r"francs[- ]?macons", r"salafistes?", r"islamistes?"),
    # Political opinions.
    _words("opinions", r"opinions?\s+politiques?", r"partis?\s+politiques?", r"militante?s?", r"extreme\s+droite",
           r"extreme\s+gauche", r"ultra[- ]?(?:droite|gauche)", r"communistes?", r"anarchistes?", r"royalistes?",
           r"gauchistes?", r"fachos?", r"fascistes?", r"neo[- ]?nazie?s?", r"sympathisante?s?", r"antifas?",
           r"identitaires?"),
    # Union membership.
    _words("syndicat", r"syndiquee?s?", r"syndicalistes?", r"delegue(?:e|s|es)?\s+syndica(?:l|le|ux|les)",
           r"adherente?s?\s+(?:a\s+la\s+|de\s+la\s+)?(?:cgt|cfdt|fo|sud|unsa|cfe-cgc|cftc)",
           r"membres?\s+(?:de\s+la\s+|du\s+)?(?:cgt|cfdt|syndicat)", r"appartenance\s+syndicale"),
    # Health.
    _words("sante", r"seropositi(?:f|ve|fs|ves)", r"vih", r"sida", r"diabetiques?", r"depressi(?:f|ve|fs|ves)",
           r"depression", r"schizophrenes?", r"bipolaires?", r"maladies?", r"malades?", r"psychiatriques?",
           r"cancers?", r"grossesse", r"toxicomanes?", r"alcooliques?", r"epileptiques?", r"autistes?",
           r"traitements?\s+medica(?:l|ux)", r"hospitalisee?s?", r"troubles?\s+psychiques?",
           r"(?:femme|fille|requerante|victime|elle|qui)\s+(?:est\s+|etait\s+)?enceinte",
           r"enceinte\s+de\s+\d+\s+mois"),
    _words("sante", r"handicap(?:e|ee|es|ees|s)?",
           unless=r"place|emplacement|stationnement|carte|macaron|reserve|pmr|gig|gic|parking|acces"),
    # Sex life and sexual orientation.
    _words("sexualite", r"homosexuel(?:le)?s?", r"homosexualite", r"gays?", r"lesbiennes?", r"bisexuel(?:le)?s?",
           r"transgenres?", r"orientation\s+sexuelle", r"vie\s+sexuelle", r"pratiques\s+sexuelles", r"pedes?"),
)


def _fold_char(char: str) -> str:
    folded = "".join(c for c in unicodedata.normalize("NFKD", char.casefold()) if not unicodedata.combining(c))
    if char in "\u2019\u2018\u02bc":
        return "'"
    return folded if len(folded) == 1 else char.lower()[:1] or char


def fold(text: str) -> str:
    """Lower case without accents, one character for one (offsets in the folded text are offsets in the text)."""
    return "".join(_fold_char(char) for char in text)


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


def _accepted(rule: _Rule, text: str, folded: str, match: re.Match[str]) -> bool:
    if _PLACE_BEFORE.search(folded[max(0, match.start() - 40):match.start()]):
        return False
    if rule.unless is not None and rule.unless.search(folded[max(0, match.start() - 40):match.end() + 40]):
        return False
    if rule.capital:
        last_word = text[match.start():match.end()].split()[-1]
        return CAPITAL_COLOURS.fullmatch(last_word) is not None
    return True


def _excerpt(text: str, start: int, end: int, margin: int = 30) -> str:
    """The words around the match, about `margin` characters each side, never cut inside a word."""
    before, after = text[max(0, start - margin):start], text[end:end + margin]
    if start - margin > 0 and " " in before:
        before = before.split(" ", 1)[1]
    if end + margin < len(text) and " " in after:
        after = after.rsplit(" ", 1)[0]
    return " ".join((before + text[start:end] + after).split())


def sensitive_matches(*texts: str) -> list[SensitiveMatch]:
    """Phrasings of the forbidden categories found in these texts, one per (category, words found)."""
    found: dict[tuple[str, str], SensitiveMatch] = {}
    for text in texts:
        if not text:
            continue
        folded = fold(text)
        spans: dict[str, list[tuple[int, int]]] = {}
        for rule in RULES:
            for match in rule.pattern.finditer(folded):
                taken = spans.setdefault(rule.category, [])
                if any(a <= match.start() and match.end() <= b for a, b in taken):
                    continue  # inside a longer phrasing already found ("homme d'origine X", then "d'origine X")
                if not _accepted(rule, text, folded, match):
                    continue
                taken.append((match.start(), match.end()))
                term = " ".join(text[match.start():match.end()].split())
                key = (rule.category, term.casefold())
                if key not in found:
                    found[key] = SensitiveMatch(rule.category, term, _excerpt(text, match.start(), match.end()))
    return list(found.values())


# --- Persons named in a free text -----------------------------------------------------------------
# Where a text must describe facts and not persons (the observations of the Participation citoyenne referents),
# a name is flagged like a forbidden category: a civility or "nommé / s'appelle" followed by a capitalised word,
# or a common first name followed by a capitalised word or a surname in capitals ("Jean DUPONT").
# A safeguard as well: the writer is warned and may confirm (a shop or a street named after someone).

_CIVILITY = r"(?:M\.|Mr\.?|Mme\.?|Mlle\.?|Monsieur|Madame|Mademoiselle|Docteur|Dr\.?|Ma[iî]tre|Me\.?)"
_CALLED = r"(?:[Nn]omm[ée]e?|[Aa]ppel[ée]e?|[Dd][ée]nomm[ée]e?|[Pp]r[ée]nomm[ée]e?|[Ss]urnomm[ée]e?|" \
          "s['\u2019]" r"appel(?:le|lent|ait)|[Ll]e\s+fils|[Ll]a\s+fille)"
_CAPITALISED = r"[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ][a-zàâäçéèêëîïôöùûüÿ'-]+"
_UPPER_WORD = r"[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ]{2,}(?:-[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ]{2,})?"
FIRST_NAMES = frozenset(" ".join((
    "jean pierre paul jacques michel philippe alain patrick nicolas christophe david eric frederic",
    "laurent stephane olivier julien thomas sebastien antoine maxime alexandre kevin mohamed mehdi karim",
    "yanis lucas hugo louis gabriel arthur jules leo nathan enzo theo marie nathalie isabelle sylvie",
    "catherine christine sophie sandrine valerie celine julie aurelie emilie camille laura sarah manon",
    "lea chloe emma ines jade lina fatima amina nadia martine monique francoise brigitte anne helene",
    "claire elodie melanie audrey",
)).split())
_NAME_PATTERNS = (
    re.compile(r"(?<![\w])" + _CIVILITY + r"\s+" + _CAPITALISED),
    re.compile(r"(?<![\w])" + _CALLED + r"\s+" + _CAPITALISED),
)
_FIRST_NAME = re.compile(r"(?<![\w])(" + _CAPITALISED + r")\s+(" + _CAPITALISED + "|" + _UPPER_WORD + r")(?![\w])")
_NOT_A_NAME_BEFORE = re.compile(r"(?:rue|place|impasse|all[ée]e|avenue|boulevard|chemin|quai|square|r[ée]sidence|"
                                r"route|parc|stade|gymnase|[ée]cole|coll[èe]ge|lyc[ée]e|centre|magasin|pharmacie|"
                                r"boulangerie|garage|salle|cit[ée]|passage|sentier|h[ôo]tel)\s+(?:[\w'-]+\s+){0,3}$",
                                re.IGNORECASE)


def named_persons(*texts: str) -> list[SensitiveMatch]:
    """Phrasings that seem to name a person, as matches of the category "nom" (label "nom d'une personne")."""
    found: dict[str, SensitiveMatch] = {}
    for text in texts:
        if not text:
            continue
        candidates = [m for pattern in _NAME_PATTERNS for m in pattern.finditer(text)]
        candidates += [m for m in _FIRST_NAME.finditer(text) if fold(m.group(1)) in FIRST_NAMES]
        for match in candidates:
            if _NOT_A_NAME_BEFORE.search(text[max(0, match.start() - 60):match.start()]):
                continue
            term = " ".join(match.group(0).split())
            found.setdefault(term.casefold(), SensitiveMatch("nom", term, _excerpt(text, match.start(), match.end())))
    return list(found.values())


CATEGORIES["nom"] = _("nom d'une personne")
