"""Agents (the platform's users), their memberships in communes, and API tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.accounts.choices import Role, SecurityEventKind
from confiance.territory.models import Commune


class Agent(AbstractUser):
    """A person who signs in: police agent, operator, technician, élu, DPO, administrator."""

    failed_login_count = models.PositiveIntegerField(_("échecs de connexion consécutifs"), default=0)
    locked_until = models.DateTimeField(_("verrouillé jusqu'à"), null=True, blank=True)
    # Raised whenever what the agent may do changes (memberships, activation, superuser, password, tokens' scope):
    # sessions and open live streams compare it with the value they started from (accounts/signals.py).
    access_revision = models.PositiveBigIntegerField(_("révision des droits"), default=0, editable=False)

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    # Fields whose change alters the agent's rights or credentials: saving a change raises access_revision.
    ACCESS_FIELDS = ("is_active", "is_superuser", "password")

    @classmethod
    def from_db(cls, db, field_names, values):
        agent = super().from_db(db, field_names, values)
        agent._access_state = agent._loaded_access_state()
        return agent

    def _loaded_access_state(self) -> dict:
        return {name: self.__dict__[name] for name in self.ACCESS_FIELDS if name in self.__dict__}  # no deferred load

    def save(self, *args, **kwargs):
        loaded = getattr(self, "_access_state", None)
        current = self._loaded_access_state()
        bumped = bool(loaded) and any(name in current and current[name] != value for name, value in loaded.items())
        if bumped:
            self.access_revision = F("access_revision") + 1  # on top of concurrent bumps, never a stale value
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "access_revision"}
        super().save(*args, **kwargs)
        if bumped:
            self.refresh_from_db(fields=["access_revision"])
        self._access_state = self._loaded_access_state()


class Membership(models.Model):
    """One role of an agent in one commune."""

    agent = models.ForeignKey(Agent, verbose_name=_("agent"), on_delete=models.CASCADE, related_name="memberships")
    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="memberships")
    role = models.CharField(_("rôle"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations")
        ordering = ["commune__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "commune", "role"], name="membership_unique_role_in_commune")
        ]

    def __str__(self) -> str:
        return f"{self.agent} — {self.get_role_display()} — {self.commune.name}"


class ApiToken(models.Model):
    """A credential for a machine client: stored hashed, scoped, expiring, revocable."""

    agent = models.ForeignKey(Agent, verbose_name=_("agent"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=120)
    prefix = models.CharField(_("préfixe"), max_length=12, unique=True)
    key_hash = models.CharField(_("empreinte SHA-256"), max_length=64)
    communes = models.ManyToManyField(Commune, verbose_name=_("communes"), related_name="+")
    permissions = models.JSONField(_("permissions"), default=list)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class EnrolmentLink(models.Model):
    """A single-use, expiring link an administrator issues so that an agent may enrol an authenticator."""

    agent = models.ForeignKey(Agent, verbose_name=_("agent"), on_delete=models.CASCADE,
                              related_name="enrolment_links")
    key_hash = models.CharField(_("empreinte SHA-256"), max_length=64, unique=True)
    issued_by = models.ForeignKey(Agent, verbose_name=_("émis par"), on_delete=models.SET_NULL, null=True,
                                  related_name="+")
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("lien d'activation de la double authentification")
        verbose_name_plural = _("liens d'activation de la double authentification")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.agent} — {self.created_at:%Y-%m-%d %H:%M}"


class SecurityEvent(models.Model):
    """Failed logins, second-factor codes and API token presentations, and lockouts: one counter per (kind, account,
    address, hour), incremented in place (accounts.services.security_event_record).

    Nobody can fill the table by failing: a new row needs a new (account, address) in the hour, and past
    CONFIANCE_SECURITY_EVENTS_PER_HOUR rows in an hour the failures are counted in one overflow row per kind
    (account_hash "*"). The password typed is never stored; the name typed only as a keyed hash (account_hash), so
    the row of an unknown name holds neither a password typed in the wrong field nor a stranger's e-mail. Kept
    CONFIANCE_SECURITY_EVENT_RETENTION_DAYS (accounts/retention.py)."""

    OVERFLOW = "*"

    kind = models.CharField(_("type"), max_length=24, choices=SecurityEventKind.choices)
    account_hash = models.CharField(_("empreinte de l'identifiant"), max_length=24)
    ip_address = models.CharField(_("adresse IP"), max_length=45, blank=True)
    hour = models.DateTimeField(_("heure"))
    agent = models.ForeignKey(Agent, verbose_name=_("agent"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    count = models.PositiveIntegerField(_("nombre"), default=1)
    first_at = models.DateTimeField(_("premier"))
    last_at = models.DateTimeField(_("dernier"))

    class Meta:
        verbose_name = _("événement de sécurité")
        verbose_name_plural = _("événements de sécurité")
        ordering = ["-hour", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "account_hash", "ip_address", "hour"],
                                               name="security_event_one_counter_per_bucket")]
        indexes = [models.Index(fields=["hour"], name="security_event_hour"),
                   models.Index(fields=["agent", "hour"], name="security_event_agent_hour")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.ip_address or '?'} — {self.hour:%Y-%m-%d %H:00} ({self.count})"


# --- Rights revision: a membership or a token's communes change, the agent's revision moves --------------------


def bump_access_revision(agent_id: int) -> None:
    """Mark every session and live stream of the agent as to be re-checked (one UPDATE, no read)."""
    Agent.objects.filter(pk=agent_id).update(access_revision=F("access_revision") + 1)


def _membership_changed(sender, instance: Membership, **kwargs) -> None:
    bump_access_revision(instance.agent_id)


def _token_communes_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if reverse:  # a commune's tokens edited from the commune's side
        for agent_id in set(ApiToken.objects.filter(pk__in=pk_set or ()).values_list("agent_id", flat=True)):
            bump_access_revision(agent_id)
    else:
        bump_access_revision(instance.agent_id)


post_save.connect(_membership_changed, sender=Membership, dispatch_uid="accounts-membership-saved")
post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="accounts-membership-deleted")
m2m_changed.connect(_token_communes_changed, sender=ApiToken.communes.through, dispatch_uid="accounts-token-communes")
