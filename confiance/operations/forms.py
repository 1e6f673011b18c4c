"""Forms of the operations pages (the API validates its own payloads)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.operations.choices import EntrySource, PersonRole
from confiance.operations.drafts import EntryDraft, PersonDraft


class LogEntryForm(forms.Form):
    commune = forms.TypedChoiceField(label=_("Commune"), coerce=int)
    nature = forms.TypedChoiceField(label=_("Nature"), coerce=int)
    source = forms.ChoiceField(label=_("Source"), choices=EntrySource.choices, initial=EntrySource.PATROL)
    occurred_at = forms.DateTimeField(label=_("Heure des faits"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                      help_text=_("Vide : maintenant."))
    address = forms.CharField(label=_("Lieu"), max_length=300, required=False)
    text = forms.CharField(label=_("Texte"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    person_role = forms.ChoiceField(label=_("Personne concernée : qualité"), required=False,
                                    choices=[("", _("— aucune —")), *PersonRole.choices])
    person_last_name = forms.CharField(label=_("Nom"), max_length=100, required=False)
    person_first_name = forms.CharField(label=_("Prénom"), max_length=100, required=False)
    person_birth_date = forms.DateField(label=_("Date de naissance"), required=False,
                                        widget=forms.DateInput(attrs={"type": "date"}))
    person_phone = forms.CharField(label=_("Téléphone"), max_length=40, required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    acknowledge_sensitive = forms.BooleanField(
        label=_("Je confirme : ces mots ne décrivent pas une origine, une opinion, une religion, une appartenance "
                "syndicale, la santé ou la vie sexuelle d'une personne."), required=False)

    def __init__(self, *args, communes, natures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(c.pk, c.name) for c in communes]
        self.fields["nature"].choices = [(n.pk, f"{n.label} ({n.commune.name})" if len(communes) > 1 else n.label)
                                         for n in natures]

    def clean(self):
        data = super().clean()
        if data.get("person_role") and not data.get("person_last_name"):
            self.add_error("person_last_name", _("Le nom de la personne concernée est requis."))
        moment = data.get("occurred_at")
        if moment and moment > timezone.now() + timezone.timedelta(minutes=2):
            self.add_error("occurred_at", _("L'heure des faits est dans le futur."))
        return data

    def draft(self) -> EntryDraft:
        data = self.cleaned_data
        persons = []
        if data.get("person_role"):
            persons.append(PersonDraft(role=data["person_role"], last_name=data["person_last_name"],
                                       first_name=data["person_first_name"], birth_date=data["person_birth_date"],
                                       phone=data["person_phone"]))
        return EntryDraft(nature_id=data["nature"], source=data["source"], text=data["text"],
                          occurred_at=data.get("occurred_at"), address=data.get("address", ""), lat=data.get("lat"),
                          lon=data.get("lon"), persons=persons,
                          acknowledge_sensitive=bool(data.get("acknowledge_sensitive")))
