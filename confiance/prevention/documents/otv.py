"""The OTV route sheet in PDF (core.pdf): the homes of a sector in tour order, with what helps the patrol."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from confiance.core.pdf import Document


def route_sheet_pdf(*, commune, sector, day: date, homes: list, plan, edited_by: str) -> bytes:
    """One line per home, in visiting order; the heuristic and the estimated length are said at the top."""
    title = f"Tournée OTV - {commune.name}" + (f" - secteur {sector.name}" if sector else "")
    document = Document(title)
    document.add_page()
    document.field("Jour", day.strftime("%d/%m/%Y"))
    document.field("Logements", len(homes))
    if plan is not None:
        length = (f"{plan.cost / 60:.0f} min par la route (estimation)" if plan.by_road
                  else f"{plan.cost / 1000:.1f} km à vol d'oiseau (aucun réseau routier chargé)")
        document.field("Ordre", "tournée calculée (plus proche voisin amélioré par 2-opt et Or-opt)")
        document.field("Longueur", length)
    else:
        document.field("Ordre", "par secteur et adresse")
    document.field("Édité par", edited_by)
    document.heading("Logements à surveiller")
    rows = []
    for index, home in enumerate(homes, start=1):
        last = timezone.localtime(home.last_passage).strftime("%d/%m %H:%M") if home.last_passage else "jamais"
        details = "; ".join(filter(None, ["alarme" if home.alarm else "", home.patrol_notes]))
        rows.append([index, home.reference, home.address, home.returns_on.strftime("%d/%m"), last,
                     home.contact_phone or home.phone_away or home.phone, details])
    document.grid(["N°", "Réf.", "Adresse", "Retour", "Dernier passage", "Téléphone", "Informations"], rows,
                  [9, 18, 55, 13, 22, 25, 48])
    document.heading("Passages")
    document.paragraph("Noter chaque passage depuis la page terrain (RAS ou anomalie) : il est inscrit à la main "
                       "courante et l'habitant est prévenu d'une anomalie.")
    return document.output_bytes()
