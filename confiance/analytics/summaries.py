"""The sentences an analysis result opens with: what an élu needs to know, in words, computed from the result
itself (never a fixed text). Each function takes a stored result and returns its sentences, the first one being
the headline; figures go through ``formatting`` so that they read as the reader writes them."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from confiance.analytics.formatting import day, number, percent
from confiance.analytics.stats.temporal import poisson_interval

SIGNIFICANCE = 0.05

# Category names an import or a platform commonly uses, with the words a sentence needs (gender, elision).
# Any other category reads as "un fait".
NOUNS: dict[str, tuple[Any, Any, Any]] = {
    "cambriolage": (gettext_lazy("un cambriolage"), gettext_lazy("d'un autre cambriolage"),
                    gettext_lazy("des cambriolages")),
    "cambriolages": (gettext_lazy("un cambriolage"), gettext_lazy("d'un autre cambriolage"),
                     gettext_lazy("des cambriolages")),
    "vol": (gettext_lazy("un vol"), gettext_lazy("d'un autre vol"), gettext_lazy("des vols")),
    "tag": (gettext_lazy("un tag"), gettext_lazy("d'un autre tag"), gettext_lazy("des tags")),
    "tags": (gettext_lazy("un tag"), gettext_lazy("d'un autre tag"), gettext_lazy("des tags")),
    "dégradation": (gettext_lazy("une dégradation"), gettext_lazy("d'une autre dégradation"),
                    gettext_lazy("des dégradations")),
    "incendie": (gettext_lazy("un incendie"), gettext_lazy("d'un autre incendie"), gettext_lazy("des incendies")),
    "agression": (gettext_lazy("une agression"), gettext_lazy("d'une autre agression"),
                  gettext_lazy("des agressions")),
}


def nouns(result: dict[str, Any]) -> tuple[str, str, str]:
    """("un cambriolage", "d'un autre cambriolage", "des cambriolages") when the result holds one known category,
    else the general words for an event."""
    categories = result.get("categories") or (result.get("query") or {}).get("categories") or []
    if len(categories) == 1 and str(categories[0]).strip().lower() in NOUNS:
        one, another, all_of_them = NOUNS[str(categories[0]).strip().lower()]
        return str(one), str(another), str(all_of_them)
    return _("un fait"), _("d'un autre fait"), _("des faits")


def headline(kind: str, result: dict[str, Any]) -> list[str]:
    """The sentences of a result of this kind (none when the result lacks what they need)."""
    writers = {"near_repeat": near_repeat, "hotspots": hot_spots, "time": trend, "forecast": forecast}
    writer = writers.get(kind)
    if writer is None or not result:
        return []
    return writer(result)


# --- Near repeat (Knox) ---------------------------------------------------------------------------

def _context(knox: dict[str, Any], row: int, *, protected: bool, event: str) -> str:
    """Where and when, for a row of the table and the first delay band: "Dans les 200 m et les 7 jours qui suivent
    un cambriolage", "Au même endroit, dans les 7 jours qui suivent un cambriolage"."""
    edges = knox["spatial_edges_m"]
    when = _delay(float(knox["temporal_edges_days"][0]))
    values = {"when": when, "event": event}
    same = bool(knox.get("same_location"))
    band = row - (1 if same else 0)
    if same and row == 0:
        if protected:
            return _("Dans la même maille de 500 m, dans %(when)s qui suivent %(event)s") % values
        return _("Au même endroit, dans %(when)s qui suivent %(event)s") % values
    if band >= len(edges):
        return _("À plus de %(distance)s m, dans %(when)s qui suivent %(event)s") % (
            values | {"distance": number(edges[-1])})
    if band == 0:
        return _("Dans les %(distance)s m et %(when)s qui suivent %(event)s") % (
            values | {"distance": number(edges[0])})
    return _("Entre %(low)s et %(high)s m, dans %(when)s qui suivent %(event)s") % (
        values | {"low": number(edges[band - 1]), "high": number(edges[band])})


def _delay(days: float) -> str:
    """How long after: "les 7 jours", "les 12 heures"."""
    if days < 1:
        return _("les %(hours)s heures") % {"hours": number(days * 24)}
    if days == 1:
        return _("les 24 heures")
    return _("les %(days)s jours") % {"days": number(days, 1)}


