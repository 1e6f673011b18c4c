"""Forms of the hypervision pages: the sensors list filter, the note an operator may add to an alarm step, and the
camera pages (motive of a view, individual authorisation, the register of extractions)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from confiance.core.parsing import ParseError, check_datetime
from confiance.devices.choices import DeviceState
from confiance.devices.drafts import ExtractionDraft, MediumDraft


class DeviceFilterForm(forms.Form):
    """Which sensors the list shows: one commune among the agent's (an id, checked against them), one state."""

    commune = forms.TypedChoiceField(label=_("Commune"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=_("État"), required=False, choices=[("", _("Tous")), *DeviceState.choices])

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", _("Toutes"))] + [(c.pk, c.name) for c in communes]


class AlarmNoteForm(forms.Form):
    note = forms.CharField(label=_("Note (facultative)"), max_length=500, required=False, strip=True)


# --- Cameras and the register of extractions ---------------------------------------------------------------------

LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _bounded(value):
    try:
        return check_datetime(value)
    except ParseError as error:
        raise forms.ValidationError(str(error)) from None


class CameraFilterForm(forms.Form):
    commune = forms.TypedChoiceField(label=_("Commune"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", _("Toutes"))] + [(c.pk, c.name) for c in communes]


class MotiveForm(forms.Form):
    """Why an agent opens a camera's images or exports the register: written to the access log."""

    motive = forms.CharField(label=_("Motif"), min_length=5, max_length=500, strip=True)
    export = forms.BooleanField(label=_("Export d'images"), required=False)


class CameraGrantForm(forms.Form):
    username = forms.CharField(label=_("Identifiant de l'agent"), max_length=150, strip=True)
    valid_until = forms.DateTimeField(label=_("Jusqu'au (facultatif)"), required=False, widget=LOCAL_DATETIME)

    def clean_valid_until(self):
        value = self.cleaned_data.get("valid_until")
        return _bounded(value) if value else None


class ExtractionForm(forms.Form):
    """A judicial requisition entering the register; its cameras are those of one commune."""

    commune = forms.TypedChoiceField(label=_("Commune"), coerce=int)
    officer_name = forms.CharField(label=_("Officier requérant (nom, grade)"), max_length=200, strip=True)
    officer_service = forms.CharField(label=_("Service (brigade, commissariat)"), max_length=200, strip=True)
    requisition_reference = forms.CharField(label=_("Référence de la réquisition"), max_length=120, strip=True)
    cameras = forms.TypedMultipleChoiceField(label=_("Caméras"), coerce=int,
                                             widget=forms.CheckboxSelectMultiple)
    span_start = forms.DateTimeField(label=_("Début de la période"), widget=LOCAL_DATETIME)
    span_end = forms.DateTimeField(label=_("Fin de la période"), widget=LOCAL_DATETIME)

    def __init__(self, *args, communes=(), cameras=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(c.pk, c.name) for c in communes]
        self.fields["cameras"].choices = [(camera.pk, f"{camera.device.name} ({camera.device.commune.name})")
                                          for camera in cameras]

    def clean_span_start(self):
        return _bounded(self.cleaned_data["span_start"])

    def clean_span_end(self):
        return _bounded(self.cleaned_data["span_end"])

    def draft(self):
        data = self.cleaned_data
        return ExtractionDraft(officer_name=data["officer_name"], officer_service=data["officer_service"],
                               requisition_reference=data["requisition_reference"],
                               camera_ids=tuple(data["cameras"]), span_start=data["span_start"],
                               span_end=data["span_end"])


class ExtractionDeliverForm(forms.Form):
    media = forms.CharField(
        label=_("Fichiers remis"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Un fichier par ligne : son nom, une espace, son empreinte SHA-256 (64 caractères)."))

    def drafts(self):
        rows = []
        for line in self.cleaned_data["media"].splitlines():
            line = line.strip()
            if line:
                name, _sep, digest = line.rpartition(" ")
                rows.append(MediumDraft(file_name=name.strip() or digest, sha256=digest if name else ""))
        return rows


class RegisterExportForm(forms.Form):
    commune = forms.TypedChoiceField(label=_("Commune"), coerce=int)
    fmt = forms.ChoiceField(label=_("Format"), choices=[("pdf", _("PDF")), ("csv", _("CSV (tableur)"))])
    motive = forms.CharField(label=_("Motif de l'export"), min_length=5, max_length=500, strip=True,
                             help_text=_("Par exemple : contrôle de la CNIL du 12 mars."))

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(c.pk, c.name) for c in communes]


class VideoBasisForm(forms.Form):
    """The legal basis of video analytics (text, period, cameras of one commune), recorded by a camera manager."""

    commune = forms.TypedChoiceField(label=_("Commune"), coerce=int)
    legal_text = forms.CharField(
        label=_("Texte qui autorise le traitement"), max_length=2000, strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Loi, décret, arrêté préfectoral et sa référence (par exemple : loi 2023-380 art. 10, arrêté "
                    "préfectoral n° ...)."))
    starts_at = forms.DateTimeField(label=_("Début de la période"), widget=LOCAL_DATETIME)
    ends_at = forms.DateTimeField(label=_("Fin de la période"), widget=LOCAL_DATETIME,
                                  help_text=_("À cette date, plus aucune détection n'est acceptée."))
    cameras = forms.TypedMultipleChoiceField(label=_("Caméras"), coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, communes=(), cameras=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(c.pk, c.name) for c in communes]
        self.fields["cameras"].choices = [(camera.pk, f"{camera.name} ({camera.commune.name})") for camera in cameras]
        self._camera_communes = {camera.pk: camera.commune_id for camera in cameras}

    def clean_starts_at(self):
        return _bounded(self.cleaned_data["starts_at"])

    def clean_ends_at(self):
        return _bounded(self.cleaned_data["ends_at"])

    def clean(self):
        data = super().clean()
        starts_at, ends_at, commune = data.get("starts_at"), data.get("ends_at"), data.get("commune")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("La fin de la période doit suivre son début."))
        if commune is not None and any(self._camera_communes.get(pk) != commune for pk in data.get("cameras", ())):
            self.add_error("cameras", _("Chaque caméra doit être une caméra de la commune choisie."))
        return data
