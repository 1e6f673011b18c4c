"""Reads of addresses: the ranked search of the address box, the street labels of the drawn base map.

Addresses are public reference data (the BAN is open data): no actor is needed to read them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from django.db.models import Avg, Case, Count, ExpressionWrapper, F, IntegerField, Min, QuerySet, Value, When
from django.db.models.functions import Length

from confiance.addresses.errors import AddressesError, AddressesErrorCode
from confiance.addresses.models import Address, AddressImport, search_text
from confiance.core.geo import degree_lengths
from confiance.core.revisions import RevisionedCache, Revisions

MAX_QUERY_CHARS = 200
MAX_WORDS = 8
MAX_RESULTS = 20
LABEL_STRETCH = 8  # house numbers per street label
# Usual abbreviations of street types typed in a search box, read as the word the BAN writes.
ABBREVIATIONS = {"av": "avenue", "bd": "boulevard", "bld": "boulevard", "ch": "chemin", "chem": "chemin",
                 "imp": "impasse", "pl": "place", "rte": "route", "st": "saint", "ste": "sainte", "sq": "square",
                 "all": "allee", "fg": "faubourg", "r": "rue"}
SUFFIXES = {"bis", "ter", "quater", "quinquies"}
_NUMBER = re.compile(r"[0-9]{1,5}")


@dataclass(frozen=True)
class AddressQuery:
    """A search as understood: an optional house number (and its suffix), the words to find."""

    number: int | None
    suffix: str
    words: tuple[str, ...]

    @property
    def phrase(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class AddressHit:
    """One result: an address (a number on a street) or a whole street, with the point to show."""

    kind: str  # "address" or "street"
    label: str
    street: str
    number: str
    postal_code: str
    city: str
    insee_code: str
    lat: float
    lon: float


def address_query_parse(text: str) -> AddressQuery:
    """The words of a search box, bounded; AddressesError when there is nothing to search."""
    if len(text) > MAX_QUERY_CHARS or "\x00" in text:
        raise AddressesError(AddressesErrorCode.QUERY_INVALID,
                             f"Recherche trop longue : {MAX_QUERY_CHARS} caractères au plus.")
    tokens = search_text(text).split()
    number, suffix = None, ""
    if tokens and _NUMBER.fullmatch(tokens[0]):
        number = int(tokens.pop(0))
        if tokens and (tokens[0] in SUFFIXES or (len(tokens[0]) == 1 and len(tokens) > 1 and tokens[0] != "r")):
            suffix = tokens.pop(0)
    words = tuple(dict.fromkeys(ABBREVIATIONS.get(token, token) for token in tokens))[:MAX_WORDS]
    if not words or sum(map(len, words)) < 2:
        raise AddressesError(AddressesErrorCode.QUERY_INVALID,
                             "Recherche trop courte : tapez au moins deux lettres du nom de la voie.")
    return AddressQuery(number=number, suffix=suffix, words=words)


def _matching(query: AddressQuery) -> QuerySet[Address]:
    rows = Address.objects.all()
    for word in query.words:  # every word starts a word of the street, lieu-dit, postal code or commune
        rows = rows.filter(search_key__contains=f" {word}")
    return rows


def _rank(query: AddressQuery) -> Case:
    """0: the street is the phrase; 1: it starts with it; 2: the phrase starts a word of it; 3: words scattered."""
    phrase = query.phrase
    return Case(When(street_key=phrase, then=Value(0)), When(street_key__startswith=phrase, then=Value(1)),
                When(search_key__contains=f" {phrase}", then=Value(2)), default=Value(3),
                output_field=IntegerField())


def _numbered(query: AddressQuery, number: int, limit: int) -> list[AddressHit]:
    rows = _matching(query).filter(number=number)
    if query.suffix:
        rows = rows.filter(suffix__iexact=query.suffix)
    rows = (rows.annotate(rank=_rank(query), street_length=Length("street"))
            .select_related("commune").order_by("rank", "street_length", "street", "city", "suffix")[:limit])
    return [AddressHit(kind="address", label=row.label, street=row.street,
                       number=f"{row.number} {row.suffix}".strip(), postal_code=row.postal_code, city=row.city,
                       insee_code=row.commune.insee_code, lat=row.lat, lon=row.lon) for row in rows]


def _streets(query: AddressQuery, limit: int) -> list[AddressHit]:
    groups = (_matching(query).values("commune__insee_code", "street", "postal_code", "city")
              .annotate(rank=Min(_rank(query)), lat=Avg("lat"), lon=Avg("lon"), street_length=Length("street"))
              .order_by("rank", "street_length", "street", "city")[:limit])
    return [AddressHit(kind="street", label=f"{group['street']}, {group['postal_code']} {group['city']}",
                       street=group["street"], number="", postal_code=group["postal_code"], city=group["city"],
                       insee_code=group["commune__insee_code"], lat=group["lat"], lon=group["lon"])
            for group in groups]


def address_search(*, text: str, limit: int = 8) -> list[AddressHit]:
    """Addresses (when a number is typed and exists) or streets matching a search, best first, at most `limit`.

    Accents, case and punctuation are ignored; each word must start a word of the address; ranked by how well the
    street name matches the words typed, then shorter names first."""
    query = address_query_parse(text)
    limit = max(1, min(limit, MAX_RESULTS))
    if query.number is not None:
        hits = _numbered(query, query.number, limit)
        if hits:
            return hits
    return _streets(query, limit)


# --- Street labels of the drawn base map ------------------------------------------------------------------------


@dataclass(frozen=True)
class StreetLabels:
    """One label per stretch of a street: its name, the mean point of its addresses there, its direction."""

    names: list[str]
    lats: np.ndarray
    lons: np.ndarray
    angles: np.ndarray  # degrees, counter-clockwise from east, in (-90, 90]


def _street_labels_of(revisions: Revisions) -> StreetLabels:
    # One label per stretch of 8 numbers (a block or two of an ordinary street), so that a long street is named
    # wherever one looks at it.
    stretch = ExpressionWrapper(F("number") / LABEL_STRETCH, output_field=IntegerField())
    groups = list(Address.objects.annotate(stretch=stretch).values("commune_id", "street", "stretch").annotate(
        count=Count("id"), mean_lat=Avg("lat"), mean_lon=Avg("lon"), mean_lat_lat=Avg(F("lat") * F("lat")),
        mean_lon_lon=Avg(F("lon") * F("lon")), mean_lat_lon=Avg(F("lat") * F("lon")))
        .order_by("street", "commune_id", "stretch"))
    angles = []
    for group in groups:
        lat, lon = group["mean_lat"], group["mean_lon"]
        ky, kx = degree_lengths(lat)
        var_x = (group["mean_lon_lon"] - lon * lon) * kx * kx
        var_y = (group["mean_lat_lat"] - lat * lat) * ky * ky
        cov = (group["mean_lat_lon"] - lat * lon) * kx * ky
        angle = math.degrees(0.5 * math.atan2(2 * cov, var_x - var_y)) if group["count"] > 2 else 0.0
        angles.append(angle if angle > -90 else angle + 180)
    return StreetLabels(names=[group["street"] for group in groups],
                        lats=np.array([group["mean_lat"] for group in groups], dtype=float),
                        lons=np.array([group["mean_lon"] for group in groups], dtype=float),
                        angles=np.array(angles, dtype=float))


# Keyed by the newest address import: built once per process per import.
_labels_cache: RevisionedCache[StreetLabels] = RevisionedCache(AddressImport, build=_street_labels_of)


def street_labels_in(*, bbox: tuple[float, float, float, float], limit: int = 500) -> list[dict]:
    """The street labels whose point lies in the box (west, south, east, north), at most `limit`."""
    labels = _labels_cache.current()
    west, south, east, north = bbox
    inside = np.flatnonzero((labels.lons >= west) & (labels.lons <= east)
                            & (labels.lats >= south) & (labels.lats <= north))[:limit]
    return [{"name": labels.names[i], "lat": round(float(labels.lats[i]), 6), "lon": round(float(labels.lons[i]), 6),
             "angle": round(float(labels.angles[i]), 1)} for i in inside]


def address_count() -> int:
    """How many addresses are stored."""
    return Address.objects.count()
