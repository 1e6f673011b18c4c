"""Choices of the prevention app."""


from django.db import models
from django.utils.translation import gettext_lazy as _


class Residence(models.TextChoices):
    MAIN = "principale", _("Résidence principale")
    SECONDARY = "secondaire", _("Résidence secondaire")


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "annulee", _("Annulée par l'habitant")


class PassageOutcome(models.TextChoices):
    NOTHING_TO_REPORT = "ras", _("RAS (rien à signaler)")
    ANOMALY = "anomalie", _("Anomalie constatée")

# --- end of Opération Tranquillité Vacances --------------------------------------------------


class ProtocolForce(models.TextChoices):
    """Who signs the protocol beside the mayor and the prefect: the gendarmerie or the police nationale."""

    GENDARMERIE = "gendarmerie", _("Gendarmerie nationale")
    POLICE = "police_nationale", _("Police nationale")


class ObservationKind(models.TextChoices):
    """What was observed: facts, never a person (LEGAL.md, "Participation citoyenne")."""

    VEHICLE_PROWLING = "vehicule_reperage", _("Véhicule qui semble faire des repérages")
    DOOR_TAMPERING = "effraction", _("Porte, fenêtre ou serrure forcée")
    BURGLARY_ALARM = "alarme", _("Alarme qui sonne dans une habitation")
    VANDALISM = "degradation", _("Dégradation, tag")
    RODEO = "rodeo", _("Rodéo motorisé")
    NOISE = "tapage", _("Tapage, nuisance sonore")
    CANVASSING = "demarchage", _("Démarchage ou faux agents à domicile")
    ABANDONED_VEHICLE = "vehicule_abandonne", _("Véhicule abandonné ou en stationnement prolongé")
    FIRE = "feu", _("Feu, départ de feu")
    DUMPING = "depot", _("Dépôt sauvage")
    LIGHTING = "eclairage", _("Éclairage public en panne")
    OTHER = "autre", _("Autre fait")


class VehicleType(models.TextChoices):
    NONE = "", _("Aucun véhicule")
    CAR = "voiture", _("Voiture")
    VAN = "utilitaire", _("Camionnette, utilitaire")
    TRUCK = "camion", _("Camion")
    MOTORBIKE = "moto", _("Moto")
    SCOOTER = "scooter", _("Scooter")
    QUAD = "quad", _("Quad")
    BICYCLE = "velo", _("Vélo, trottinette")
    OTHER = "autre", _("Autre véhicule")


class VehicleColour(models.TextChoices):
    UNKNOWN = "", _("Couleur inconnue")
    WHITE = "blanc", _("Blanc")
    BLACK = "noir", _("Noir")
    GREY = "gris", _("Gris, argent")
    BLUE = "bleu", _("Bleu")
    RED = "rouge", _("Rouge")
    GREEN = "vert", _("Vert")
    YELLOW = "jaune", _("Jaune, orange")
    BROWN = "marron", _("Marron, beige")
    OTHER = "autre", _("Autre couleur")


class Direction(models.TextChoices):
    UNKNOWN = "", _("Direction inconnue")
    STOPPED = "arret", _("À l'arrêt")
    NORTH = "nord", _("Vers le nord")
    EAST = "est", _("Vers l'est")
    SOUTH = "sud", _("Vers le sud")
    WEST = "ouest", _("Vers l'ouest")
    CENTRE = "centre", _("Vers le centre-ville")
    OUT_OF_TOWN = "sortie", _("Vers la sortie de la commune")


class ObservationStatus(models.TextChoices):
    """Where the police municipale is with an observation, as the referent sees it."""

    RECEIVED = "recue", _("Reçue")
    ACKNOWLEDGED = "prise_en_compte", _("Prise en compte")
    INTERVENTION = "intervention", _("Une patrouille est engagée")
    CLOSED = "close", _("Traitée")


# --- Réserve communale ---------------------------------------------------------------------------


class ReserveSkill(models.TextChoices):
    FIRST_AID = "secourisme", _("Secourisme (PSC1 ou plus)")
    LOGISTICS = "logistique", _("Logistique, manutention")
    RECEPTION = "accueil", _("Accueil, réconfort des sinistrés")
    DRIVING = "conduite", _("Conduite (permis B)")
    HEAVY_DRIVING = "poids_lourd", _("Conduite poids lourd")
    RADIO = "radio", _("Transmissions radio")
    LANGUAGES = "langues", _("Langues étrangères")
    CHAINSAW = "tronconneuse", _("Tronçonneuse, débroussaillage")
    CARE = "aide_personne", _("Aide aux personnes vulnérables")
    IT = "informatique", _("Informatique, secrétariat")


class ReserveAvailability(models.TextChoices):
    WEEKDAY = "semaine", _("En semaine, en journée")
    EVENING = "soir", _("En soirée")
    WEEKEND = "week_end", _("Le week-end")
    NIGHT = "nuit", _("La nuit")


class MobilisationAnswerKind(models.TextChoices):
    AVAILABLE = "disponible", _("Disponible")
    UNAVAILABLE = "indisponible", _("Indisponible")