def _closest_cell(knox: dict[str, Any]) -> tuple[int, float, float] | None:
    """The nearest distance band, in the first delay band, whose ratio is published: (row, ratio, p-value)."""
    for row in range(len(knox["rows"])):
        ratio, p_value = knox["knox_ratio"][row][0], knox["p_value"][row][0]
        if knox["observed"][row][0] is not None and ratio is not None and p_value is not None:
            return row, float(ratio), float(p_value)
    return None


def near_repeat(result: dict[str, Any]) -> list[str]:
    knox = result.get("knox")
    if not knox:
        return []
    protected = bool((result.get("disclosure") or {}).get("protected"))
    one, another, _all = nouns(result)
    closest = _closest_cell(knox)
    if closest is None:
        return [_("Trop peu de paires de faits proches dans l'espace et le temps pour conclure (moins de 5 par "
                  "case du tableau).")]
    row, ratio, p_value = closest
    context = _context(knox, row, protected=protected, event=one)
    if p_value > SIGNIFICANCE or ratio == 1:
        sentences = [_("Aucune répétition significative : %(context)s, le risque %(another)s n'est pas "
                       "différent de ce que le hasard produirait.") % {"context": _lower_first(context),
                                                                        "another": another}]
    elif ratio >= 2:
        sentences = [_("%(context)s, le risque %(another)s est %(times)s fois plus élevé que si les faits "
                       "survenaient au hasard.") % {"context": context, "another": another,
                                                    "times": number(ratio, 1)}]
    elif ratio > 1:
        sentences = [_("%(context)s, le risque %(another)s est %(percent)s plus élevé que si les faits "
                       "survenaient au hasard.") % {"context": context, "another": another,
                                                    "percent": percent(100 * (ratio - 1))}]
    else:
        sentences = [_("%(context)s, le risque %(another)s est %(percent)s plus faible que si les faits "
                       "survenaient au hasard.") % {"context": context, "another": another,
                                                    "percent": percent(100 * (1 - ratio))}]
    observed, expected = knox["observed"][row][0], knox["expected"][row][0]
    if observed is not None and expected is not None:
        sentences.append(_("Dans cette case du tableau : %(observed)s paires de faits observées pour %(expected)s "
                           "attendues si les dates étaient tirées au hasard (%(permutations)s tirages).") % {
            "observed": number(observed), "expected": number(expected, 1),
            "permutations": number(knox.get("permutations"))})
    return sentences


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# --- Hot spots ------------------------------------------------------------------------------------

def hot_spots(result: dict[str, Any]) -> list[str]:
    total = result.get("events") or 0
    features = (result.get("cells") or {}).get("features") or []
    if not total or not features:
        return []
    size = number((result.get("grid") or {}).get("size_m"))
    area = (result.get("grid") or {}).get("cells_in_area") or 0
    zones = result.get("zones") or {}
    hot = [f["properties"] for f in features if f["properties"].get("c") == 1]
    if hot:
        in_hot = zones.get("events", sum(p.get("n") or 0 for p in hot))
        count = zones.get("zones") or len(hot)
        cells = zones.get("cells") or len(hot)
        sentence = _("%(zones)s zones concentrent %(share)s des faits, sur %(surface)s de la surface analysée "
                     "(%(cells)s mailles de %(size)s m) : ce sont des points chauds significatifs.")
        if count == 1:
            sentence = _("Une zone concentre %(share)s des faits, sur %(surface)s de la surface analysée "
                         "(%(cells)s mailles de %(size)s m) : c'est un point chaud significatif.")
        return [sentence % {"zones": number(count), "share": percent(100 * in_hot / total),
                            "surface": percent(100 * cells / area if area else 0, 1), "cells": number(cells),
                            "size": size},
                _("Les autres mailles colorées ne se distinguent pas du hasard (statistique Gi*, taux de fausses "
                  "découvertes de 5 %).")]
    top = sorted((f["properties"].get("n") or 0 for f in features), reverse=True)[:5]
    if not sum(top):
        return [_("Aucun point chaud significatif (statistique Gi*).")]
    return [_("Les %(cells)s mailles de %(size)s m les plus chargées concentrent %(share)s des faits.") % {
                "cells": number(len(top)), "size": size, "share": percent(100 * sum(top) / total)},
            _("Aucune ne ressort comme point chaud significatif (statistique Gi*) : cette concentration reste dans ce "
              "que le hasard peut produire.")]


# --- Trends -------------------------------------------------------------------------------------

