"""Demo data of population alerts: a template of Mennecy's own safety plan, and a past heatwave alert (published,
approved by the élu, expired) so the public page has an archive. The demo flood drafts the live one (simulation)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from confiance.accounts.models import Agent
from confiance.alerts.cap.build import cap_build
from confiance.alerts.choices import AlertStatus, AlertStepKind, Category, Certainty, ResponseType, Risk, Severity
from confiance.alerts.demo_subscribers import load_subscribers
from confiance.alerts.models import Alert, AlertStep, AlertTemplate
from confiance.alerts.services.authoring import sender_of
from confiance.territory.models import Commune

ORDER = 70  # after the devices (50) and the analytics (60)
MENNECY = "91386"
PAST_IDENTIFIER = "FR-91386-DEMO-CANICULE"
# The demo flood's draft is written by the operator; the élu (Mennecy) or the chef de poste approves it.
DRAFTER = "operateur"
APPROVER = "elu"

MOULIN = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {
    "type": "Polygon", "coordinates": [[[2.4280, 48.5560], [2.4390, 48.5560], [2.4390, 48.5630], [2.4280, 48.5630],
                                        [2.4280, 48.5560]]]}}]}


def _template(commune: Commune) -> None:
    AlertTemplate.objects.get_or_create(commune=commune, name="Crue de l'Essonne — quartier du Moulin", defaults={
        "risk": Risk.FLOOD, "event": "Crue de l'Essonne", "category": Category.MET,
        "response_type": ResponseType.EVACUATE, "urgency": "Immediate", "severity": Severity.SEVERE,
        "certainty": Certainty.OBSERVED, "duration_hours": 12,
        "headline": "Crue de l'Essonne : quittez les bords de la rivière",
        "instruction": "Quittez les rez-de-chaussée des rues du Moulin et de la Rivière. Ne descendez pas dans les "
                       "parkings souterrains. Accueil au gymnase municipal.",
        "description": "L'Essonne dépasse la cote d'alerte au pont de Mennecy (2,30 m) et monte encore.",
        "headline_en": "Essonne flood: leave the riverside",
        "instruction_en": "Leave ground floors near the river. Shelter at the municipal gymnasium."})


def _past_alert(commune: Commune) -> bool:
    if Alert.objects.filter(identifier=PAST_IDENTIFIER).exists():
        return False
    author, approver = Agent.objects.filter(username=DRAFTER).first(), Agent.objects.filter(username=APPROVER).first()
    if author is None or approver is None:
        return False
    sent = timezone.now() - timedelta(days=40)
    alert = Alert.objects.create(
        commune=commune, sender=sender_of(commune), identifier=PAST_IDENTIFIER, status=AlertStatus.PUBLISHED,
        risk=Risk.HEATWAVE, event="Canicule", category=Category.MET, response_type=ResponseType.PREPARE,
        urgency="Expected", severity=Severity.MODERATE, certainty=Certainty.LIKELY,
        headline="Canicule : protégez-vous de la chaleur",
        instruction="Buvez de l'eau régulièrement, restez au frais, prenez des nouvelles de vos proches isolés.",
        description="Vigilance orange canicule sur l'Essonne.", onset=sent, expires=sent + timedelta(days=3),
        area_description="Toute la commune", area=MOULIN, author=author, approver=approver,
        created_at=sent - timedelta(minutes=20), submitted_at=sent - timedelta(minutes=15),
        approved_at=sent, published_at=sent)
    alert.target_communes.set([commune])
    alert.cap_xml = cap_build(alert, base_url=settings.CONFIANCE_PUBLIC_URL.rstrip("/")).decode()
    alert.save(update_fields=["cap_xml"])
    for kind, by, at in ((AlertStepKind.DRAFTED, author, alert.created_at),
                         (AlertStepKind.SUBMITTED, author, alert.submitted_at),
                         (AlertStepKind.APPROVED, approver, sent), (AlertStepKind.PUBLISHED, approver, sent)):
        AlertStep.objects.create(alert=alert, kind=kind, by=by, at=at)
    return True


def load(*, actor, stdout) -> None:
    commune = Commune.objects.filter(insee_code=MENNECY).first()
    if commune is None:
        stdout.write("Alertes : commune de démonstration absente, rien à charger.")
        return
    _template(commune)
    created = _past_alert(commune)
    load_subscribers(stdout=stdout)  # subscriptions (helper "deliver"): alerts/demo_subscribers.py
    stdout.write(f"Alertes : modèles prêts ; alerte passée {'créée' if created else 'déjà présente'}. "
                 f"La crue de démonstration fait rédiger un brouillon par « {DRAFTER} », validé par « {APPROVER} ».")
