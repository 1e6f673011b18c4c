"""Forms of the DPO's and RSSI's pages: bounded fields, French labels; the services do the checking that matters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from confiance.core.parsing import check_datetime
from confiance.privacy.choices import BreachRisk, RightsRequestKind
from confiance.privacy.models import CommunePrivacy


class BoundedDateTimeField(forms.DateTimeField):
    """A date and time between 2000 and 2100 (core's bounds), never an overflow."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        try:
            return check_datetime(result)
        except ValueError as error:
            raise forms.ValidationError(_("Date hors des bornes (2000-2100).")) from error


class BoundedDateField(forms.DateField):
    def to_python(self, value):
        result = super().to_python(value)
        if result is not None and not 2000 <= result.year <= 2100:
            raise forms.ValidationError(_("Date hors des bornes (2000-2100)."))
        return result


DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommunePrivacyForm(forms.ModelForm):
    class Meta:
        model = CommunePrivacy
        fields = ["controller", "controller_address", "dpo_name", "dpo_email", "dpo_phone", "rights_address"]


class RightsRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Droit exercé"), choices=RightsRequestKind.choices)
    requester_name = forms.CharField(label=_("Nom et prénom"), max_length=200, required=False)
    requester_email = forms.EmailField(label=_("Courriel"), required=False)
    requester_phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    details = forms.CharField(label=_("Objet de la demande"), max_length=4000, required=False, widget=forms.Textarea)
    received_at = BoundedDateTimeField(label=_("Reçue le"), required=False, widget=DATETIME_WIDGET,
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])


class ExtensionForm(forms.Form):
    reason = forms.CharField(label=_("Motif de la prolongation"), max_length=500)


class CloseForm(forms.Form):
    refused = forms.BooleanField(label=_("Refuser la demande"), required=False)
    note = forms.CharField(label=_("Réponse envoyée ou motif du refus"), max_length=4000, required=False,
                           widget=forms.Textarea)


class BreachForm(forms.Form):
    discovered_at = BoundedDateTimeField(label=_("Découverte le"), widget=DATETIME_WIDGET,
                                         input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    occurred_at = BoundedDateTimeField(label=_("Survenue le"), required=False, widget=DATETIME_WIDGET,
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    description = forms.CharField(label=_("Nature de la violation"), max_length=4000, widget=forms.Textarea)
    data_categories = forms.CharField(label=_("Catégories de données"), max_length=500, required=False)
    persons_count = forms.IntegerField(label=_("Nombre approximatif de personnes"), min_value=0,
                                       max_value=100_000_000, required=False)
    consequences = forms.CharField(label=_("Conséquences probables"), max_length=4000, required=False,
                                   widget=forms.Textarea)
    measures = forms.CharField(label=_("Mesures prises ou envisagées"), max_length=4000, required=False,
                               widget=forms.Textarea)


class BreachDecisionForm(forms.Form):
    risk = forms.ChoiceField(label=_("Décision"), choices=BreachRisk.choices)
    reason = forms.CharField(label=_("Justification"), max_length=4000, widget=forms.Textarea)
    notification_text = forms.CharField(label=_("Texte de la notification"), max_length=8000, required=False,
                                        widget=forms.Textarea)
    notified_at = BoundedDateTimeField(label=_("Notifiée à la CNIL le"), required=False, widget=DATETIME_WIDGET,
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    persons_informed_at = BoundedDateTimeField(label=_("Personnes informées le"), required=False,
                                               widget=DATETIME_WIDGET,
                                               input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


class CharterForm(forms.Form):
    text = forms.CharField(label=_("Texte de la charte"), max_length=20000, widget=forms.Textarea)
    adopted_on = BoundedDateField(label=_("Adoptée le (délibération)"), required=False, widget=DATE_WIDGET)


class AccessFilterForm(forms.Form):
    agent = forms.TypedChoiceField(label=_("Agent"), required=False, coerce=int, empty_value=None)
    target_type = forms.ChoiceField(label=_("Nature de fiche"), required=False)
    motive = forms.CharField(label=_("Motif contient"), max_length=100, required=False)
    start = BoundedDateField(label=_("Du"), required=False, widget=DATE_WIDGET)
    end = BoundedDateField(label=_("Au"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, agents=(), target_types=(), type_label=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [("", _("Tous"))] + [(str(pk), label) for pk, label in agents]
        self.fields["target_type"].choices = [("", _("Toutes"))] + [(value, type_label(value))
                                                                    for value in target_types]
