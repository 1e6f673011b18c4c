"""Forms of the public subscription pages (bounded fields; the services check the rest)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SubscribeForm(forms.Form):
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    sector = forms.IntegerField(label=_("Ou bien un secteur"), required=False, min_value=1, max_value=2**62)
    email = forms.EmailField(label=_("Courriel"), required=False, max_length=254)
    phone = forms.CharField(label=_("Téléphone mobile (SMS)"), required=False, max_length=30)
    push_endpoint = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    push_p256dh = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    push_auth = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code reçu par SMS"), max_length=12)
