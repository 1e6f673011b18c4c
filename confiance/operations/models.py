"""Police municipale operations: main courante, interventions, units, assignments, road graph."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.operations.choices import (
    ClosureReason,
    EntrySource,
    InterventionOrigin,
    InterventionStatus,
    Milestone,
    PersonRole,
    PositionSource,
    Priority,
    Purpose,
)
from confiance.territory.models import Commune

TEXT_MAX_LENGTH = 4000


class Nature(models.Model):
    """What a main courante entry is about; each commune keeps its own list."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="logbook_natures")
    code = models.SlugField(_("code"), max_length=64)
    label = models.CharField(_("libellé"), max_length=200)
    purpose = models.CharField(_("finalité"), max_length=20, choices=Purpose.choices, default=Purpose.OTHER_MISSIONS)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("nature de main courante")
        verbose_name_plural = _("natures de main courante")
        ordering = ["commune__name", "position", "label"]
        constraints = [models.UniqueConstraint(fields=["commune", "code"], name="nature_code_unique")]

    def __str__(self) -> str:
        return self.label


class InterventionType(models.Model):
    """A kind of intervention with its default priority and its checklist."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="intervention_types")
    code = models.SlugField(_("code"), max_length=64)
    label = models.CharField(_("libellé"), max_length=200)
    priority = models.PositiveSmallIntegerField(_("priorité par défaut"), choices=Priority.choices,
                                                default=Priority.NORMAL)
    purpose = models.CharField(_("finalité"), max_length=20, choices=Purpose.choices, default=Purpose.OTHER_MISSIONS)
    active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("type d'intervention")
        verbose_name_plural = _("types d'intervention")
        ordering = ["commune__name", "label"]
        constraints = [models.UniqueConstraint(fields=["commune", "code"], name="intervention_type_code_unique")]

    def __str__(self) -> str:
        return self.label


class ChecklistStep(models.Model):
    intervention_type = models.ForeignKey(InterventionType, verbose_name=_("type d'intervention"),
                                          on_delete=models.CASCADE, related_name="steps")
    label = models.CharField(_("étape"), max_length=200)
    mandatory = models.BooleanField(_("obligatoire"), default=False)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("étape de la liste")
        verbose_name_plural = _("étapes de la liste")
        ordering = ["intervention_type", "position", "id"]

    def __str__(self) -> str:
        return self.label


class Intervention(models.Model):
    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT,
                                related_name="interventions")
    number = models.CharField(_("numéro"), max_length=32)
    intervention_type = models.ForeignKey(InterventionType, verbose_name=_("type"), on_delete=models.PROTECT,
                                          related_name="interventions")
    purpose = models.CharField(_("finalité"), max_length=20, choices=Purpose.choices)
    origin = models.CharField(_("origine"), max_length=20, choices=InterventionOrigin.choices)
    priority = models.PositiveSmallIntegerField(_("priorité"), choices=Priority.choices)
    status = models.CharField(_("état"), max_length=10, choices=InterventionStatus.choices,
                              default=InterventionStatus.OPEN)
    closure_reason = models.CharField(_("motif de clôture"), max_length=20, choices=ClosureReason.choices,
                                      blank=True)
    closure_note = models.TextField(_("note de clôture"), blank=True)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    # The caller: shown only to those who handle the intervention, each showing access-logged (payloads.py).
    caller_name = models.CharField(_("nom du requérant"), max_length=120, blank=True)
    caller_phone = models.CharField(_("téléphone du requérant"), max_length=40, blank=True)
    report_ids = models.JSONField(_("signalements liés"), default=list, blank=True)
    alarm_ref = models.CharField(_("alarme liée"), max_length=100, blank=True)
    log_entry = models.ForeignKey("LogEntry", verbose_name=_("entrée de main courante"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("créée par"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("mise à jour le"), default=timezone.now)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["commune", "number"], name="intervention_number_unique")]
        indexes = [models.Index(fields=["commune", "status", "created_at"], name="intervention_open"),
                   # Rights requests (operations/persons.py): a caller found by name or phone.
                   models.Index(Lower("caller_name"), name="intervention_caller_lower"),
                   models.Index(fields=["caller_phone"], name="intervention_caller_phone")]

    def __str__(self) -> str:
        return self.number


class InterventionStep(models.Model):
    """A checklist step of one intervention: done or skipped (skipping a mandatory one is reported)."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(ChecklistStep, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("étape"), max_length=200)
    mandatory = models.BooleanField(_("obligatoire"), default=False)
    done_at = models.DateTimeField(_("faite le"), null=True, blank=True)
    skipped = models.BooleanField(_("sautée"), default=False)
    skipped_at = models.DateTimeField(_("sautée le"), null=True, blank=True)
    skip_reason = models.CharField(_("raison"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["intervention", "id"]
        constraints = [models.UniqueConstraint(fields=["intervention", "step"], name="intervention_step_unique")]

    def __str__(self) -> str:
        return self.label


class LogEntry(models.Model):
    """One line of the main courante. Editable by its author during a grace period; corrected by new entries after."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT,
                                related_name="log_entries")
    number = models.CharField(_("numéro"), max_length=32)
    occurred_at = models.DateTimeField(_("heure des faits"))
    source = models.CharField(_("source"), max_length=20, choices=EntrySource.choices)
    nature = models.ForeignKey(Nature, verbose_name=_("nature"), on_delete=models.PROTECT, related_name="entries")
    purpose = models.CharField(_("finalité"), max_length=20, choices=Purpose.choices)
    address = models.CharField(_("lieu"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    text = models.TextField(_("texte"))
    corrects = models.ForeignKey("self", verbose_name=_("corrige"), null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="corrections")
    intervention = models.ForeignKey(Intervention, verbose_name=_("intervention"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="log_entries")
    report_id = models.BigIntegerField(_("signalement lié"), null=True, blank=True)
    sensitive_acknowledged = models.JSONField(_("alertes de données sensibles acceptées"), default=list, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("auteur"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("saisie le"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)

    class Meta:
        verbose_name = _("entrée de main courante")
        verbose_name_plural = _("main courante")
        ordering = ["-occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["commune", "number"], name="log_entry_number_unique")]
        indexes = [models.Index(fields=["commune", "occurred_at"], name="log_entry_commune_time")]

    def __str__(self) -> str:
        return self.number


class LogPerson(models.Model):
    """A person concerned by an entry, with only the fields the legal framework allows."""

    entry = models.ForeignKey(LogEntry, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(_("qualité"), max_length=20, choices=PersonRole.choices)
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("personne concernée")
        verbose_name_plural = _("personnes concernées")
        ordering = ["entry", "id"]
        # Rights requests (operations/persons.py): a person found by name or phone in the main courante.
        indexes = [models.Index(Lower("last_name"), name="log_person_last_name_lower"),
                   models.Index(fields=["phone"], name="log_person_phone")]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()


class UnitStatus(models.Model):
    """A commune's own status code (e.g. "5 - sur place"), each meaning one fixed milestone."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="unit_statuses")
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("libellé"), max_length=100)
    milestone = models.CharField(_("jalon"), max_length=20, choices=Milestone.choices)
    color = models.CharField(_("couleur"), max_length=7, default="#1f5fa8")
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("statut d'unité")
        verbose_name_plural = _("statuts d'unité")
        ordering = ["commune__name", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["commune", "code"], name="unit_status_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} - {self.label}"


class Unit(models.Model):
    """A crew (patrouille) of one commune, with its status and last known position."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("indicatif"), max_length=60)
    agents = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("équipage"), blank=True,
                                    related_name="units")
    status = models.ForeignKey(UnitStatus, verbose_name=_("statut"), on_delete=models.PROTECT, related_name="+")
    milestone = models.CharField(_("jalon"), max_length=20, choices=Milestone.choices, db_index=True)
    status_at = models.DateTimeField(_("statut depuis"), default=timezone.now)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    position_at = models.DateTimeField(_("position du"), null=True, blank=True)
    tracker_id = models.CharField(_("identifiant du traceur"), max_length=100, blank=True,
                                  help_text=_("Identifiant envoyé par OwnTracks ou OsmAnd/Traccar."))
    tracker_key_hash = models.CharField(max_length=64, blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unité")
        verbose_name_plural = _("unités")
        ordering = ["commune__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="unit_name_unique"),
            models.UniqueConstraint(fields=["tracker_id"], condition=~Q(tracker_id=""), name="unit_tracker_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class UnitPosition(models.Model):
    """Position history (kept briefly: see retention.py)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="positions")
    lat = models.FloatField()
    lon = models.FloatField()
    accuracy_m = models.FloatField(null=True, blank=True)
    speed_kmh = models.FloatField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=PositionSource.choices)

    class Meta:
        indexes = [models.Index(fields=["unit", "recorded_at"], name="unit_position_time"),
                   models.Index(fields=["received_at"], name="unit_position_received")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.recorded_at:%Y-%m-%d %H:%M:%S}"


