"""The audit journal: an append-only, hash-chained record of writes and of reads of personal data."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.privacy.choices import (
    BreachRisk,
    CheckpointKind,
    JournalKind,
    RightsRequestKind,
    RightsRequestStatus,
    RightsStepKind,
)

HISTORICAL_CHAIN = -1  # the single chain of the entries written before chains per commune
PLATFORM_CHAIN = 0  # entries of no commune


class AuditEntry(models.Model):
    """One journal entry, chained to the previous entry of its chain (its commune's) by the hash of its content."""

    chain = models.BigIntegerField(_("chaîne"), help_text=_(
        "La commune de l'entrée ; 0 : plateforme ; -1 : chaîne unique des entrées d'avant les chaînes par commune."))
    sequence = models.BigIntegerField(_("numéro dans la chaîne"))
    kind = models.CharField(_("nature"), max_length=10, choices=JournalKind.choices, default=JournalKind.WRITE)
    created_at = models.DateTimeField(_("horodatage"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auteur"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    actor_label = models.CharField(_("auteur (libellé)"), max_length=200)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("type d'objet"), max_length=80, blank=True)
    target_id = models.CharField(_("identifiant d'objet"), max_length=64, blank=True)
    commune_id = models.BigIntegerField(_("commune"), null=True, blank=True, db_index=True)
    motive = models.CharField(_("motif"), max_length=500, blank=True)
    extra = models.JSONField(_("détails"), default=dict, blank=True)
    previous_hash = models.CharField(_("empreinte précédente"), max_length=64)
    entry_hash = models.CharField(_("empreinte"), max_length=64)
    key_id = models.CharField(_("clé"), max_length=16, blank=True, default="", help_text=_(
        "La clé dont l'empreinte (HMAC-SHA256) est signée ; vide : entrée d'avant les clés, scellée (SHA-256)."))

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal d'audit")
        ordering = ["id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]
        constraints = [models.UniqueConstraint(fields=["chain", "sequence"], name="audit_chain_sequence_unique")]

    def __str__(self) -> str:
        return f"#{self.chain}.{self.sequence} {self.action} {self.target_type}:{self.target_id}"


class AuditCheckpoint(models.Model):
    """A point of a chain signed with the journal's key (ADR 0009).

    Retention: the last entry of a chain it removed; the first kept entry of that chain must chain to it.
    Seal: the head of a chain at the upgrade to keyed MACs; the unkeyed entries before it must lead to it.
    """

    chain = models.BigIntegerField(_("chaîne"))
    sequence = models.BigIntegerField(_("numéro dans la chaîne"))
    entry_hash = models.CharField(_("empreinte"), max_length=64)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    kind = models.CharField(_("nature"), max_length=10, choices=CheckpointKind.choices,
                            default=CheckpointKind.RETENTION)
    key_id = models.CharField(_("clé"), max_length=16, blank=True, default="")
    mac = models.CharField(_("signature"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("point de reprise du journal")
        verbose_name_plural = _("points de reprise du journal")
        ordering = ["chain", "-sequence"]

    def __str__(self) -> str:
        return f"#{self.chain}.{self.sequence}"


# --- Governance (issue 20): what the commune completes, and the DPO's registers --------------------------------


class CommunePrivacy(models.Model):
    """What only the commune knows for its register: the controller and the DPO's contact."""

    commune = models.OneToOneField("territory.Commune", verbose_name=_("commune"), on_delete=models.CASCADE,
                                   related_name="privacy_settings")
    controller = models.CharField(_("responsable de traitement"), max_length=200, blank=True,
                                  help_text=_("Par exemple : Commune de Mennecy, représentée par son maire."))
    controller_address = models.CharField(_("adresse du responsable"), max_length=300, blank=True)
    dpo_name = models.CharField(_("délégué à la protection des données"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("courriel du délégué"), blank=True)
    dpo_phone = models.CharField(_("téléphone du délégué"), max_length=30, blank=True)
    rights_address = models.CharField(_("adresse pour exercer ses droits"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("mis à jour le"), default=timezone.now)

    class Meta:
        verbose_name = _("registre : informations de la commune")
        verbose_name_plural = _("registres : informations des communes")

    def __str__(self) -> str:
        return str(self.controller or self.commune_id)


class CharterVersion(models.Model):
    """One adopted version of a commune's ethics charter; versions are appended, never edited."""

    commune = models.ForeignKey("territory.Commune", verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="charter_versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("texte de la charte"), max_length=20000)
    adopted_on = models.DateField(_("adoptée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("enregistrée par"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("version de la charte éthique")
        verbose_name_plural = _("versions de la charte éthique")
        ordering = ["commune", "-number"]
        constraints = [models.UniqueConstraint(fields=["commune", "number"], name="charter_version_unique")]

    def __str__(self) -> str:
        return f"{self.commune_id} v{self.number}"


class RightsRequest(models.Model):
    """A request of a person exercising a right (articles 15-21 GDPR), with its one-month clock."""

    commune = models.ForeignKey("territory.Commune", verbose_name=_("commune"), on_delete=models.PROTECT,
                                related_name="+")
    number = models.CharField(_("numéro"), max_length=32)
    kind = models.CharField(_("droit exercé"), max_length=20, choices=RightsRequestKind.choices)
    status = models.CharField(_("état"), max_length=10, choices=RightsRequestStatus.choices,
                              default=RightsRequestStatus.OPEN)
    requester_name = models.CharField(_("nom du demandeur"), max_length=200, blank=True)
    requester_email = models.EmailField(_("courriel du demandeur"), blank=True)
    requester_phone = models.CharField(_("téléphone du demandeur"), max_length=30, blank=True)
    details = models.TextField(_("objet de la demande"), max_length=4000, blank=True)
    received_at = models.DateTimeField(_("reçue le"), default=timezone.now)
    due_at = models.DateTimeField(_("réponse due le"))
    extension_reason = models.CharField(_("motif de prolongation"), max_length=500, blank=True)
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("enregistrée par"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("demande d'exercice de droits")
        verbose_name_plural = _("demandes d'exercice de droits")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["commune", "number"], name="rights_request_number")]

    def __str__(self) -> str:
        return self.number


class RightsRequestStep(models.Model):
    """One step of a request (search, export, erasure, refusal, extension, answer): appended, never edited."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("étape"), max_length=20, choices=RightsStepKind.choices)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    data = models.JSONField(_("détails"), default=dict, blank=True)
    at = models.DateTimeField(_("le"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    class Meta:
        verbose_name = _("étape d'une demande")
        verbose_name_plural = _("étapes des demandes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.kind}"


class Breach(models.Model):
    """A personal data breach (article 33 GDPR): the CNIL is notified within 72 hours of its discovery."""

    commune = models.ForeignKey("territory.Commune", verbose_name=_("commune"), on_delete=models.PROTECT,
                                related_name="+")
    number = models.CharField(_("numéro"), max_length=32)
    discovered_at = models.DateTimeField(_("découverte le"))
    occurred_at = models.DateTimeField(_("survenue le"), null=True, blank=True)
    description = models.TextField(_("nature de la violation"), max_length=4000)
    data_categories = models.CharField(_("catégories de données"), max_length=500, blank=True)
    persons_count = models.PositiveIntegerField(_("nombre approximatif de personnes"), null=True, blank=True)
    consequences = models.TextField(_("conséquences probables"), max_length=4000, blank=True)
    measures = models.TextField(_("mesures prises ou envisagées"), max_length=4000, blank=True)
    risk = models.CharField(_("décision"), max_length=10, choices=BreachRisk.choices, blank=True)
    decision_reason = models.TextField(_("justification de la décision"), max_length=4000, blank=True)
    notified_at = models.DateTimeField(_("notifiée à la CNIL le"), null=True, blank=True)
    notification_text = models.TextField(_("texte de la notification"), max_length=8000, blank=True)
    persons_informed_at = models.DateTimeField(_("personnes informées le"), null=True, blank=True)
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("enregistrée par"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("violation de données")
        verbose_name_plural = _("registre des violations de données")
        ordering = ["-discovered_at"]
        constraints = [models.UniqueConstraint(fields=["commune", "number"], name="breach_number")]

    def __str__(self) -> str:
        return self.number


class RetentionRun(models.Model):
    """One run of the retention engine (command or schedule): when, and what each rule did."""

    started_at = models.DateTimeField(_("lancée le"), default=timezone.now)
    finished_at = models.DateTimeField(_("finie le"), null=True, blank=True)
    trigger = models.CharField(_("origine"), max_length=20, default="command")
    outcomes = models.JSONField(_("résultats"), default=list, blank=True)

    class Meta:
        verbose_name = _("passage de la conservation")
        verbose_name_plural = _("passages de la conservation")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"
