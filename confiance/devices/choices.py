"""Closed lists of hypervision: device kinds, measured quantities and their units, rule kinds, alarm states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    WATER_LEVEL = "water_level", _("Niveau d'eau")
    AIR_QUALITY = "air_quality", _("Qualité de l'air")
    NOISE = "noise", _("Bruit")
    RAIN = "rain", _("Pluviomètre")
    TEMPERATURE = "temperature", _("Température")
    WEATHER = "weather", _("Station météo")
    SMOKE = "smoke", _("Détecteur de fumée")
    INTRUSION = "intrusion", _("Contact d'intrusion")
    CAMERA = "camera", _("Caméra de vidéoprotection")
    OTHER = "other", _("Autre capteur")


class Quantity(models.TextChoices):
    """What a sensor measures; the unit of each is fixed (QUANTITY_UNITS) so values compare across devices."""

    WATER_LEVEL = "water_level", _("Hauteur d'eau")
    FLOW = "flow", _("Débit")
    PM10 = "pm10", _("Particules PM10")
    PM25 = "pm25", _("Particules PM2,5")
    NO2 = "no2", _("Dioxyde d'azote")
    O3 = "o3", _("Ozone")
    NOISE_LAEQ = "noise_laeq", _("Niveau sonore (LAeq)")
    RAINFALL = "rainfall", _("Pluie")
    TEMPERATURE = "temperature", _("Température")
    HUMIDITY = "humidity", _("Humidité relative")
    WIND_SPEED = "wind_speed", _("Vent")
    SMOKE = "smoke", _("Fumée détectée")
    CONTACT_OPEN = "contact_open", _("Contact ouvert")
    BATTERY = "battery", _("Batterie")
    SIGNAL = "signal", _("Signal radio")


# The unit every value of a quantity is stored in (UCUM-like text shown to users; SenML unit in brackets).
QUANTITY_UNITS: dict[str, str] = {
    Quantity.WATER_LEVEL: "m",
    Quantity.FLOW: "m³/s",
    Quantity.PM10: "µg/m³",
    Quantity.PM25: "µg/m³",
    Quantity.NO2: "µg/m³",
    Quantity.O3: "µg/m³",
    Quantity.NOISE_LAEQ: "dB(A)",
    Quantity.RAINFALL: "mm",
    Quantity.TEMPERATURE: "°C",
    Quantity.HUMIDITY: "%",
    Quantity.WIND_SPEED: "m/s",
    Quantity.SMOKE: "",
    Quantity.CONTACT_OPEN: "",
    Quantity.BATTERY: "%",
    Quantity.SIGNAL: "dBm",
}


class MeasurementSource(models.TextChoices):
    MQTT = "mqtt", _("MQTT")
    HTTP = "http", _("HTTP (passerelle)")
    NGSILD = "ngsild", _("NGSI-LD")
    SIMULATION = "simulation", _("Simulateur")


class Resolution(models.TextChoices):
    MINUTE = "minute", _("minute")
    HOUR = "hour", _("heure")


class DeviceState(models.TextChoices):
    """What the console colours a sensor by."""

    UNKNOWN = "unknown", _("Jamais vu")
    OK = "ok", _("Normal")
    ALARM = "alarm", _("En alarme")
    OFFLINE = "offline", _("Silencieux")
    DISABLED = "disabled", _("Désactivé")


class DeadLetterReason(models.TextChoices):
    MALFORMED = "malformed", _("Message illisible (JSON invalide)")
    WRONG_TYPE = "wrong_type", _("Type de valeur inattendu")
    UNKNOWN_DEVICE = "unknown_device", _("Capteur inconnu")
    UNKNOWN_QUANTITY = "unknown_quantity", _("Grandeur inconnue pour ce capteur")
    FUTURE_TIME = "future_time", _("Horodatage dans le futur")
    TIME_INVALID = "time_invalid", _("Horodatage invalide")
    OVERSIZE = "oversize", _("Message trop volumineux")
    SCHEMA_INVALID = "schema_invalid", _("Non conforme au modèle de données")
    FORBIDDEN = "forbidden", _("Capteur d'une autre commune")
    DISABLED = "disabled", _("Capteur désactivé")


class RuleKind(models.TextChoices):
    THRESHOLD = "threshold", _("Seuil")
    RATE = "rate", _("Vitesse de variation")
    SILENCE = "silence", _("Silence (capteur muet)")
    COMBINATION = "combination", _("Combinaison de capteurs d'une zone")


class Comparison(models.TextChoices):
    ABOVE = "above", _("au-dessus de")
    BELOW = "below", _("en dessous de")


class Combination(models.TextChoices):
    ANY = "any", _("au moins un capteur")
    ALL = "all", _("tous les capteurs")


class Severity(models.IntegerChoices):
    INFO = 1, _("Information")
    WARNING = 2, _("Vigilance")
    MAJOR = 3, _("Alerte")
    CRITICAL = 4, _("Alerte grave")


class AlarmState(models.TextChoices):
    RAISED = "raised", _("Levée")
    ACKNOWLEDGED = "acknowledged", _("Prise en compte")
    RESOLVED = "resolved", _("Résolue")


class AlarmStepKind(models.TextChoices):
    RAISED = "raised", _("Levée")
    ACKNOWLEDGED = "acknowledged", _("Prise en compte")
    ESCALATED = "escalated", _("Escaladée aux chefs de poste")
    INTERVENTION = "intervention", _("Intervention ouverte")
    CLEARED = "cleared", _("Condition disparue")
    RESOLVED = "resolved", _("Résolue")


class SecurityEventKind(models.TextChoices):
    MASS_SILENCE = "mass_silence", _("Nombreux capteurs muets en même temps")
    UNKNOWN_DEVICE = "unknown_device", _("Messages d'un identifiant inconnu")
    FAILED_CREDENTIALS = "failed_credentials", _("Échec d'authentification d'une passerelle")
    FLOODING = "flooding", _("Capteur qui inonde")
    CLOCK_SKEW = "clock_skew", _("Horloge très décalée")
    DEFAULT_CREDENTIALS = "default_credentials", _("Identifiants par défaut")
    FIRMWARE_OUTDATED = "firmware_outdated", _("Micrologiciel non à jour")


# --- Video-protection (CSI L.251-1 and following) -------------------------------------------------------------------


class CameraPurpose(models.TextChoices):
    """The closed list of purposes of CSI L.251-2: a camera on public space exists only for these."""

    PUBLIC_BUILDINGS = "public_buildings", _("Protection des bâtiments et installations publics et de leurs abords")
    DEFENCE = "defence", _("Sauvegarde des installations utiles à la défense nationale")
    TRAFFIC_REGULATION = "traffic_regulation", _("Régulation des flux de transport")
    TRAFFIC_OFFENCES = "traffic_offences", _("Constatation des infractions aux règles de la circulation")
    PERSONS_PROPERTY = "persons_property", _(
        "Prévention des atteintes à la sécurité des personnes et des biens dans des lieux exposés")
    TERRORISM = "terrorism", _("Prévention d'actes de terrorisme")
    NATURAL_RISKS = "natural_risks", _("Prévention des risques naturels ou technologiques")
    RESCUE = "rescue", _("Secours aux personnes et défense contre l'incendie")
    AMUSEMENT = "amusement", _("Sécurité des installations accueillant du public dans les parcs d'attraction")
    ILLEGAL_DUMPING = "illegal_dumping", _("Prévention et constatation des dépôts sauvages")


class CameraType(models.TextChoices):
    """How the camera is mounted and moves (the Smart Data Models `cameraType` vocabulary)."""

    FIXED = "FIXED", _("Fixe")
    PTZ = "PTZ", _("Mobile (tourelle motorisée)")
    DOME = "DOME", _("Dôme")
    BULLET = "BULLET", _("Tube")


class OnvifProfile(models.TextChoices):
    S = "S", _("ONVIF profil S (flux vidéo)")
    G = "G", _("ONVIF profil G (enregistrement)")
    T = "T", _("ONVIF profil T (flux H.265, événements)")
    M = "M", _("ONVIF profil M (métadonnées, analyse)")


class AuthorisationState(models.TextChoices):
    """Where a camera's prefectoral authorisation stands today."""

    VALID = "valid", _("Autorisation en cours")
    EXPIRING = "expiring", _("Autorisation à renouveler (moins de 3 mois)")
    EXPIRED = "expired", _("Autorisation expirée")


