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
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                 format="%Y-%m-%dT%H:%M"),
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
        # The natures of each commune (entry-form.js switches the list when the commune changes); the form offers
        # and accepts only those of the chosen commune.
        by_commune: dict[int, list[tuple[int, str]]] = {c.pk: [] for c in communes}
        for nature in natures:
            if nature.commune_id in by_commune:
                by_commune[nature.commune_id].append((nature.pk, nature.label))
        self.nature_options = {str(pk): [[nature_id, label] for nature_id, label in rows]
                               for pk, rows in by_commune.items()}
        self.fields["nature"].choices = by_commune.get(self.chosen_commune_id(communes), [])

    def chosen_commune_id(self, communes) -> int | None:
        """The commune the form is on: the one posted, else the initial one, else the first offered."""
        raw = self.data.get(self.add_prefix("commune")) if self.is_bound else self.initial.get("commune")
        known = [c.pk for c in communes]
        try:
            chosen = int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            chosen = None
        return chosen if chosen in known else (known[0] if known else None)

    @staticmethod
    def initial_from(entry) -> dict:
        """The form's initial values for an entry edited during its grace period (persons: the first one)."""
        initial = {"commune": entry.commune_id, "nature": entry.nature_id, "source": entry.source,
                   "occurred_at": timezone.localtime(entry.occurred_at).replace(tzinfo=None, second=0, microsecond=0),
                   "address": entry.address, "text": entry.text, "lat": entry.lat, "lon": entry.lon}
        person = next(iter(entry.persons.all()), None)
        if person is not None:
            initial.update(person_role=person.role, person_last_name=person.last_name,
                           person_first_name=person.first_name, person_birth_date=person.birth_date,
                           person_phone=person.phone)
        return initial

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
