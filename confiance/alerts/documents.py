"""The FR-Alert request to the prefect: a ready-to-send PDF, the CAP message embedded as an attached file.

FR-Alert (cell broadcast) is triggered by the prefect only; the mayor asks for it. The request states the event,
the area (polygons and circles, as in the CAP message), the instructions, the validity, who drafted and approved it.
"""

from __future__ import annotations

from django.utils import timezone

from confiance.alerts.cap.build import polygon_text
from confiance.alerts.geometry import alert_area_shape, drawn_circles, drawn_polygons
from confiance.alerts.models import Alert
from confiance.core.pdf import Document


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y à %H:%M") if moment else "-"


def _person(agent) -> str:
    return (agent.get_full_name() or agent.username) if agent else "-"


def fr_alert_request_pdf(alert: Alert, cap_xml: bytes) -> bytes:
    """The request PDF; `cap_xml` is the published message or, for a draft, a preview of it."""
    pdf = Document(f"Demande de diffusion FR-Alert - commune de {alert.commune.name}",
                   restriction="À l'attention du préfet (centre opérationnel départemental) - document de service")
    pdf.add_page()
    pdf.paragraph(f"Le maire de {alert.commune.name} (INSEE {alert.commune.insee_code}) demande au préfet le "
                  "déclenchement d'une alerte FR-Alert sur la zone décrite ci-dessous. Le message CAP 1.2 "
                  "correspondant est joint à ce document (pièce jointe « " + f"{alert.identifier}.xml » ).")
    pdf.heading("Événement")
    pdf.field("Événement", alert.event)
    pdf.field("Gravité", alert.get_severity_display())
    pdf.field("Urgence", alert.get_urgency_display())
    pdf.field("Certitude", alert.get_certainty_display())
    pdf.field("Conduite à tenir", alert.get_response_type_display())
    pdf.field("Titre", alert.headline)
    pdf.field("Situation", alert.description)
    pdf.heading("Consignes à diffuser")
    pdf.paragraph(alert.instruction or "-")
    if alert.instruction_en:
        pdf.field("Consignes (anglais)", alert.instruction_en)
    pdf.heading("Validité")
    pdf.field("Début", _local(alert.onset))
    pdf.field("Fin", _local(alert.expires))
    pdf.heading("Zone")
    pdf.field("Zone concernée", alert.area_description or alert.commune.name)
    area = alert_area_shape(alert)
    if not area.is_empty:
        minx, miny, maxx, maxy = area.bounds
        pdf.field("Emprise", f"lat. {miny:.5f} à {maxy:.5f}, long. {minx:.5f} à {maxx:.5f}")
    for index, polygon in enumerate(drawn_polygons(alert.area), start=1):
        pdf.field(f"Polygone {index}", polygon_text(polygon))
    for index, (lat, lon, radius) in enumerate(drawn_circles(alert.area), start=1):
        pdf.field(f"Cercle {index}", f"centre {lat:.6f},{lon:.6f}, rayon {radius / 1000:.3f} km")
    sectors = ", ".join(sector.name for sector in alert.target_sectors.all())
    if sectors:
        pdf.field("Secteurs", sectors)
    pdf.heading("Message")
    pdf.field("Identifiant CAP", alert.identifier)
    pdf.field("Émetteur", alert.sender)
    pdf.field("Type", alert.get_msg_type_display())
    pdf.field("Rédigé par", f"{_person(alert.author)}, le {_local(alert.created_at)}")
    pdf.field("Validé par", f"{_person(alert.approver)}, le {_local(alert.approved_at)}")
    pdf.ln(6)
    pdf.paragraph("Pour le maire, signature et cachet :")
    pdf.embed_file(bytes=cap_xml, basename=f"{alert.identifier}.xml", mime_type="application/cap+xml",
                   desc="Message CAP 1.2", modification_date=alert.published_at or timezone.now())
    return bytes(pdf.output())
