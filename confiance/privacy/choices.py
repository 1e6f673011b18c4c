from django.db import models
from django.utils.translation import gettext_lazy as _

# The permission to read the journal; accounts' Permission.AUDIT_VIEW takes its value from here, so privacy
# needs nothing from accounts (accounts and territory journal their writes through privacy).
AUDIT_VIEW_PERMISSION = "privacy.audit_view"


class JournalKind(models.TextChoices):
    """Whether an entry records a change or a consultation."""

    WRITE = "write", _("Modification")
    ACCESS = "access", _("Consultation")


# Journal actions in words (the journal stores codes); an action not listed reads as its kind. Used by the agent
# home's DPO block and the journal's admin list.
ACTION_LABELS = {
    "access.read": _("Consultation d'une fiche"),
    "accounts.agent_create": _("Création d'un compte"),
    "accounts.enrolment_link_issue": _("Lien d'enrôlement émis"),
    "accounts.enrolment_link_redeem": _("Lien d'enrôlement utilisé"),
    "accounts.lockout": _("Compte verrouillé"),
    "accounts.membership_grant": _("Rôle attribué"),
    "accounts.token_create": _("Jeton d'accès créé"),
    "accounts.token_revoke": _("Jeton d'accès révoqué"),
    "accounts.totp_enrol": _("Double authentification activée"),
    "admin.add": _("Ajout dans l'administration"),
    "admin.change": _("Modification dans l'administration"),
    "admin.delete": _("Suppression dans l'administration"),
    "analytics.dataset_delete": _("Jeu de données supprimé"),
    "analytics.dataset_import": _("Jeu de données importé"),
    "analytics.events_export": _("Export d'événements"),
    "analytics.run_start": _("Analyse lancée"),
    "devices.alarm_acknowledge": _("Alarme prise en compte"),
    "devices.alarm_open_intervention": _("Intervention ouverte sur alarme"),
    "devices.alarm_resolve": _("Alarme résolue"),
    "devices.import": _("Import de capteurs"),
    "devices.token_issue": _("Jeton de capteur émis"),
    "operations.crew_set": _("Équipage modifié"),
    "operations.engage": _("Unité engagée"),
    "operations.intervention_close": _("Intervention close"),
    "operations.intervention_create": _("Intervention créée"),
    "operations.log_entry_create": _("Entrée de main courante"),
    "operations.log_entry_edit": _("Entrée de main courante corrigée"),
    "operations.milestone": _("Jalon d'intervention"),
    "operations.roads_import": _("Réseau routier importé"),
    "operations.step_done": _("Étape réalisée"),
    "operations.step_skip": _("Étape passée"),
    "operations.tracker_set": _("Traceur configuré"),
    "operations.unit_status": _("Statut d'unité changé"),
    "privacy.retention_applied": _("Durée de conservation appliquée"),
    "reports.assign": _("Signalement orienté"),
    "reports.client_create": _("Application cliente créée"),
    "reports.deleted": _("Signalement supprimé"),
    "reports.duplicate": _("Doublon rattaché"),
    "reports.moderate": _("Signalement modéré"),
    "reports.requalify": _("Signalement requalifié"),
    "reports.respond": _("Réponse à un signalement"),
    "reports.submit": _("Signalement déposé"),
    "territory.crisis_end": _("Fin de partage de crise"),
    "territory.crisis_start": _("Partage de crise ouvert"),
    "territory.import": _("Import du territoire"),
    "territory.zone_create": _("Zone créée"),
    "territory.zone_delete": _("Zone supprimée"),
}


def action_label(action: str, kind: str) -> str:
    """A journal action in words; an action not listed reads as its kind ("Modification", "Consultation")."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    return str(JournalKind(kind).label) if kind in JournalKind.values else action


class CheckpointKind(models.TextChoices):
    RETENTION = "retention", _("entrées supprimées par la conservation")
    SEAL = "seal", _("scellement des entrées d'avant les clés")


class RetentionAction(models.TextChoices):
    """What the retention engine does to records past their maximum age."""

    DELETE = "delete", _("Suppression")
    ANONYMISE = "anonymise", _("Anonymisation")
    EXPORT_THEN_DELETE = "export_delete", _("Export pour archives puis suppression")


class RightsRequestKind(models.TextChoices):
    """The rights of articles 15 to 21 GDPR a person may exercise."""

    ACCESS = "access", _("Accès (art. 15)")
    RECTIFICATION = "rectification", _("Rectification (art. 16)")
    ERASURE = "erasure", _("Effacement (art. 17)")
    LIMITATION = "limitation", _("Limitation (art. 18)")
    OBJECTION = "objection", _("Opposition (art. 21)")


class RightsRequestStatus(models.TextChoices):
    OPEN = "open", _("En cours")
    ANSWERED = "answered", _("Répondue")
    REFUSED = "refused", _("Refusée")


class RightsStepKind(models.TextChoices):
    """What happened to a request (appended, never edited)."""

    RECEIVED = "received", _("Demande reçue")
    SEARCHED = "searched", _("Recherche dans les traitements")
    EXPORTED = "exported", _("Export produit")
    ERASED = "erased", _("Données effacées")
    ERASURE_REFUSED = "erasure_refused", _("Effacement refusé")
    EXTENDED = "extended", _("Délai prolongé")
    ANSWERED = "answered", _("Réponse envoyée")
    REFUSED = "refused", _("Demande refusée")


class BreachRisk(models.TextChoices):
    """Article 33-34 GDPR: no risk (register only), a risk (notify the CNIL), a high risk (inform the persons too)."""

    NONE = "none", _("Risque improbable : inscription au registre seulement")
    RISK = "risk", _("Risque : notification à la CNIL")
    HIGH = "high", _("Risque élevé : notification à la CNIL et information des personnes")


PRIVACY_MANAGE_PERMISSION = "privacy.manage"
SECURITY_VIEW_PERMISSION = "security.view"


class AccessMotive(models.TextChoices):
    """Motive codes of a consultation (access_log_record's motive_code); a read without one is flagged."""

    INTERVENTION = "intervention", _("Traitement d'une intervention")
    LOGBOOK = "logbook", _("Tenue de la main courante")
    JUDICIAL = "judicial", _("Réquisition judiciaire")
    RIGHTS_REQUEST = "rights_request", _("Demande d'exercice de droits")
    AUDIT = "audit", _("Contrôle du DPO")
    REPORT = "report", _("Traitement d'un signalement")
    PREVENTION = "prevention", _("Prévention (OTV, participation citoyenne)")
    CRISIS = "crisis", _("Gestion de crise")
    VIDEO = "video", _("Visionnage ou export de vidéoprotection")


ACCESS_MOTIVE_CODES = frozenset(AccessMotive.values)
