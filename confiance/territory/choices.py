from django.db import models
from django.utils.translation import gettext_lazy as _

# The permissions territory checks; accounts' Permission members take their values from here, so territory
# needs nothing from accounts (accounts.Membership points at territory.Commune).
TERRITORY_VIEW_PERMISSION = "territory.view"
TERRITORY_MANAGE_PERMISSION = "territory.manage"
LIVE_VIEW_PERMISSION = "live.view"
# Declaring, widening or ending a crisis is for the chef de poste and the élu of every commune it joins; following
# one (its log, its checklist) is for the agents of its communes. Neither gives access to police files.
CRISIS_DECLARE_PERMISSION = "crisis.declare"
CRISIS_VIEW_PERMISSION = "crisis.view"


class CrisisKind(models.TextChoices):
    """What a crisis is about; each kind has its checklist in the commune's safety plan."""

    FLOOD = "inondation", _("Inondation")
    FIRE = "incendie", _("Incendie")
    SNOW = "neige", _("Neige, verglas")
    HEATWAVE = "canicule", _("Canicule")
    INTRUSION = "intrusion", _("Intrusion")
    OTHER = "autre", _("Autre")


class IntercommunalityKind(models.TextChoices):
    """Legal forms of a grouping of communes."""

    COMMUNAUTE_COMMUNES = "cc", _("Communauté de communes")
    COMMUNAUTE_AGGLOMERATION = "ca", _("Communauté d'agglomération")
    COMMUNAUTE_URBAINE = "cu", _("Communauté urbaine")
    METROPOLE = "metropole", _("Métropole")
    SYNDICAT_MIXTE = "syndicat_mixte", _("Syndicat mixte")
    SYNDICAT_INTERCOMMUNAL = "syndicat", _("Syndicat intercommunal")


class ZoneKind(models.TextChoices):
    """What a named zone of a commune is used for."""

    SENSITIVE = "sensible", _("Secteur sensible")
    SCHOOL = "ecole", _("Abords d'école")
    MARKET = "marche", _("Marché")
    PARK = "parc", _("Parc, jardin")
    EVENT = "evenement", _("Périmètre d'événement")
    FLOOD = "inondation", _("Zone inondable")
    OTHER = "autre", _("Autre")


class TerritoryLevel(models.TextChoices):
    """What a GeoJSON import file describes."""

    COMMUNES = "communes", _("Communes")
    SECTORS = "sectors", _("Secteurs (quartiers)")
