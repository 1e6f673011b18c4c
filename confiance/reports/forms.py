"""Forms of the citizen and agent pages; they parse input, services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from confiance.core.parsing import id_or_none
from confiance.reports.choices import ReportStatus
from confiance.reports.drafts import MAX_PHOTOS
from confiance.reports.models import DESCRIPTION_MAX_LENGTH


def attributes_from_params(items) -> dict:
    """Answers to extra questions from `attribute[code]=v` and `attribute[code][]=v` pairs (Open311 form style)."""
    found = {}
    for key, raw in items:
        if not key.startswith("attribute[") or "]" not in key:
            continue
        values = raw if isinstance(raw, list) else [raw]
        code = key[len("attribute["):key.index("]")]
        found[code] = values if key.endswith("[]") or len(values) > 1 else values[0]
    return found


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Up to three files; their content is checked by the service (not their names)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("%(max)s photos au plus.") % {"max": MAX_PHOTOS})
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files]


class ReportForm(forms.Form):
    """The citizen's report: where, what, optional photos and contact details."""

    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90,
                           error_messages={"required": _("Placez le repère sur la carte ou indiquez la position.")})
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180,
                           error_messages={"required": _("Placez le repère sur la carte ou indiquez la position.")})
    address = forms.CharField(label=_("Adresse ou repère"), max_length=300, required=False,
                              help_text=_("Par exemple : devant le 12 rue de la Mairie."))
    service_code = forms.CharField(label=_("Catégorie"), max_length=64,
                                   error_messages={"required": _("Choisissez une catégorie.")})
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}),
                                  max_length=DESCRIPTION_MAX_LENGTH, required=False)
    photos = MultiplePhotoField(label=_("Photos (3 au plus)"), required=False,
                                help_text=_("JPEG, PNG ou WebP. Les métadonnées (position, appareil) sont "
                                            "retirées."))
    name = forms.CharField(label=_("Nom (facultatif)"), max_length=200, required=False)
    email = forms.EmailField(label=_("Courriel (facultatif)"), required=False,
                             help_text=_("Pour être tenu informé du traitement."))
    phone = forms.CharField(label=_("Téléphone (facultatif)"), max_length=30, required=False)
    consent = forms.BooleanField(
        label=_("J'accepte que ces coordonnées soient utilisées par la commune pour traiter ce signalement et "
                "me tenir informé. Elles ne sont jamais publiées et sont effacées après la clôture."),
        required=False)
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def clean(self):
        cleaned = super().clean()
        has_contact = any(cleaned.get(key) for key in ("name", "email", "phone"))
        if has_contact and not cleaned.get("consent"):
            self.add_error("consent", _("Cochez cette case pour nous laisser vos coordonnées, ou effacez-les."))
        return cleaned


class FollowForm(forms.Form):
    email = forms.EmailField(label=_("Votre courriel"))


class FeedbackForm(forms.Form):
    fixed = forms.TypedChoiceField(label=_("Le problème est-il réglé ?"), coerce=lambda v: v == "oui",
                                   choices=[("oui", _("Oui")), ("non", _("Non"))], widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Commentaire (facultatif)"), widget=forms.Textarea(attrs={"rows": 2}),
                              max_length=2000, required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Pourquoi faut-il le rouvrir ?"), widget=forms.Textarea(attrs={"rows": 3}),
                             min_length=5, max_length=2000)


class RespondForm(forms.Form):
    """An agent's update: new status, public message (sent to followers), internal note."""

    status = forms.ChoiceField(label=_("Nouvel état"), required=False,
                               choices=[("", _("— inchangé —"))] + [
                                   (value, label) for value, label in ReportStatus.choices
                                   if value not in {ReportStatus.NEW, ReportStatus.DUPLICATE}])
    public_message = forms.CharField(label=_("Message public (envoyé aux personnes qui suivent)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}), max_length=DESCRIPTION_MAX_LENGTH)
    internal_note = forms.CharField(label=_("Note interne (jamais publiée)"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}), max_length=DESCRIPTION_MAX_LENGTH)


class AssignForm(forms.Form):
    agent = forms.TypedChoiceField(label=_("Attribuer à"), coerce=int, required=False, empty_value=None)
    destination = forms.TypedChoiceField(label=_("Transférer aussi à"), coerce=int, required=False, empty_value=None)
    internal_note = forms.CharField(label=_("Note interne"), required=False, max_length=2000)

    def __init__(self, *args, agents=(), destinations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [("", "—")] + [(a.pk, a.get_full_name() or a.username) for a in agents]
        self.fields["destination"].choices = [("", "—")] + [(d.pk, d.name) for d in destinations]


class DuplicateForm(forms.Form):
    original = forms.IntegerField(label=_("Numéro du signalement d'origine"), min_value=1)
    public_message = forms.CharField(label=_("Message public"), required=False, max_length=2000)


class ModerationForm(forms.Form):
    target = forms.CharField(max_length=20)
    hide = forms.TypedChoiceField(coerce=lambda v: v == "1", choices=[("1", "1"), ("0", "0")])
    reason = forms.CharField(label=_("Motif"), required=False, max_length=500)


class RevealForm(forms.Form):
    motive = forms.CharField(label=_("Motif de la consultation"), min_length=5, max_length=500)


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=[("done", "done"), ("requalify", "requalify")])
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    service_code = forms.CharField(label=_("Nouvelle catégorie"), required=False, max_length=64)
    public_message = forms.CharField(label=_("Message public"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(value, value) for value in raw if id_or_none(value) is not None][:500]
