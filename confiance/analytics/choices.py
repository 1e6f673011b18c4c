from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AnalysisKind(models.TextChoices):
    HOTSPOTS = "hotspots", _("Points chauds (carte)")
    NEAR_REPEAT = "near_repeat", _("Répétitions proches (Knox)")
    TIME = "time", _("Profils horaires et tendance")
    FORECAST = "forecast", _("Prévisions et précision des zones prédites")


class RunStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminée")
    FAILED = "failed", _("Échouée")


class EventSource(models.TextChoices):
    REPORTS = "reports", _("Signalements citoyens")
    INTERVENTIONS = "interventions", _("Interventions de police municipale")
    LOGBOOK = "logbook", _("Main courante")
    ALARMS = "alarms", _("Alarmes du centre de supervision")


# Sources whose application is not installed yet: shown, never counted as zero.
UNAVAILABLE_SOURCES: dict[str, Any] = {
    EventSource.ALARMS: _("le module de supervision (capteurs, alarmes) n'est pas encore installé"),
}