class RejectedPosition(models.Model):
    """Counters of refused positions, per unit (or unknown tracker) and reason."""

    tracker = models.CharField(max_length=100)
    reason = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tracker", "reason"], name="rejected_position_unique")]

    def __str__(self) -> str:
        return f"{self.tracker}: {self.reason} x{self.count}"


class Assignment(models.Model):
    """A unit engaged on an intervention; its milestones are written once and in order."""

    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    engaged_at = models.DateTimeField(_("engagée le"))
    en_route_at = models.DateTimeField(_("en route le"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("sur place le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    engaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    override_reason = models.CharField(_("motif de réaffectation"), max_length=300, blank=True)
    ended_by_override = models.BooleanField(default=False)
    recommended_rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["-engaged_at", "-id"]
        constraints = [
            # One current engagement per unit: the database settles two operators engaging it at once.
            models.UniqueConstraint(fields=["unit"], condition=Q(finished_at__isnull=True),
                                    name="assignment_one_current_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} -> {self.intervention_id}"


class RoadNode(models.Model):
    osm_id = models.BigIntegerField(unique=True)
    lat = models.FloatField()
    lon = models.FloatField()

    def __str__(self) -> str:
        return str(self.osm_id)


class RoadEdge(models.Model):
    """A directed road segment with its travel time."""

    source = models.ForeignKey(RoadNode, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(RoadNode, on_delete=models.CASCADE, related_name="+")
    length_m = models.FloatField()
    seconds = models.FloatField()
    highway = models.CharField(max_length=40)

    def __str__(self) -> str:
        return f"{self.source_id} -> {self.target_id}"


class RoadImport(models.Model):
    """One import of a road network; the graph cache reloads when the latest one changes."""

    revision_time_field = "imported_at"  # the revision time core.revisions reads

    file_name = models.CharField(max_length=300)
    nodes = models.PositiveIntegerField()
    edges = models.PositiveIntegerField()
    imported_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.file_name


class Counter(models.Model):
    """Per-commune, per-year sequences for entry and intervention numbers."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "kind", "year"], name="operations_counter_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.value}"


class PoolingAgreement(models.Model):
    """A convention de mise en commun of police municipale units between communes (code de la sécurité
    intérieure, L512-1): while it is in force, each commune's dispatchers may engage the others' units."""

    reference = models.CharField(_("référence"), max_length=60,
                                 help_text=_("Numéro ou référence de la convention (délibérations, arrêté)."))
    title = models.CharField(_("intitulé"), max_length=200)
    communes = models.ManyToManyField(Commune, verbose_name=_("communes"), related_name="pooling_agreements")
    starts_on = models.DateField(_("en vigueur du"))
    ends_on = models.DateField(_("jusqu'au"), null=True, blank=True, help_text=_("Vide : sans date de fin."))
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    class Meta:
        verbose_name = _("convention de mise en commun")
        verbose_name_plural = _("conventions de mise en commun")
        ordering = ["-starts_on", "reference"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                                              name="pooling_agreement_dates_ordered")]

    def __str__(self) -> str:
        return f"{self.reference} - {self.title}"


class DayVisa(models.Model):
    """The chef de poste's sign-off of one commune's main courante for one day: the day is locked after it."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT,
                                related_name="logbook_visas")
    day = models.DateField(_("jour"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visée par"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(_("visée le"), default=timezone.now)

    class Meta:
        verbose_name = _("visa de main courante")
        verbose_name_plural = _("visas de main courante")
        ordering = ["-day", "commune__name"]
        constraints = [models.UniqueConstraint(fields=["commune", "day"], name="day_visa_unique")]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.day:%Y-%m-%d}"


# --- Field page: unit messages and Web Push (issue 15) ---------------------------------------------------------


class UnitMessage(models.Model):
    """A message from the post (dispatcher, chef de poste) to a unit's crew; acknowledged once by a crew member."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unité"), on_delete=models.CASCADE, related_name="messages")
    text = models.CharField(_("message"), max_length=500)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("envoyé par"), null=True,
                                on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lu par"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(_("lu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("message à une unité")
        verbose_name_plural = _("messages aux unités")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["unit", "sent_at"], name="unit_message_unit_time")]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.text[:40]}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription for one agent (the field page when it is closed)."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.CASCADE,
                              related_name="push_subscriptions")
    endpoint = models.URLField(_("adresse du service de notification"), max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    # The signed-in session that subscribed: signing out of it forgets the subscription (a shared phone handed to
    # the next crew no longer rings for the agent who left). Empty for a token client, which unsubscribes itself.
    session_key = models.CharField(_("session"), max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("abonnement aux notifications")
        verbose_name_plural = _("abonnements aux notifications")

    def __str__(self) -> str:
        return f"{self.agent_id}: {self.endpoint[:60]}"


class PushDelivery(models.Model):
    """One notification to send to one subscription; senders claim rows (pending -> sending) before sending."""

    subscription = models.ForeignKey(PushSubscription, on_delete=models.CASCADE, related_name="deliveries")
    payload = models.JSONField()
    status = models.CharField(max_length=10, default="pending", db_index=True)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification à envoyer")
        verbose_name_plural = _("notifications à envoyer")

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.status}"


class Shift(models.Model):
    """One agent in one unit's crew for one day, with the hours of the shift."""

    unit = models.ForeignKey(Unit, verbose_name=_("unité"), on_delete=models.CASCADE, related_name="shifts")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT,
                              related_name="shifts")
    day = models.DateField(_("jour"), db_index=True)
    starts_at = models.TimeField(_("début de vacation"))
    ends_at = models.TimeField(_("fin de vacation"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("composé par"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(_("composé le"), default=timezone.now)

    class Meta:
        verbose_name = _("vacation")
        verbose_name_plural = _("vacations")
        ordering = ["day", "unit__name", "agent__last_name"]
        constraints = [models.UniqueConstraint(fields=["agent", "day"], name="shift_one_unit_per_agent_and_day")]

    def __str__(self) -> str:
        return f"{self.agent} — {self.unit} — {self.day:%d/%m/%Y}"
