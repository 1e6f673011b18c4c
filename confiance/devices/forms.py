"""Forms of the hypervision pages: the sensors list filter and the note an operator may add to an alarm step."""

from django import forms
from django.utils.translation import gettext_lazy as _

from confiance.devices.choices import DeviceState


class DeviceFilterForm(forms.Form):
    """Which sensors the list shows: one commune among the agent's (an id, checked against them), one state."""

    commune = forms.TypedChoiceField(label=_("Commune"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=_("État"), required=False, choices=[("", _("Tous")), *DeviceState.choices])

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", _("Toutes"))] + [(c.pk, c.name) for c in communes]


class AlarmNoteForm(forms.Form):
    note = forms.CharField(label=_("Note (facultative)"), max_length=500, required=False, strip=True)
