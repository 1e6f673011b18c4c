"""Forms of the analytics pages: what to analyse, how; the CSV import; the indicator and open-data periods."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.analytics.choices import AnalysisKind, EventSource
from confiance.analytics.formatting import day, number
from confiance.analytics.selectors import EventQuery


class PeriodForm(forms.Form):
    communes = forms.MultipleChoiceField(label=_("Communes"), widget=forms.CheckboxSelectMultiple,
                                         error_messages={"required": _("Choisissez au moins une commune.")})
    start = forms.DateField(label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].choices = [(str(c.pk), c.name) for c in communes]
        today = timezone.localdate()
        self.fields["start"].initial = today - timedelta(days=365)
        self.fields["end"].initial = today
        if len(self.fields["communes"].choices) == 1:
            self.fields["communes"].initial = [self.fields["communes"].choices[0][0]]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("La fin de la période précède son début."))
        return data

    def commune_ids(self) -> list[int]:
        return [int(c) for c in self.cleaned_data["communes"]]


class AnalysisForm(PeriodForm):
    kind = forms.ChoiceField(label=_("Analyse"), choices=AnalysisKind.choices)
    sources = forms.MultipleChoiceField(label=_("Sources"), choices=EventSource.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple,
                                        initial=[EventSource.REPORTS, EventSource.INTERVENTIONS, EventSource.LOGBOOK])
    dataset = forms.TypedChoiceField(label=_("Ou un jeu de données importé"), coerce=int, required=False,
                                     empty_value=None)
    categories = forms.CharField(label=_("Catégories (séparées par des virgules, vide = toutes)"), required=False,
                                 max_length=2000)
    cell_m = forms.FloatField(label=_("Taille de maille (m)"), initial=100, min_value=25, max_value=2000)
    bandwidth_m = forms.FloatField(label=_("Largeur du noyau (m, vide = règle de Silverman)"), required=False,
                                   min_value=10, max_value=10000)
    h3_resolution = forms.IntegerField(label=_("Résolution H3"), initial=9, min_value=5, max_value=12)
    permutations = forms.IntegerField(label=_("Permutations (Monte Carlo)"), initial=999, min_value=19,
                                      max_value=9999)
    spatial_bandwidth_m = forms.FloatField(label=_("Largeur des bandes spatiales (m)"), initial=100, min_value=1,
                                           max_value=5000)
    spatial_bands = forms.IntegerField(label=_("Nombre de bandes spatiales"), initial=5, min_value=1, max_value=20)
    temporal_bandwidth_days = forms.FloatField(label=_("Largeur des bandes temporelles (jours)"), initial=7,
                                               min_value=0.04, max_value=365)
    temporal_bands = forms.IntegerField(label=_("Nombre de bandes temporelles"), initial=5, min_value=1, max_value=20)
    by = forms.ChoiceField(label=_("Prévisions par"), choices=[("commune", _("commune")), ("sector", _("secteur"))],
                           initial="commune")

    def __init__(self, *args, datasets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permutations"].initial = settings.CONFIANCE_ANALYTICS_PERMUTATIONS
        self.datasets = {d.pk: d for d in datasets}
        self.fields["dataset"].choices = [("", _("— aucun : événements de la plateforme —"))] + [
            (str(d.pk), dataset_label(d)) for d in datasets]
        # A dataset implies its commune: the communes are then checked in clean(), not required here.
        self.fields["communes"].required = False

    def clean(self):
        data = super().clean()
        dataset = self.datasets.get(data.get("dataset"))
        if dataset is not None:
            chosen = {int(c) for c in data.get("communes") or []}
            if chosen - {dataset.commune_id}:
                self.add_error("communes", _(
                    "Le jeu de données « %(name)s » ne couvre que %(commune)s : l'analyse porte sur cette seule "
                    "commune. Décochez les autres, ou analysez les événements de la plateforme.") % {
                    "name": dataset.name, "commune": dataset.commune.name})
            data["communes"] = [str(dataset.commune_id)]
        elif not data.get("communes") and "communes" not in self.errors:
            self.add_error("communes", _("Choisissez au moins une commune."))
        if not data.get("sources") and dataset is None:
            raise forms.ValidationError(_("Choisissez au moins une source, ou un jeu de données importé."))
        return data

    def dataset_areas(self) -> dict[str, dict[str, str]]:
        """For the page's script: each dataset's commune, and the sentence saying the area follows it."""
        return {str(pk): {"commune": str(d.commune_id), "note": str(_(
            "Zone analysée : %(commune)s, la commune que couvre ce jeu de données ; les sources ne s'appliquent "
            "pas à un jeu importé.") % {"commune": d.commune.name})} for pk, d in self.datasets.items()}

    def query(self) -> EventQuery:
        data = self.cleaned_data
        categories = [c.strip() for c in (data.get("categories") or "").split(",") if c.strip()]
        return EventQuery(commune_ids=self.commune_ids(), start=data["start"], end=data["end"],
                          sources=list(data.get("sources") or []), categories=categories,
                          dataset_id=data.get("dataset"))

    def options(self) -> dict:
        names = ("cell_m", "bandwidth_m", "h3_resolution", "permutations", "spatial_bandwidth_m", "spatial_bands",
                 "temporal_bandwidth_days", "temporal_bands", "by")
        return {name: self.cleaned_data.get(name) for name in names if self.cleaned_data.get(name) is not None}


def dataset_label(dataset) -> str:
    """"Cambriolages (Mennecy, 1 234 événements, du 1 décembre 2024 au 30 novembre 2026)"."""
    first, last = getattr(dataset, "first_event", None), getattr(dataset, "last_event", None)
    values = {"name": dataset.name, "commune": dataset.commune.name, "events": number(dataset.events)}
    if first and last:
        return str(_("%(name)s (%(commune)s, %(events)s événements, du %(first)s au %(last)s)") % (
            values | {"first": day(first), "last": day(last)}))
    return str(_("%(name)s (%(commune)s, %(events)s événements)") % values)


class DatasetImportForm(forms.Form):
    name = forms.CharField(label=_("Nom du jeu de données"), max_length=200)
    commune = forms.ChoiceField(label=_("Commune"))
    file = forms.FileField(label=_("Fichier CSV"), help_text=_(
        "Colonnes : x et y (avec leur système) ou lat et lon ; date (et heure) ; catégorie."))
    crs = forms.CharField(label=_("Système des colonnes x et y (par exemple EPSG:2154)"), required=False,
                          max_length=40)
    category = forms.CharField(label=_("Ne garder que la catégorie"), required=False, max_length=100)
    tz = forms.CharField(label=_("Fuseau horaire des dates et heures du fichier"), initial="Europe/Paris",
                         required=False, max_length=60,
                         help_text=_("Les dates avec un décalage explicite (+01:00, Z) le gardent."))

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(str(c.pk), c.name) for c in communes]
