"""The crisis report (PDF), once the crisis has ended: timeline, checklist, interventions and their delays, alarms.

Details (interventions, alarms) are those of the communes the reader still sees after the crisis (the sharing has
ended); every commune of the crisis appears in the figures, which are counts and delays, not records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.pdf import Document
from confiance.crisis.selectors import agent_name, crisis_log, crisis_steps
from confiance.devices.models import Alarm
from confiance.devices.selectors.alarms import alarms_for_actor
from confiance.operations.selectors import (
    intervals_of,
    intervention_list_for_actor,
    minutes_text,
    response_delay_figures,
)
from confiance.territory.choices import CrisisKind
from confiance.territory.models import CrisisSharing


def _when(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}" if moment else ""


def _minutes(seconds: float | None) -> str:
    return minutes_text(seconds / 60) if seconds is not None else ""


def _timeline(pdf: Document, crisis: CrisisSharing) -> None:
    pdf.heading("Chronologie (journal de crise)")
    rows = [[_when(entry.at), entry.commune.name if entry.commune_id else "", entry.text,
             agent_name(entry.written_by)] for entry in crisis_log(crisis)]
    pdf.grid(["Heure", "Commune", "Entrée", "Auteur"], rows, [28, 30, 95, 37])


def _checklist(pdf: Document, crisis: CrisisSharing) -> None:
    pdf.heading("Liste d'actions (plan communal de sauvegarde)")
    rows = []
    for step in crisis_steps(crisis):
        tick = getattr(step, "tick", None)
        rows.append([step.commune.name, step.text, _when(tick.ticked_at) if tick else "non fait",
                     agent_name(tick.ticked_by) if tick else ""])
    pdf.grid(["Commune", "Étape", "Cochée le", "Par"], rows, [30, 100, 28, 32])


def _interventions(pdf: Document, actor: Actor, crisis: CrisisSharing, communes: set[int]) -> None:
    end = crisis.ended_at or timezone.now()
    pdf.heading("Interventions et délais (minutes, médiane et 90e centile)")
    figure_rows = []
    for commune in sorted(crisis.communes.all(), key=lambda item: item.name):
        figures = response_delay_figures(commune_ids={commune.pk}, since=crisis.started_at, until=end)
        figure_rows.append([commune.name, figures["interventions"], *(
            minutes_text(figures[key]) for key in ("prise_en_compte_p50_min", "prise_en_compte_p90_min",
                                                   "intervention_p50_min", "intervention_p90_min"))])
    pdf.grid(["Commune", "Nombre", "Engagement p50", "p90", "Arrivée p50", "p90"], figure_rows,
             [45, 20, 35, 25, 35, 30])
    if not actor.can_anywhere(Permission.OPERATIONS_VIEW):
        return
    interventions = (intervention_list_for_actor(actor=actor, commune_ids=communes, open_only=False)
                     .filter(created_at__gte=crisis.started_at, created_at__lt=end)
                     .prefetch_related("assignments").order_by("created_at")[:500])
    rows = []
    for intervention in interventions:
        delays = intervals_of(intervention, list(intervention.assignments.all()))
        rows.append([intervention.number, intervention.commune.name, intervention.intervention_type.label,
                     _when(intervention.created_at), _minutes(delays["prise_en_compte"]),
                     _minutes(delays["intervention"]), intervention.get_status_display()])
    pdf.ln(2)
    pdf.grid(["Numéro", "Commune", "Type", "Créée le", "Engagement", "Arrivée", "État"], rows,
             [24, 28, 42, 28, 22, 20, 26])


def _alarms(pdf: Document, actor: Actor, crisis: CrisisSharing, communes: set[int]) -> None:
    end = crisis.ended_at or timezone.now()
    pdf.heading("Alarmes des capteurs")
    counts = dict.fromkeys(sorted(c.name for c in crisis.communes.all()), 0)
    for name in (Alarm.objects.filter(commune_id__in=communes, raised_at__gte=crisis.started_at, raised_at__lt=end)
                 .values_list("commune__name", flat=True)):
        counts[name] = counts.get(name, 0) + 1
    pdf.grid(["Commune", "Alarmes levées"], [[name, count] for name, count in counts.items()], [60, 40])
    if not actor.can_anywhere(Permission.DEVICES_VIEW):
        return
    rows = [[_when(alarm.raised_at), alarm.commune.name, alarm.rule.name, alarm.get_severity_display(),
             _when(alarm.acknowledged_at), _when(alarm.resolved_at)]
            for alarm in alarms_for_actor(actor=actor, open_only=False, commune_ids=communes, limit=500)
            if crisis.started_at <= alarm.raised_at < end]
    pdf.ln(2)
    pdf.grid(["Levée", "Commune", "Règle", "Gravité", "Prise en compte", "Résolue"], sorted(rows),
             [26, 26, 62, 22, 27, 27])


def crisis_report_pdf(*, actor: Actor, crisis: CrisisSharing) -> bytes:
    """The report of an ended crisis, as the reader may see it."""
    communes = {commune.pk for commune in crisis.communes.all()}
    pdf = Document(f"Rapport de crise - {crisis.name}",
                   restriction="Document interne - noms d'agents : diffusion restreinte aux services communaux")
    pdf.add_page()
    summary: dict[str, Any] = {
        "Type": CrisisKind(crisis.kind).label,
        "Communes": ", ".join(sorted(commune.name for commune in crisis.communes.all())),
        "Début": _when(crisis.started_at), "Fin": _when(crisis.ended_at),
        "Déclarée par": agent_name(crisis.started_by), "Terminée par": agent_name(crisis.ended_by),
    }
    for label, value in summary.items():
        pdf.field(label, value)
    _timeline(pdf, crisis)
    _checklist(pdf, crisis)
    _interventions(pdf, actor, crisis, communes)
    _alarms(pdf, actor, crisis, communes)
    return pdf.output_bytes()
