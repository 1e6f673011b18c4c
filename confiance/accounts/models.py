"""Agents (the platform's users), their memberships in communes, and API tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.accounts.choices import Role
from confiance.territory.models import Commune


class Agent(AbstractUser):
    """A person who signs in: police agent, operator, technician, élu, DPO, administrator."""

    failed_login_count = models.PositiveIntegerField(_("échecs de connexion consécutifs"), default=0)
    locked_until = models.DateTimeField(_("verrouillé jusqu'à"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


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
