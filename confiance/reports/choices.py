from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    """Internal states of a report; Open311 sees only open or closed (plus the detailed code)."""

    NEW = "nouveau", _("Nouveau")
    TO_PROCESS = "a_traiter", _("À traiter")
    SCHEDULED = "programme", _("Programmé")
    IN_PROGRESS = "en_cours", _("En cours")
    TRANSFERRED = "transfere", _("Transféré")
    DONE = "service_fait", _("Service fait")
    REJECTED = "rejete", _("Rejeté")
    DUPLICATE = "doublon", _("Doublon")
    CLOSED = "clos", _("Clos")


CLOSED_STATUSES = frozenset({ReportStatus.DONE, ReportStatus.REJECTED, ReportStatus.DUPLICATE, ReportStatus.CLOSED})
OPEN_STATUSES = frozenset(set(ReportStatus) - CLOSED_STATUSES)

# Allowed moves between states. A closed report goes back to "à traiter" when reopened.
TRANSITIONS: dict[str, frozenset[str]] = {
    ReportStatus.NEW: frozenset(set(ReportStatus) - {ReportStatus.NEW}),
    ReportStatus.TO_PROCESS: frozenset(set(ReportStatus) - {ReportStatus.NEW, ReportStatus.TO_PROCESS}),
    ReportStatus.SCHEDULED: frozenset(set(ReportStatus) - {ReportStatus.NEW, ReportStatus.SCHEDULED}),
    ReportStatus.IN_PROGRESS: frozenset(set(ReportStatus) - {ReportStatus.NEW, ReportStatus.IN_PROGRESS}),
    ReportStatus.TRANSFERRED: frozenset(set(ReportStatus) - {ReportStatus.NEW, ReportStatus.TRANSFERRED}),
    ReportStatus.DONE: frozenset({ReportStatus.CLOSED, ReportStatus.TO_PROCESS}),
    ReportStatus.REJECTED: frozenset({ReportStatus.CLOSED, ReportStatus.TO_PROCESS}),
    ReportStatus.DUPLICATE: frozenset({ReportStatus.TO_PROCESS}),
    ReportStatus.CLOSED: frozenset({ReportStatus.TO_PROCESS}),
}


class DestinationKind(models.TextChoices):
    MUNICIPAL_SERVICE = "service", _("Service municipal")
    POLICE = "police", _("Police municipale")
    EXTERNAL = "external", _("Organisme extérieur")


class DispatchStatus(models.TextChoices):
    """Sending of a report to one destination."""

    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyé")
    DELIVERED = "delivered", _("Reçu dans Confiance")
    FAILED = "failed", _("Échec d'envoi")


class AttributeDatatype(models.TextChoices):
    """The six Open311 datatypes of an extra question."""

    STRING = "string", _("Texte court")
    NUMBER = "number", _("Nombre")
    DATETIME = "datetime", _("Date et heure")
    TEXT = "text", _("Texte long")
    SINGLE = "singlevaluelist", _("Choix unique")
    MULTI = "multivaluelist", _("Choix multiple")


class UpdateKind(models.TextChoices):
    """Entries of a report's append-only history."""

    CREATED = "created", _("Création")
    STATUS = "status", _("Changement d'état")
    NOTE = "note", _("Note interne")
    PUBLIC = "public", _("Message public")
    ASSIGNMENT = "assignment", _("Attribution")
    REQUALIFY = "requalify", _("Requalification")
    DUPLICATE = "duplicate", _("Doublon")
    MODERATION = "moderation", _("Modération")
    COMMENT = "comment", _("Commentaire du déclarant")
    FEEDBACK = "feedback", _("Avis du déclarant")
    REOPEN_REQUEST = "reopen_request", _("Demande de réouverture")
    OVERDUE = "overdue", _("Délai dépassé")


class ReportSource(models.TextChoices):
    WEB = "web", _("Site citoyen")
    OPEN311 = "open311", _("Application Open311")
    AGENT = "agent", _("Saisi par un agent")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")