def trend(result: dict[str, Any]) -> list[str]:
    sentences: list[str] = []
    comparison = result.get("comparison") or {}
    _one, _another, all_of_them = nouns(result)
    if comparison.get("available") and comparison.get("change_pct") is not None:
        change, p_value = float(comparison["change_pct"]), float(comparison["p_value"])
        figures = {"change": percent(abs(change)), "start": day(comparison["previous_start"]),
                   "end": day(comparison["previous_end"]), "current": number(comparison["current"]),
                   "previous": number(comparison["previous"])}
        if round(change) == 0:
            text = _("Stable par rapport à la période précédente de même durée (du %(start)s au %(end)s) : "
                     "%(current)s faits contre %(previous)s.")
        elif change > 0:
            text = _("Hausse de %(change)s par rapport à la période précédente de même durée (du %(start)s au "
                     "%(end)s) : %(current)s faits contre %(previous)s.")
        else:
            text = _("Baisse de %(change)s par rapport à la période précédente de même durée (du %(start)s au "
                     "%(end)s) : %(current)s faits contre %(previous)s.")
        sentences.append(text % figures)
        if round(change) != 0:
            sentences.append(_("Cette évolution est significative : elle a moins de 5 chances sur 100 d'être due au "
                               "hasard.") if p_value <= SIGNIFICANCE else
                             _("Cette évolution n'est pas significative : le hasard suffit à l'expliquer."))
    elif comparison.get("available"):
        sentences.append(_("Aucun fait sur la période précédente de même durée (du %(start)s au %(end)s) : pas de "
                           "comparaison possible.") % {"start": day(comparison["previous_start"]),
                                                       "end": day(comparison["previous_end"])})
    elif comparison.get("reason") == "too_few":
        sentences.append(_("Moins de 5 faits sur la période précédente de même durée : pas de comparaison publiée."))
    elif comparison.get("reason") == "not_covered":
        sentences.append(_("Les données ne couvrent pas la période précédente de même durée (du %(start)s au "
                           "%(end)s) : pas de comparaison possible.") % {
            "start": day(comparison["previous_start"]), "end": day(comparison["previous_end"])})
    weekly = result.get("weekly")
    # Under two years the fitted trend mixes the seasons (a winter-to-summer fall reads as a decline): the headline
    # gives it only when the yearly cycle is fitted beside it.
    if weekly and weekly.get("seasonal") and weekly.get("trend_per_year_pct") is not None:
        yearly = float(weekly["trend_per_year_pct"])
        sign = "+" if yearly > 0 else "\u2212" if yearly < 0 else ""
        sentences.append(_("Tendance de fond %(all)s sur la période : %(sign)s%(change)s par an.") % {
            "sign": sign, "change": percent(abs(yearly)), "all": all_of_them})
    if weekly:
        above = len(weekly.get("above") or [])
        if above:
            sentences.append(_("%(weeks)s semaines ont dépassé le niveau habituel.") % {"weeks": number(above)}
                             if above > 1 else _("Une semaine a dépassé le niveau habituel."))
    return sentences


# --- Forecasts ----------------------------------------------------------------------------------

def forecast(result: dict[str, Any]) -> list[str]:
    loads = [load for load in result.get("loads") or [] if not load.get("error") and "week_total" in load]
    if not loads:
        return []
    load = loads[0]
    low, high = load.get("week_low"), load.get("week_high")
    if low is None or high is None:
        interval = poisson_interval(np.array([float(load["week_total"])]))
        low, high = int(interval[0][0]), int(interval[1][0])
    start = np.datetime64(load["forecast_start"], "D")
    sentences = [_("Semaine du %(start)s au %(end)s : entre %(low)s et %(high)s faits attendus (%(expected)s en "
                   "moyenne), contre %(baseline)s pour une semaine ordinaire des 4 dernières.") % {
        "start": day(str(start)), "end": day(str(start + 6)), "low": number(low), "high": number(high),
        "expected": number(load["week_total"]), "baseline": number(load.get("baseline_week_total"))}]
    pai = result.get("pai") or {}
    shares = pai.get("area_shares") or []
    if 0.05 in shares and pai.get("hit_rate"):
        rate = pai["hit_rate"][shares.index(0.05)]
        if rate is not None:
            sentences.append(_("Les zones à surveiller (5 %% de la surface) ont réuni %(share)s des faits des "
                               "semaines passées.") % {"share": percent(100 * rate)})
    return sentences
