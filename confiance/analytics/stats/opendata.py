"""Open data: counts per sector, ISO week and category, small counts suppressed, no personal data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

SUPPRESSION_THRESHOLD = 5

FIELDS = ("secteur_code", "secteur_nom", "commune_insee", "semaine_iso", "debut_semaine", "categorie", "nombre",
          "secret_statistique")

DICTIONARY = [
    ("secteur_code", "texte", "Code du secteur (découpage publié par la commune)."),
    ("secteur_nom", "texte", "Nom du secteur."),
    ("commune_insee", "texte", "Code INSEE de la commune."),
    ("semaine_iso", "texte", "Semaine ISO 8601 (AAAA-Www), du lundi au dimanche, heure de Paris."),
    ("debut_semaine", "date", "Date du lundi de la semaine (JJ/MM/AAAA dans le CSV, AAAA-MM-JJ dans l'API)."),
    ("categorie", "texte", "Catégorie d'événement (famille de signalement ou type d'intervention)."),
    ("nombre", "entier ou vide", "Nombre d'événements ; vide quand il est inférieur à 5 (secret statistique)."),
    ("secret_statistique", "oui ou non", "« oui » quand le nombre est masqué parce qu'il est inférieur à 5 (vrai ou "
     "faux dans l'API)."),
]


def aggregate(rows: Iterable[tuple[str, str, str, date, str]]) -> list[dict]:
    """Rows are (sector code, sector name, INSEE code, local date, category); one output row per
    sector, week and category, sorted. Counts below the threshold are blanked and flagged."""
    counter: Counter = Counter()
    for sector_code, sector_name, insee, day, category in rows:
        year, week, _weekday = day.isocalendar()
        monday = date.fromisocalendar(year, week, 1)
        counter[(sector_code, sector_name, insee, f"{year}-W{week:02d}", monday.isoformat(), category)] += 1
    result = []
    for (sector_code, sector_name, insee, iso_week, monday, category), count in sorted(counter.items()):
        secret = count < SUPPRESSION_THRESHOLD
        result.append({"secteur_code": sector_code, "secteur_nom": sector_name, "commune_insee": insee,
                       "semaine_iso": iso_week, "debut_semaine": monday, "categorie": category,
                       "nombre": None if secret else count, "secret_statistique": secret})
    return result
