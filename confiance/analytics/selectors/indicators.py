"""Indicators by phase (avant / pendant / après), from the other apps' selectors; small counts masked."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.analytics import disclosure
from confiance.analytics.choices import EventSource
from confiance.analytics.selectors.events import analysable_communes, period_bounds
from confiance.operations import selectors as operations_selectors
from confiance.prevention.selectors import indicators as prevention_indicators
from confiance.prevention.selectors import otv as prevention_selectors
from confiance.reports import selectors as reports_selectors
from confiance.territory import selectors as territory_selectors

# --- Indicators by phase ------------------------------------------------------------------------

def phase_indicators(*, actor: Actor, commune_ids: list[int], start: date, end: date) -> dict[str, Any]:
    """Avant / pendant / après figures per commune for [start, end] and the period of equal length before it.

    An indicator whose source module does not exist yet says so (``available: False`` and why); it is
    never shown as zero.
    """
    communes = analysable_communes(actor, commune_ids)
    since, until = period_bounds(start, end)
    length = until - since
    previous = (since - length, since)
    names = territory_selectors.commune_names(commune_ids=communes)
    result = []
    for commune_id in sorted(communes, key=lambda c: names.get(c, "")):
        scope = {commune_id}
        police_hidden = bool(disclosure.hidden_sources(actor, sources=[EventSource.INTERVENTIONS], commune_ids=scope))
        reports_hidden = bool(disclosure.hidden_sources(actor, sources=[EventSource.REPORTS], commune_ids=scope))
        current_delays = _masked_figures(operations_selectors.response_delay_figures(
            commune_ids=scope, since=since, until=until), police_hidden, DELAY_FIGURES)
        previous_delays = _masked_figures(operations_selectors.response_delay_figures(
            commune_ids=scope, since=previous[0], until=previous[1]), police_hidden, DELAY_FIGURES)
        current_reports = _masked_figures(_with_resolved_share(reports_selectors.resolution_figures(
            commune_ids=scope, since=since, until=until)), reports_hidden, REPORT_FIGURES)
        previous_reports = _masked_figures(_with_resolved_share(reports_selectors.resolution_figures(
            commune_ids=scope, since=previous[0], until=previous[1])), reports_hidden, REPORT_FIGURES)
        result.append({
            "commune_id": commune_id, "commune": names.get(commune_id, ""),
            "avant": [
                *_otv_indicators(actor, commune_id, since, until, previous),
                *_participation_figures(actor, commune_id, since, until, previous[0]),
            ],
            "pendant": [
                _figure("interventions", _("Interventions"), current_delays["interventions"],
                        previous_delays["interventions"], ""),
                _figure("response_p50", _("Délai d'intervention médian (appel → sur place)"),
                        current_delays["intervention_p50_min"], previous_delays["intervention_p50_min"], "min",
                        better=LOWER),
                _figure("response_p90", _("Délai d'intervention, 90e centile"),
                        current_delays["intervention_p90_min"], previous_delays["intervention_p90_min"], "min",
                        better=LOWER),
                _figure("engage_p50", _("Délai de prise en compte médian (appel → engagement)"),
                        current_delays["prise_en_compte_p50_min"], previous_delays["prise_en_compte_p50_min"], "min",
                        better=LOWER),
            ],
            "apres": [
                _figure("reports", _("Signalements reçus"), current_reports["received"], previous_reports["received"],
                        ""),
                _figure("resolution_p50", _("Délai de résolution médian des signalements"),
                        current_reports["median_hours"], previous_reports["median_hours"], "h", better=LOWER),
                _figure("resolution_rate", _("Part des signalements résolus"),
                        _percent(current_reports["resolved_share"]), _percent(previous_reports["resolved_share"]), "%",
                        better=HIGHER),
                _figure("overdue_share", _("Part des signalements hors délai"),
                        _percent(current_reports["overdue_share"]), _percent(previous_reports["overdue_share"]), "%",
                        better=LOWER),
                _unavailable("extractions", _("Extractions vidéo pour enquête"),
                             _("le module de vidéoprotection (registre des extractions) n'est pas encore installé")),
            ],
        })
    return {"start": start.isoformat(), "end": end.isoformat(),
            "previous_start": previous[0].date().isoformat(),
            "previous_end": (previous[1] - timedelta(days=1)).date().isoformat(), "communes": result}


# --- OTV indicators (prevention app): counts only; coarsened to fives and masked under 5 for readers who may not
# see the homes (an élu: PREVENTION_VIEW is for the police municipale and the supervision centre).


def _otv_count(value: int, hidden: bool) -> int | str:
    if not hidden:
        return value
    return MASKED if value < disclosure.MIN_COUNT else 5 * round(value / 5)


def _otv_indicators(actor: Actor, commune_id: int, since: datetime, until: datetime,
                    previous: tuple[datetime, datetime]) -> list[dict[str, Any]]:
    hidden = not actor.can(Permission.PREVENTION_VIEW, commune_id)
    current = prevention_selectors.otv_indicator_counts(commune_ids={commune_id}, since=since, until=until)
    before = prevention_selectors.otv_indicator_counts(commune_ids={commune_id}, since=previous[0],
                                                       until=previous[1])
    return [_figure("otv_homes", _("Logements suivis (Opération Tranquillité Vacances)"),
                    _otv_count(current["homes"], hidden), _otv_count(before["homes"], hidden), ""),
            _figure("otv_passages", _("Passages de patrouille aux logements OTV"),
                    _otv_count(current["passages"], hidden), _otv_count(before["passages"], hidden), "")]


# figure -> the count it is computed from: masked for those who may not see the events one by one when that count
# is under 5 (a median of three delays is three delays).
DELAY_FIGURES = {"interventions": "interventions", "intervention_p50_min": "intervention_n",
                 "intervention_p90_min": "intervention_n", "prise_en_compte_p50_min": "prise_en_compte_n"}
REPORT_FIGURES = {"received": "received", "median_hours": "closed", "overdue_share": "with_due_date",
                  "resolved_share": "received"}
# Which way an indicator is better: its delay falls (LOWER), its share of reports resolved rises (HIGHER); a count
# of interventions or reports is neither (more may mean more activity as much as more trouble).
LOWER, HIGHER = "lower", "higher"


def _with_resolved_share(figures: dict[str, Any]) -> dict[str, Any]:
    """The share of the period's reports already closed (resolved), beside the resolution figures."""
    received = figures.get("received") or 0
    return figures | {"resolved_share": round(figures["closed"] / received, 3) if received else None}


