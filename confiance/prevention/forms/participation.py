"""Forms of the prevention pages; each builds a draft for one service."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.prevention.choices import (
    Direction,
    ObservationKind,
    ObservationStatus,
    ProtocolForce,
    ReserveAvailability,
    ReserveSkill,
    VehicleColour,
    VehicleType,
)
from confiance.prevention.drafts import (
    MissionDraft,
    MobilisationDraft,
    ObservationDraft,
    ProtocolDraft,
    ReferentDraft,
    VolunteerDraft,
)

DATETIME_LOCAL = {"type": "datetime-local"}


def _bounded_date(value: date | None) -> date | None:
    if value is not None and not date(2000, 1, 1) <= value <= date(2100, 12, 31):
        raise ValidationError(_("Date hors des années 2000 à 2100."))
    return value


class _BoundedDateTimeField(forms.DateTimeField):
    def clean(self, value):
        moment = super().clean(value)
        if moment is not None:
            _bounded_date(moment.date())
        return moment


class _BoundedDateField(forms.DateField):
    def clean(self, value):
        return _bounded_date(super().clean(value))


def _choices_from(label: str, commune_choices):
    return forms.TypedChoiceField(label=label, coerce=int, choices=commune_choices)


# --- Participation citoyenne ---------------------------------------------------------------------


class ProtocolForm(forms.Form):
    commune = forms.TypedChoiceField(label=_("Commune"), coerce=int)
    signed_on = _BoundedDateField(label=_("Signé le"), widget=forms.DateInput(attrs={"type": "date"}))
    mayor = forms.CharField(label=_("Maire signataire"), max_length=200)
    prefect = forms.CharField(label=_("Préfet signataire"), max_length=200)
    force = forms.ChoiceField(label=_("Force signataire"), choices=ProtocolForce.choices)
    commander = forms.CharField(label=_("Commandant signataire"), max_length=200)
    contact_email = forms.EmailField(label=_("E-mail de la brigade ou du commissariat"), max_length=254)
    share_referent_contact = forms.BooleanField(
        label=_("Le protocole prévoit de transmettre le nom et le téléphone du référent"), required=False)

    def __init__(self, *args, communes, **kwargs):
        kwargs.setdefault("auto_id", "protocol-%s")  # several forms on one page: ids of their own
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(c.pk, c.name) for c in communes]

    def draft(self) -> ProtocolDraft:
        data = self.cleaned_data
        return ProtocolDraft(signed_on=data["signed_on"], mayor=data["mayor"], prefect=data["prefect"],
                             force=data["force"], commander=data["commander"], contact_email=data["contact_email"],
                             share_referent_contact=data["share_referent_contact"])


class ReferentForm(forms.Form):
    sector = forms.TypedChoiceField(label=_("Secteur"), coerce=int)
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             help_text=_("Le référent y reçoit le lien de sa page personnelle."))
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)

    def __init__(self, *args, sectors, **kwargs):
        kwargs.setdefault("auto_id", "referent-%s")  # several forms on one page: ids of their own
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [(s.pk, f"{s.commune.name} — {s.name}") for s in sectors]

    def draft(self) -> ReferentDraft:
        data = self.cleaned_data
        return ReferentDraft(sector_id=data["sector"], first_name=data["first_name"], last_name=data["last_name"],
                             email=data["email"], phone=data["phone"])


class ObservationForm(forms.Form):
    """The referent's phone form: facts only (no field describes a person)."""

    kind = forms.ChoiceField(label=_("Qu'avez-vous observé ?"), choices=[("", _("— choisissez —")),
                                                                         *ObservationKind.choices])
    occurred_at = _BoundedDateTimeField(label=_("Quand ?"), widget=forms.DateTimeInput(
        attrs=DATETIME_LOCAL, format="%Y-%m-%dT%H:%M"), help_text=_("Vide : maintenant."), required=False)
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    address = forms.CharField(label=_("Adresse ou repère"), max_length=300, required=False)
    vehicle_type = forms.ChoiceField(label=_("Véhicule"), choices=VehicleType.choices, required=False)
    vehicle_colour = forms.ChoiceField(label=_("Couleur du véhicule"), choices=VehicleColour.choices, required=False)
    direction = forms.ChoiceField(label=_("Direction prise"), choices=Direction.choices, required=False)
    text = forms.CharField(label=_("Précisions sur les faits"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Décrivez ce qui s'est passé, pas les personnes : ni nom, ni apparence, ni "
                                       "origine."))
    confirm_text = forms.BooleanField(
        label=_("Je confirme : mon texte ne désigne ni ne décrit personne (le mot signalé est un nom de rue, de "
                "commerce…)."), required=False)

    def draft(self) -> ObservationDraft:
        data = self.cleaned_data
        return ObservationDraft(
            kind=data["kind"], occurred_at=data["occurred_at"] or timezone.now(), lat=data["lat"], lon=data["lon"],
            address=data["address"], vehicle_type=data["vehicle_type"], vehicle_colour=data["vehicle_colour"],
            direction=data["direction"], text=data["text"], confirm_text=data["confirm_text"])


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), choices=[
        (value, label) for value, label in ObservationStatus.choices
        if value in (ObservationStatus.ACKNOWLEDGED, ObservationStatus.CLOSED)])
    note = forms.CharField(label=_("Message au référent"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class PreventionMessageForm(forms.Form):
    target = forms.ChoiceField(label=_("Destinataires"))
    subject = forms.CharField(label=_("Objet"), max_length=200)
    body = forms.CharField(label=_("Message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, communes, sectors, **kwargs):
        kwargs.setdefault("auto_id", "message-%s")  # several forms on one page: ids of their own
        super().__init__(*args, **kwargs)
        choices = [(f"c{c.pk}", _("Tous les référents de %(commune)s") % {"commune": c.name}) for c in communes]
        choices += [(f"s{s.pk}", f"{s.commune.name} — {s.name}") for s in sectors]
        self.fields["target"].choices = choices
        self.sector_communes = {s.pk: s.commune_id for s in sectors}

    def target_ids(self) -> tuple[int, int | None]:
        """(commune id, sector id or None) of the chosen target."""
        target = self.cleaned_data["target"]
        number = int(target[1:])
        return (number, None) if target[0] == "c" else (self.sector_communes[number], number)


# --- Réserve communale ---------------------------------------------------------------------------


class VolunteerForm(forms.Form):
    commune = forms.TypedChoiceField(label=_("Commune"), coerce=int)
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Téléphone mobile"), max_length=30, required=False)
    skills = forms.MultipleChoiceField(label=_("Compétences"), choices=ReserveSkill.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    availability = forms.MultipleChoiceField(label=_("Disponibilités"), choices=ReserveAvailability.choices,
                                             required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, communes, **kwargs):
        kwargs.setdefault("auto_id", "volunteer-%s")  # several forms on one page: ids of their own
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(c.pk, c.name) for c in communes]

    def draft(self) -> VolunteerDraft:
        data = self.cleaned_data
        return VolunteerDraft(first_name=data["first_name"], last_name=data["last_name"], email=data["email"],
                              phone=data["phone"], skills=list(data["skills"]),
                              availability=list(data["availability"]))


class MobilisationForm(forms.Form):
    commune = forms.TypedChoiceField(label=_("Commune"), coerce=int)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    message = forms.CharField(label=_("Message aux réservistes"), max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Envoyé par e-mail et SMS, avec un lien pour répondre."))
    crisis = forms.TypedChoiceField(label=_("Crise"), coerce=int, required=False, empty_value=None)
    skills = forms.MultipleChoiceField(label=_("Compétences recherchées (aucune : tous les réservistes)"),
                                       choices=ReserveSkill.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, communes, crises, **kwargs):
        kwargs.setdefault("auto_id", "mobilisation-%s")  # several forms on one page: ids of their own
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(c.pk, c.name) for c in communes]
        self.fields["crisis"].choices = [("", _("— aucune —")), *[(c.pk, c.name) for c in crises]]

    def draft(self) -> MobilisationDraft:
        data = self.cleaned_data
        return MobilisationDraft(title=data["title"], message=data["message"], crisis_id=data["crisis"],
                                 skills=list(data["skills"]))


class MissionForm(forms.Form):
    commune = forms.TypedChoiceField(label=_("Commune"), coerce=int)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    place = forms.CharField(label=_("Lieu"), max_length=300, required=False)
    starts_at = _BoundedDateTimeField(label=_("Début"), widget=forms.DateTimeInput(attrs=DATETIME_LOCAL,
                                                                                    format="%Y-%m-%dT%H:%M"))
    ends_at = _BoundedDateTimeField(label=_("Fin"), required=False, widget=forms.DateTimeInput(
        attrs=DATETIME_LOCAL, format="%Y-%m-%dT%H:%M"))
    mobilisation = forms.TypedChoiceField(label=_("Mobilisation"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, communes, mobilisations, **kwargs):
        kwargs.setdefault("auto_id", "mission-%s")  # several forms on one page: ids of their own
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(c.pk, c.name) for c in communes]
        self.fields["mobilisation"].choices = [("", _("— aucune —")), *[(m.pk, m.title) for m in mobilisations]]

    def draft(self) -> MissionDraft:
        data = self.cleaned_data
        return MissionDraft(title=data["title"], place=data["place"], starts_at=data["starts_at"],
                            ends_at=data["ends_at"], mobilisation_id=data["mobilisation"])
