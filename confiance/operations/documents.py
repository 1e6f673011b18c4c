"""Documents: the main courante of one day for one commune as PDF (fpdf2), the interval report as CSV."""

from __future__ import annotations

import io
from datetime import date

from django.utils import timezone

from confiance.core.exports import SafeWriter
from confiance.core.pdf import Document, latin1
from confiance.operations.choices import EntrySource, PersonRole, Purpose
from confiance.operations.models import DayVisa, LogEntry
from confiance.operations.selectors import INTERVALS, minutes_text

_latin1 = latin1


class _Logbook(Document):
    """The police documents' base: the restriction line of personal data on every page."""


def visa_sentence(visa: DayVisa | None) -> str:
    """The PDF's line on the chef de poste's visa of the day."""
    if visa is None:
        return "Journée non visée : des entrées peuvent encore y être ajoutées."
    by = visa.signed_by.get_full_name() or visa.signed_by.username if visa.signed_by else "un agent supprimé"
    return f"Journée visée par {by} le {timezone.localtime(visa.signed_at):%d/%m/%Y à %H:%M}."


def logbook_pdf(*, commune_name: str, day: date, entries: list[LogEntry], edited_by: str,
                visa: DayVisa | None = None) -> bytes:
    pdf = _Logbook(f"Main courante - {commune_name} - {day:%d/%m/%Y}")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 5, _latin1(visa_sentence(visa)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, _latin1(f"{len(entries)} entrée(s). Édité par {edited_by}."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for entry in entries:
        pdf.set_font("Helvetica", "B", 10)
        head = (f"{entry.number} - {timezone.localtime(entry.occurred_at):%H:%M} - {entry.nature.label} "
                f"({EntrySource(entry.source).label})")
        pdf.multi_cell(0, 5, _latin1(head), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        details = [f"Finalité : {Purpose(entry.purpose).label}"]
        if entry.address:
            details.append(f"Lieu : {entry.address}")
        if entry.corrects_id:
            details.append(f"Rectifie l'entrée {entry.corrects.number}")
        corrections = getattr(entry, "correction_numbers", None)
        if corrections:
            details.append(f"Rectifiée par {', '.join(corrections)}")
        details.append(f"Saisie le {timezone.localtime(entry.created_at):%d/%m/%Y %H:%M} par "
                       f"{entry.author.get_full_name() or entry.author.username if entry.author else 'système'}")
        pdf.multi_cell(0, 4.5, _latin1(" | ".join(details)), new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 4.5, _latin1(entry.text), new_x="LMARGIN", new_y="NEXT")
        for person in entry.persons.all():
            born = f", né(e) le {person.birth_date:%d/%m/%Y}" if person.birth_date else ""
            phone = f", tél. {person.phone}" if person.phone else ""
            line = f"- {PersonRole(person.role).label} : {person.last_name} {person.first_name}{born}{phone}"
            pdf.multi_cell(0, 4.5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_draw_color(200, 200, 200)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(2)
    return bytes(pdf.output())


def interval_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = SafeWriter(out, delimiter=";")
    header = ["commune", "mois", "priorité", "interventions"]
    for name in INTERVALS:
        header += [f"{name} (nb)", f"{name} médiane (min)", f"{name} 90e centile (min)"]
    writer.writerow(header)
    for row in rows:
        line = [row["commune"], row["month_label"], row["priority_label"], row["interventions"]]
        for name in INTERVALS:
            line += [row[f"{name}_n"], minutes_text(row[f"{name}_p50_min"]), minutes_text(row[f"{name}_p90_min"])]
        writer.writerow(line)
    return out.getvalue()