def _masked_figures(figures: dict[str, Any], hidden: bool, basis: dict[str, str]) -> dict[str, Any]:
    if not hidden:
        return figures
    result = dict(figures)
    for name, count in basis.items():
        if figures.get(count) is not None and figures[count] < disclosure.MIN_COUNT:
            result[name] = MASKED
    return result


MASKED = "masked"


def _percent(value: float | str | None) -> float | str | None:
    if isinstance(value, str):  # MASKED
        return value

    return None if value is None else round(100 * value, 1)


def _figure(key: str, label: str, current: Any, previous: Any, unit: str, *,
            better: str | None = None) -> dict[str, Any]:
    """One indicator with its previous value, its change, which way is better (``LOWER``, ``HIGHER`` or None)
    and whether the change went that way."""
    masked = {"value_masked": current == MASKED, "previous_masked": previous == MASKED}
    base = {"key": key, "label": str(label), "available": True, "unit": unit, "direction": better}
    if MASKED in (current, previous):
        return base | {"value": None if current == MASKED else current,
                       "previous": None if previous == MASKED else previous, "change_pct": None,
                       "better": None} | masked
    change = None
    if current is not None and previous is not None and previous != 0:
        change = round(100 * (current - previous) / previous, 1)
    improved = None
    if better is not None and current is not None and previous is not None and current != previous:
        improved = (current < previous) == (better == LOWER)
    return base | {"value": current, "previous": previous, "change_pct": change, "better": improved} | masked


def _participation_figures(actor: Actor, commune_id: int, since: datetime, until: datetime,
                           previous_since: datetime) -> list[dict[str, Any]]:
    """Referents in office at the end of each period, observations received in it (prevention's selectors); small
    counts masked for who may not see the records."""
    counts = prevention_indicators.avant_counts(actor=actor, commune_id=commune_id, since=since, until=until,
                                                  previous_since=previous_since)

    def shown(value: int, hidden: bool) -> int | str:
        return MASKED if hidden and value < disclosure.MIN_COUNT else value
    labels = {"referents": _("Référents de participation citoyenne"),
              "observations": _("Observations des référents")}
    return [_figure(key, labels[key], shown(current, hidden), shown(before, hidden), "")
            for key, (current, before, hidden) in counts.items()]


def _unavailable(key: str, label: str, reason: str) -> dict[str, Any]:
    return {"key": key, "label": str(label), "available": False, "reason": str(reason)}
