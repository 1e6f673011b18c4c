"""Forms of the crisis pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from confiance.core.parsing import ParseError, parse_json
from confiance.crisis.choices import LOG_TEXT_MAX
from confiance.territory.choices import CrisisKind

ZONE_MAX_CHARS = 200_000


class CrisisDeclareForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type de crise"), choices=CrisisKind.choices)
    title = forms.CharField(label=_("Titre"), max_length=200, required=False,
                            help_text=_("Vide : le type de crise."))
    communes = forms.TypedMultipleChoiceField(label=_("Communes"), coerce=int, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    zone = forms.CharField(required=False, max_length=ZONE_MAX_CHARS, widget=forms.HiddenInput)

    def __init__(self, *args: Any, communes, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["communes"].choices = [(commune.pk, commune.name) for commune in communes]

    def clean_zone(self) -> dict | None:
        raw = (self.cleaned_data.get("zone") or "").strip()
        if not raw:
            return None
        try:
            document = parse_json(raw, max_depth=8)
        except ParseError as error:
            raise forms.ValidationError(str(error)) from None
        if isinstance(document, dict) and document.get("type") == "Feature":
            document = document.get("geometry")
        if not isinstance(document, dict):
            raise forms.ValidationError(_("Zone : un polygone GeoJSON est attendu."))
        return document

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("communes") and not cleaned.get("zone") and not self.errors:
            raise forms.ValidationError(_("Choisissez au moins une commune ou dessinez une zone sur la carte."))
        return cleaned


class CrisisLogForm(forms.Form):
    text = forms.CharField(label=_("Note au journal de crise"), max_length=LOG_TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Décrivez la situation et les actions, sans nommer de personne."))
    commune = forms.TypedChoiceField(label=_("Commune"), coerce=int, required=False)

    def __init__(self, *args: Any, communes, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(commune.pk, commune.name) for commune in communes]


class CrisisJoinForm(forms.Form):
    commune = forms.TypedChoiceField(label=_("Commune à ajouter"), coerce=int)

    def __init__(self, *args: Any, communes, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(commune.pk, commune.name) for commune in communes]