class ExtractionStatus(models.TextChoices):
    PENDING = "pending", _("Demande en cours")
    DELIVERED = "delivered", _("Images remises")


class VideoEventType(models.TextChoices):
    """The 8 event types algorithmic video analysis may report (loi 2023-380 art. 10, décret 2023-828): a closed
    list; whatever a detector says is mapped to one of them per camera, or dropped."""

    ABANDONED_OBJECT = "abandoned_object", _("Objet abandonné")
    WEAPON = "weapon", _("Présence ou usage d'une arme")
    WRONG_DIRECTION = "wrong_direction", _("Personne ou véhicule à contresens")
    FORBIDDEN_ZONE = "forbidden_zone", _("Présence ou franchissement d'une zone interdite ou sensible")
    PERSON_ON_GROUND = "person_on_ground", _("Personne au sol après une chute")
    CROWD_MOVEMENT = "crowd_movement", _("Mouvement de foule")
    EXCESSIVE_DENSITY = "excessive_density", _("Densité trop importante de personnes")
    FIRE_START = "fire_start", _("Départ de feu")


# Labels of detectors that recognise a person or a vehicle: never mapped to an event type, never stored (LEGAL.md).
IDENTITY_LABELS = frozenset({"face", "faces", "license_plate", "licence_plate", "plate", "lpr", "anpr", "alpr",
                             "person_name", "identity", "recognized_face", "recognized_license_plate"})


class DetectionSource(models.TextChoices):
    FRIGATE = "frigate", _("Frigate (MQTT)")
    WEBHOOK = "webhook", _("Webhook")
    SIMULATION = "simulation", _("Simulateur")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("À examiner")
    CONFIRMED = "confirmed", _("Confirmée")
    DISMISSED = "dismissed", _("Écartée (fausse alerte)")


class VideoDropReason(models.TextChoices):
    """Why a video-analytics event was not stored; counted per camera and reason, the event itself is not kept."""

    UNMAPPED = "unmapped", _("Étiquette ou zone sans type d'événement légal")
    NO_BASIS = "no_basis", _("Aucun cadre légal enregistré pour cette caméra")
    BASIS_ENDED = "basis_ended", _("Cadre légal expiré")
    UNKNOWN_CAMERA = "unknown_camera", _("Caméra inconnue")
    MALFORMED = "malformed", _("Message illisible")
    NOT_CAMERA = "not_camera", _("Équipement qui n'est pas une caméra")
