"""The printable intervention sheet (fiche d'intervention) as PDF (fpdf2): what it was, where, who was engaged,
the caller for those who handle it, and the chronology of everything that happened."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.operations.choices import ClosureReason, InterventionOrigin, InterventionStatus, Priority, Purpose
from confiance.operations.documents import _latin1, _Logbook
from confiance.operations.models import Intervention


def _when(moment: Any) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M:%S}" if moment is not None else _("heure inconnue")


def _line(pdf: _Logbook, label: str, value: str) -> None:
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(45, 5, _latin1(label))
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 5, _latin1(value or "-"), new_x="LMARGIN", new_y="NEXT")


def _summary(pdf: _Logbook, intervention: Intervention, caller: dict[str, str] | None) -> None:
    _line(pdf, _("Commune"), intervention.commune.name)
    _line(pdf, _("Type"), intervention.intervention_type.label)
    _line(pdf, _("Priorité"), str(Priority(intervention.priority).label))
    _line(pdf, _("Origine"), str(InterventionOrigin(intervention.origin).label))
    _line(pdf, _("État"), str(InterventionStatus(intervention.status).label))
    _line(pdf, _("Finalité"), str(Purpose(intervention.purpose).label))
    _line(pdf, _("Ouverte le"), _when(intervention.created_at))
    _line(pdf, _("Adresse"), intervention.address)
    _line(pdf, _("Description"), intervention.description)
    if caller is None:
        _line(pdf, _("Requérant"), _("coordonnées masquées pour votre rôle"))
    else:
        _line(pdf, _("Requérant"), caller["name"] or _("non renseigné"))
        _line(pdf, _("Téléphone"), caller["phone"] or _("non renseigné"))
    if intervention.closed_at is not None:
        reason = ClosureReason(intervention.closure_reason).label if intervention.closure_reason else ""
        _line(pdf, _("Close le"), f"{_when(intervention.closed_at)} - {reason}")


def intervention_sheet_pdf(*, intervention: Intervention, chronology: list[dict[str, Any]],
                           caller: dict[str, str] | None, edited_by: str) -> bytes:
    """The sheet of one intervention; `caller` None prints that the caller's details are hidden for the reader."""
    pdf = _Logbook(_("Fiche d'intervention %(number)s") % {"number": intervention.number})
    pdf.alias_nb_pages()
    pdf.add_page()
    _summary(pdf, intervention, caller)
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, _latin1(_("Chronologie")), new_x="LMARGIN", new_y="NEXT")
    for event in chronology:
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(38, 5, _latin1(_when(event["at"])))
        pdf.cell(32, 5, _latin1(event["label"]))
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5, _latin1(event["text"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(0, 4, _latin1(_("Édité par %(name)s.") % {"name": edited_by}), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
