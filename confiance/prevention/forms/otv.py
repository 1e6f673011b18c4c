"""Forms of OTV: the resident's registration and its change, the patrol's passage. They build drafts only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from confiance.core.parsing import check_date
from confiance.prevention.choices import PassageOutcome, Residence
from confiance.prevention.drafts import RegistrationChange, RegistrationDraft

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TEL = {"type": "tel", "autocomplete": "tel", "inputmode": "tel"}


class _BoundedDateField(forms.DateField):
    def to_python(self, value):
        value = super().to_python(value)
        if value is not None:
            try:
                check_date(value)
            except ValueError:
                raise forms.ValidationError(_("Date hors des bornes admises.")) from None
        return value


class _AbsenceFields(forms.Form):
    leaves_on = _BoundedDateField(label=_("Date de départ"), widget=_DATE)
    returns_on = _BoundedDateField(label=_("Date de retour"), widget=_DATE)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, widget=forms.TextInput(attrs=_TEL))
    phone_away = forms.CharField(label=_("Téléphone pendant l'absence (facultatif)"), max_length=30, required=False,
                                 widget=forms.TextInput(attrs=_TEL))
    contact_name = forms.CharField(label=_("Personne à prévenir (facultatif)"), max_length=200, required=False,
                                   help_text=_("Un voisin ou un proche qui a les clés."))
    contact_phone = forms.CharField(label=_("Son téléphone (facultatif)"), max_length=30, required=False,
                                    widget=forms.TextInput(attrs=_TEL))
    alarm = forms.BooleanField(label=_("Le logement a une alarme"), required=False)
    patrol_notes = forms.CharField(
        label=_("Informations utiles à la patrouille (facultatif)"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Accès, portail, véhicule laissé sur place, lumière programmée… Pas de code d'accès ni "
                    "d'information sur votre santé ou votre vie privée."))


class RegistrationForm(_AbsenceFields):
    """The public form: only what LEGAL.md allows."""

    nonce = forms.CharField(widget=forms.HiddenInput, max_length=64)
    commune = forms.TypedChoiceField(label=_("Commune du logement"), coerce=int, choices=())
    last_name = forms.CharField(label=_("Nom"), max_length=100, widget=forms.TextInput(
        attrs={"autocomplete": "family-name"}))
    first_name = forms.CharField(label=_("Prénom"), max_length=100, widget=forms.TextInput(
        attrs={"autocomplete": "given-name"}))
    address = forms.CharField(label=_("Adresse du logement"), max_length=300,
                              help_text=_("Trouvez-la avec la recherche ci-dessus, puis corrigez le repère si besoin."))
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90,
                           error_messages={"required": _("Choisissez l'adresse ou placez le repère sur la carte.")})
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180,
                           error_messages={"required": _("Choisissez l'adresse ou placez le repère sur la carte.")})
    residence = forms.ChoiceField(label=_("Type de résidence"), choices=Residence.choices,
                                  widget=forms.RadioSelect, initial=Residence.MAIN)
    email = forms.EmailField(label=_("Courriel"), max_length=254, help_text=_(
        "Vous y recevrez le lien pour modifier ou annuler, et les messages de la police municipale."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    consent = forms.BooleanField(label=_("J'accepte que ces informations soient utilisées par la police "
                                         "municipale pour surveiller mon logement pendant mon absence ; elles sont "
                                         "effacées peu après mon retour."),
                                 error_messages={"required": _("Votre accord est nécessaire pour l'inscription.")})

    field_order = ["commune", "last_name", "first_name", "address", "lat", "lon", "residence", "leaves_on",
                   "returns_on", "email", "phone", "phone_away", "contact_name", "contact_phone", "alarm",
                   "patrol_notes", "consent"]

    def __init__(self, *args, communes=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", _("— choisissez —")), *communes]

    def draft(self) -> RegistrationDraft:
        data = self.cleaned_data
        return RegistrationDraft(
            commune_id=data["commune"], last_name=data["last_name"], first_name=data["first_name"],
            address=data["address"], lat=data["lat"], lon=data["lon"], residence=data["residence"],
            leaves_on=data["leaves_on"], returns_on=data["returns_on"], email=data["email"], phone=data["phone"],
            phone_away=data["phone_away"], contact_name=data["contact_name"], contact_phone=data["contact_phone"],
            alarm=data["alarm"], patrol_notes=data["patrol_notes"])


class RegistrationChangeForm(_AbsenceFields):
    """What the private link lets the resident change."""

    def change(self) -> RegistrationChange:
        data = self.cleaned_data
        return RegistrationChange(
            leaves_on=data["leaves_on"], returns_on=data["returns_on"], phone=data["phone"],
            phone_away=data["phone_away"], contact_name=data["contact_name"], contact_phone=data["contact_phone"],
            alarm=data["alarm"], patrol_notes=data["patrol_notes"])


class PassageForm(forms.Form):
    """A passage noted from the field page; the position comes from the phone when the agent allows it."""

    outcome = forms.ChoiceField(label=_("Constat"), choices=PassageOutcome.choices, widget=forms.RadioSelect,
                                initial=PassageOutcome.NOTHING_TO_REPORT)
    note = forms.CharField(label=_("Observation"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    lat = forms.FloatField(min_value=-90, max_value=90, required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(min_value=-180, max_value=180, required=False, widget=forms.HiddenInput)
    acknowledge_sensitive = forms.BooleanField(required=False, widget=forms.HiddenInput)
