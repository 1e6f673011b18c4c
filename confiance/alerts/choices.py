"""Closed lists of population alerts: the life of an alert, and the CAP 1.2 code lists (values as CAP spells them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertStatus(models.TextChoices):
    """Where an alert is in its life; only PUBLISHED alerts are in force (until they expire)."""

    DRAFT = "draft", _("Brouillon")
    AWAITING_APPROVAL = "awaiting_approval", _("En attente de validation")
    PUBLISHED = "published", _("Publiée")
    SUPERSEDED = "superseded", _("Remplacée par une mise à jour")
    CANCELLED = "cancelled", _("Annulée")
    ABANDONED = "abandoned", _("Brouillon abandonné")


class AlertStepKind(models.TextChoices):
    DRAFTED = "drafted", _("Rédigée")
    EDITED = "edited", _("Modifiée")
    SUBMITTED = "submitted", _("Soumise à validation")
    RETURNED = "returned", _("Renvoyée à l'auteur")
    APPROVED = "approved", _("Validée")
    PUBLISHED = "published", _("Publiée")
    SUPERSEDED = "superseded", _("Remplacée")
    CANCELLED = "cancelled", _("Annulée")
    ABANDONED = "abandoned", _("Abandonnée")


class MessageType(models.TextChoices):
    """CAP msgType (Ack and Error are not authored here)."""

    ALERT = "Alert", _("Alerte")
    UPDATE = "Update", _("Mise à jour")
    CANCEL = "Cancel", _("Annulation")


class CapStatus(models.TextChoices):
    """CAP status: a real alert, an exercise or a test."""

    ACTUAL = "Actual", _("Réelle")
    EXERCISE = "Exercise", _("Exercice")
    TEST = "Test", _("Test")


class Category(models.TextChoices):
    GEO = "Geo", _("Géophysique")
    MET = "Met", _("Météorologique")
    SAFETY = "Safety", _("Sécurité civile")
    SECURITY = "Security", _("Sûreté, ordre public")
    RESCUE = "Rescue", _("Secours")
    FIRE = "Fire", _("Incendie")
    HEALTH = "Health", _("Santé")
    ENV = "Env", _("Environnement, pollution")
    TRANSPORT = "Transport", _("Transports")
    INFRA = "Infra", _("Réseaux, infrastructures")
    CBRNE = "CBRNE", _("NRBC")
    OTHER = "Other", _("Autre")


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("Immédiate")
    EXPECTED = "Expected", _("Attendue (dans l'heure)")
    FUTURE = "Future", _("Prochaine")
    PAST = "Past", _("Passée")
    UNKNOWN = "Unknown", _("Inconnue")


class Severity(models.TextChoices):
    EXTREME = "Extreme", _("Extrême")
    SEVERE = "Severe", _("Grave")
    MODERATE = "Moderate", _("Modérée")
    MINOR = "Minor", _("Mineure")
    UNKNOWN = "Unknown", _("Inconnue")


class Certainty(models.TextChoices):
    OBSERVED = "Observed", _("Observée")
    LIKELY = "Likely", _("Probable")
    POSSIBLE = "Possible", _("Possible")
    UNLIKELY = "Unlikely", _("Peu probable")
    UNKNOWN = "Unknown", _("Inconnue")


class ResponseType(models.TextChoices):
    SHELTER = "Shelter", _("Se mettre à l'abri")
    EVACUATE = "Evacuate", _("Évacuer")
    PREPARE = "Prepare", _("Se préparer")
    EXECUTE = "Execute", _("Appliquer les consignes")
    AVOID = "Avoid", _("Éviter la zone")
    MONITOR = "Monitor", _("Se tenir informé")
    ASSESS = "Assess", _("Évaluer la situation")
    ALL_CLEAR = "AllClear", _("Fin de l'alerte")
    NONE = "None", _("Aucune action")


class Risk(models.TextChoices):
    """The risks of a commune's safety plan (plan communal de sauvegarde) an alert template is written for."""

    FLOOD = "flood", _("Inondation")
    HEATWAVE = "heatwave", _("Canicule")
    FIRE = "fire", _("Incendie")
    CONFINEMENT = "confinement", _("Confinement")
    WATER_CUT = "water_cut", _("Coupure d'eau")
    STORM = "storm", _("Tempête")
    SNOW = "snow", _("Neige, verglas")
    INDUSTRIAL = "industrial", _("Accident industriel")
    POLLUTION = "pollution", _("Pollution de l'air")
    OTHER = "other", _("Autre")
