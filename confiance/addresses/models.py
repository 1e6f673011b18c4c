"""Addresses of the communes served, imported from the Base Adresse Nationale (BAN), for address search."""

import re
import unicodedata

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.territory.models import Commune

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def search_text(value: str) -> str:
    """Lower case, accents and punctuation removed, words separated by one space ("Rue de l'Église" -> "rue de l
    eglise"): what searches compare, the same on SQLite and PostgreSQL."""
    decomposed = unicodedata.normalize("NFKD", value.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", plain.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")).strip()


class Address(models.Model):
    """One address point of the BAN: a number on a street (or a lieu-dit) of a commune, with its position."""

    ban_id = models.CharField(_("identifiant BAN"), max_length=80, unique=True)
    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="addresses")
    number = models.PositiveIntegerField(_("numéro"))
    suffix = models.CharField(_("indice de répétition"), max_length=20, blank=True,
                              help_text=_("bis, ter, a, b..."))
    street = models.CharField(_("voie"), max_length=200)
    place_name = models.CharField(_("lieu-dit"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=5)
    city = models.CharField(_("nom de la commune"), max_length=200)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    street_key = models.CharField(_("voie (forme de recherche)"), max_length=200, db_index=True)
    search_key = models.CharField(_("forme de recherche"), max_length=450,
                                  help_text=_("Voie, lieu-dit, code postal et commune sans accents ni majuscules."))
    updated_at = models.DateTimeField(_("mis à jour le"), default=timezone.now)

    class Meta:
        verbose_name = _("adresse")
        verbose_name_plural = _("adresses")
        indexes = [models.Index(fields=["lat", "lon"], name="address_position")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """"12 bis Rue de l'Église, 91540 Mennecy"."""
        number = f"{self.number} {self.suffix}".strip() if self.number else ""
        return f"{number} {self.street}".strip() + f", {self.postal_code} {self.city}"


class AddressImport(models.Model):
    """One import of an address file; the street-label cache reloads when the newest one changes."""

    revision_time_field = "imported_at"  # the revision time core.revisions reads

    file_name = models.CharField(_("fichier"), max_length=300)
    created = models.PositiveIntegerField(_("créées"), default=0)
    updated = models.PositiveIntegerField(_("mises à jour"), default=0)
    removed = models.PositiveIntegerField(_("retirées"), default=0,
                                          help_text=_("Adresses des communes du fichier qu'il ne contient plus."))
    skipped = models.PositiveIntegerField(_("ignorées (hors des communes servies)"), default=0)
    imported_at = models.DateTimeField(_("importé le"), default=timezone.now)

    class Meta:
        verbose_name = _("import d'adresses")
        verbose_name_plural = _("imports d'adresses")

    def __str__(self) -> str:
        return self.file_name
