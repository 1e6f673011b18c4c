"""Forms of the alerts pages: the alert (content, validity, drawn area, sectors), the approver's note, a filter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from confiance.alerts.choices import (
    AlertStatus,
    CapStatus,
    Category,
    Certainty,
    ResponseType,
    Risk,
    Severity,
    Urgency,
)
from confiance.alerts.drafts import AlertDraft
from confiance.core.parsing import ParseError, parse_json

AREA_MAX_CHARS = 200_000


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AlertForm(forms.Form):
    """An alert's content; the area is the JSON the drawing map writes into a hidden field."""

    event = forms.CharField(label=_("Événement"), max_length=120)
    headline = forms.CharField(label=_("Titre"), max_length=160)
    instruction = forms.CharField(label=_("Consignes à la population"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    description = forms.CharField(label=_("Description de la situation"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    risk = forms.ChoiceField(label=_("Risque"), choices=Risk.choices, initial=Risk.OTHER)
    category = forms.ChoiceField(label=_("Catégorie"), choices=Category.choices, initial=Category.SAFETY)
    response_type = forms.ChoiceField(label=_("Conduite à tenir"), choices=ResponseType.choices,
                                      initial=ResponseType.MONITOR)
    urgency = forms.ChoiceField(label=_("Urgence"), choices=Urgency.choices, initial=Urgency.EXPECTED)
    severity = forms.ChoiceField(label=_("Gravité"), choices=Severity.choices, initial=Severity.MODERATE)
    certainty = forms.ChoiceField(label=_("Certitude"), choices=Certainty.choices, initial=Certainty.LIKELY)
    cap_status = forms.ChoiceField(label=_("Nature"), choices=CapStatus.choices, initial=CapStatus.ACTUAL)
    onset = forms.DateTimeField(label=_("Début"), required=False, widget=DateTimeLocalInput())
    expires = forms.DateTimeField(label=_("Fin de validité"), required=False, widget=DateTimeLocalInput())
    area_description = forms.CharField(label=_("Zone concernée (en clair)"), max_length=300, required=False)
    area = forms.CharField(label=_("Zone dessinée"), required=False, max_length=AREA_MAX_CHARS,
                           widget=forms.HiddenInput())
    sectors = forms.TypedMultipleChoiceField(label=_("Secteurs"), required=False, coerce=int,
                                             widget=forms.CheckboxSelectMultiple)
    whole_commune = forms.BooleanField(label=_("Toute la commune"), required=False)
    headline_en = forms.CharField(label=_("Titre (anglais)"), max_length=160, required=False)
    instruction_en = forms.CharField(label=_("Consignes (anglais)"), max_length=4000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    description_en = forms.CharField(label=_("Description (anglais)"), max_length=4000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    template = forms.IntegerField(required=False, widget=forms.HiddenInput(), min_value=1, max_value=2**62)

    def __init__(self, *args, sectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sectors"].choices = [(sector.pk, sector.name) for sector in sectors]

    def clean_area(self):
        raw = self.cleaned_data.get("area") or ""
        if not raw.strip():
            return {}
        try:
            return parse_json(raw, max_depth=8)
        except ParseError as exc:
            raise forms.ValidationError(_("Zone dessinée illisible.")) from exc

    def draft(self, commune_id: int) -> AlertDraft:
        data = self.cleaned_data
        return AlertDraft(
            event=data["event"], headline=data["headline"], category=data["category"],
            response_type=data["response_type"], urgency=data["urgency"], severity=data["severity"],
            certainty=data["certainty"], risk=data["risk"], description=data["description"],
            instruction=data["instruction"], headline_en=data["headline_en"], description_en=data["description_en"],
            instruction_en=data["instruction_en"], onset=data["onset"], expires=data["expires"],
            area_description=data["area_description"], area=data["area"] or {},
            sector_ids=tuple(data["sectors"]), commune_ids=(commune_id,) if data["whole_commune"] else (),
            cap_status=data["cap_status"], template_id=data.get("template"))


def initial_of(draft: AlertDraft) -> dict:
    """Form initial values from a draft (a template, an alarm, the alert an update replaces)."""
    import json

    from django.utils import timezone

    def local(moment):
        return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M") if moment else None

    return {"event": draft.event, "headline": draft.headline, "instruction": draft.instruction,
            "description": draft.description, "risk": draft.risk, "category": draft.category,
            "response_type": draft.response_type, "urgency": draft.urgency, "severity": draft.severity,
            "certainty": draft.certainty, "cap_status": draft.cap_status, "onset": local(draft.onset),
            "expires": local(draft.expires), "area_description": draft.area_description,
            "area": json.dumps(draft.area) if draft.area else "", "sectors": list(draft.sector_ids),
            "whole_commune": bool(draft.commune_ids), "headline_en": draft.headline_en,
            "instruction_en": draft.instruction_en, "description_en": draft.description_en,
            "template": draft.template_id}


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Observation pour l'auteur"), max_length=500, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Motif de la fin d'alerte"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), required=False, choices=[("", _("Tous")), *AlertStatus.choices])
