"""The territory: groupings of communes, communes, sectors, named zones, crisis sharings between communes."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.territory.choices import CrisisKind, IntercommunalityKind, ZoneKind

INSEE_CODE_PATTERN = r"^(\d{5}|2[AB]\d{3})$"
insee_validator = RegexValidator(INSEE_CODE_PATTERN, _("Code INSEE à 5 caractères attendu (ex. 91386, 2A004)."))


class AreaMixin(models.Model):
    """A polygon stored as GeoJSON, with its centroid and the H3 cell of the centroid."""

    geometry = models.JSONField(_("géométrie (GeoJSON)"), help_text=_("Polygon ou MultiPolygon en WGS84."))
    centroid_lat = models.FloatField(_("latitude du centre"))
    centroid_lon = models.FloatField(_("longitude du centre"))
    h3_cell = models.CharField(_("cellule H3 du centre"), max_length=16, db_index=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)

    class Meta:
        abstract = True


class Intercommunality(models.Model):
    """An EPCI or syndicate grouping communes that share the platform."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True,
                             validators=[RegexValidator(r"^\d{9}$", _("SIREN à 9 chiffres attendu."))])
    kind = models.CharField(_("forme"), max_length=20, choices=IntercommunalityKind.choices,
                            default=IntercommunalityKind.COMMUNAUTE_COMMUNES)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("intercommunalité")
        verbose_name_plural = _("intercommunalités")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Commune(AreaMixin):
    """A commune: the unit that owns data on the platform."""

    insee_code = models.CharField(_("code INSEE"), max_length=5, unique=True, validators=[insee_validator])
    name = models.CharField(_("nom"), max_length=200)
    intercommunality = models.ForeignKey(
        Intercommunality, verbose_name=_("intercommunalité"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="communes",
    )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"


class Sector(AreaMixin):
    """A quartier of a commune, used to route work and to aggregate figures."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE, related_name="sectors")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("nom"), max_length=200)

    class Meta:
        verbose_name = _("secteur")
        verbose_name_plural = _("secteurs")
        ordering = ["commune__name", "name"]
        constraints = [models.UniqueConstraint(fields=["commune", "code"], name="sector_code_unique_in_commune")]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune.name})"


class Zone(AreaMixin):
    """A named area of a commune (school surroundings, market, flood zone...)."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=ZoneKind.choices, default=ZoneKind.OTHER)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["commune__name", "name"]
        constraints = [models.UniqueConstraint(fields=["commune", "name"], name="zone_name_unique_in_commune")]

    def __str__(self) -> str:
        return self.name


class TerritoryRevision(models.Model):
    """One row per change of any boundary; point-lookup caches compare the newest id."""

    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    reason = models.CharField(_("motif"), max_length=200)

    class Meta:
        verbose_name = _("révision du territoire")
        verbose_name_plural = _("révisions du territoire")

    def __str__(self) -> str:
        return f"#{self.pk} {self.reason}"


class CrisisSharing(models.Model):
    """A crisis (crisis mode): the communes listed see and may engage each other's interventions, units and alarms
    from `started_at` until `ended_at` (excluded), and work from one view, one log and their checklists."""

    name = models.CharField(_("titre"), max_length=200)
    kind = models.CharField(_("type de crise"), max_length=20, choices=CrisisKind.choices, default=CrisisKind.OTHER)
    communes = models.ManyToManyField(Commune, verbose_name=_("communes"), related_name="crisis_sharings")
    zone = models.JSONField(_("zone (GeoJSON)"), null=True, blank=True,
                            help_text=_("Polygone dessiné à la déclaration ; les communes qu'il touche sont réunies."))
    started_at = models.DateTimeField(_("début"), default=timezone.now)
    ended_at = models.DateTimeField(_("fin"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("déclenché par"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("terminé par"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("crise")
        verbose_name_plural = _("crises")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.name

    def active_at(self, moment) -> bool:
        """Whether the sharing holds at this instant: from its start included to its end excluded."""
        return self.started_at <= moment and (self.ended_at is None or moment < self.ended_at)
