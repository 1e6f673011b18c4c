from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Purpose(models.TextChoices):
    """The legal regime a police record falls under (LEGAL.md, "Municipal police files")."""

    INFRACTIONS = "infractions", _("Infractions (arrêté du 14 avril 2009)")
    OTHER_MISSIONS = "autres_missions", _("Autres missions (délibération CNIL 2008-304)")


class EntrySource(models.TextChoices):
    CALL = "appel", _("Appel")
    PATROL = "patrouille", _("Patrouille")
    VIDEO = "videoprotection", _("Vidéoprotection")
    SENSOR = "capteur", _("Capteur")
    CITIZEN_REPORT = "signalement", _("Signalement citoyen")
    REFERENT = "referent", _("Référent")
    OTHER = "autre", _("Autre")


class PersonRole(models.TextChoices):
    CALLER = "requerant", _("Requérant")
    VICTIM = "victime", _("Victime")
    WITNESS = "temoin", _("Témoin")
    IMPLICATED = "mis_en_cause", _("Mis en cause")
    OTHER = "autre", _("Autre")


class InterventionOrigin(models.TextChoices):
    CALL = "appel", _("Appel")
    LOGBOOK = "main_courante", _("Main courante")
    CITIZEN_REPORT = "signalement", _("Signalement citoyen")
    ALARM = "alarme", _("Alarme")
    OBSERVATION = "observation", _("Constatation")


class Priority(models.IntegerChoices):
    URGENT = 1, _("Urgente")
    HIGH = 2, _("Prioritaire")
    NORMAL = 3, _("Normale")


class InterventionStatus(models.TextChoices):
    OPEN = "ouvert", _("Ouverte")
    IN_PROGRESS = "en_cours", _("En cours")
    # With a context: the bare "Close" is Django's own English word, which its French catalogue turns into "Fermer".
    CLOSED = "clos", pgettext_lazy("intervention", "Close")


class ClosureReason(models.TextChoices):
    HANDLED = "traite", _("Traitée")
    NO_FOLLOW_UP = "sans_suite", _("Sans suite")
    UNFOUNDED = "infonde", _("Infondée")
    POLICE_NATIONALE = "police_nationale", _("Transmise à la police nationale")
    GENDARMERIE = "gendarmerie", _("Transmise à la gendarmerie")
    SDIS = "sdis", _("Transmise au SDIS")
    OTHER_SERVICE = "autre_service", _("Transmise à un autre service")


class Milestone(models.TextChoices):
    """The fixed meaning behind each commune's own status codes."""

    AVAILABLE = "disponible", _("Disponible")
    ENGAGED = "engage", _("Engagé")
    EN_ROUTE = "en_route", _("En route")
    ON_SCENE = "sur_place", _("Sur place")
    UNAVAILABLE = "indisponible", _("Indisponible")
    OFF_DUTY = "hors_service", _("Hors service")


class PositionSource(models.TextChoices):
    FIELD_PAGE = "page_terrain", _("Page terrain")
    OWNTRACKS = "owntracks", _("OwnTracks")
    OSMAND = "osmand", _("OsmAnd / Traccar")
    SIMULATION = "simulation", _("Simulation")


# Assignment milestones, in the only order they may be written.
ASSIGNMENT_STEPS = ("engaged_at", "en_route_at", "on_scene_at", "finished_at")
ASSIGNMENT_STEP_LABELS = {
    "engaged_at": _("Engagé"), "en_route_at": _("En route"), "on_scene_at": _("Sur place"),
    "finished_at": _("Terminé"),
}
# The unit milestone that each assignment step puts the unit in.
STEP_MILESTONE = {
    "engaged_at": Milestone.ENGAGED, "en_route_at": Milestone.EN_ROUTE, "on_scene_at": Milestone.ON_SCENE,
    "finished_at": Milestone.AVAILABLE,
}
