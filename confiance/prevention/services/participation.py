"""Participation citoyenne: the protocol, the referents, their observations and the messages to them.

Referents have no account: each has a personal private link (`prevention/links.py`, docs/prevention-participation.md
says why), revoked with them. Observations are facts; their free text is checked for names and the forbidden data
categories (`core/sensitive.py`, shared with the main courante) and the referent confirms or rewrites.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.actors import PublicActor
from confiance.core.geo import valid_lat_lon
from confiance.core.live import publish_on_commit
from confiance.core.sensitive import named_persons, sensitive_matches
from confiance.operations.choices import InterventionOrigin
from confiance.operations.drafts import InterventionDraft
from confiance.operations.models import InterventionType
from confiance.operations.services.interventions import intervention_create
from confiance.prevention.choices import (
    Direction,
    ObservationKind,
    ObservationStatus,
    ProtocolForce,
    VehicleColour,
    VehicleType,
)
from confiance.prevention.drafts import ObservationDraft, ProtocolDraft, ReferentDraft
from confiance.prevention.errors import PreventionError, PreventionErrorCode
from confiance.prevention.events import ObservationChanged, ObservationReceived
from confiance.prevention.links import new_referent_token, referent_page_url
from confiance.prevention.models import (
    OBSERVATION_TEXT_MAX,
    Observation,
    ObservationUpdate,
    ParticipationProtocol,
    PreventionMessage,
    Referent,
)
from confiance.privacy.services import audit_record
from confiance.territory.models import Commune, Sector
from confiance.territory.selectors import locate_point

logger = logging.getLogger(__name__)
CLOCK_SKEW = timedelta(minutes=5)
OBSERVATION_MAX_AGE = timedelta(days=7)


def _text(value: str, label: str, limit: int, *, required: bool = False) -> str:
    value = " ".join((value or "").split()) if limit <= 300 else (value or "").strip()
    if required and not value:
        raise PreventionError(PreventionErrorCode.REFERENT_INVALID, _("%(label)s : obligatoire.") % {"label": label})
    if len(value) > limit or "\x00" in value:
        raise PreventionError(PreventionErrorCode.OBSERVATION_INVALID,
                              _("%(label)s : %(limit)s caractères au plus.") % {"label": label, "limit": limit})
    return value


# --- Protocol ------------------------------------------------------------------------------------

@transaction.atomic
def protocol_record(*, actor: Actor, commune_id: int, draft: ProtocolDraft) -> ParticipationProtocol:
    """Record the protocol signed by the mayor, the prefect and the commander (a renewal is a new protocol)."""
    actor.require(Permission.PREVENTION_MANAGE, commune_id)
    if not date(2000, 1, 1) <= draft.signed_on <= timezone.localdate() or draft.force not in ProtocolForce.values:
        raise PreventionError(PreventionErrorCode.PROTOCOL_INVALID,
                              _("Date de signature ou force signataire invalide (pas de date future)."))
    if "@" not in (draft.contact_email or "") or len(draft.contact_email) > 254:
        raise PreventionError(PreventionErrorCode.PROTOCOL_INVALID, _("E-mail de la brigade invalide."))
    protocol = ParticipationProtocol.objects.create(
        commune_id=commune_id, signed_on=draft.signed_on, mayor=_text(draft.mayor, _("Maire"), 200, required=True),
        prefect=_text(draft.prefect, _("Préfet"), 200, required=True), force=draft.force,
        commander=_text(draft.commander, _("Commandant"), 200, required=True), contact_email=draft.contact_email,
        share_referent_contact=draft.share_referent_contact, recorded_by=actor.agent)
    audit_record(actor=actor, action="prevention.protocol_record", target=protocol,
                 extra={"signed_on": draft.signed_on.isoformat(), "ends_on": protocol.ends_on.isoformat()})
    return protocol


def protocol_in_force(commune_id: int, on: date | None = None) -> ParticipationProtocol | None:
    on = on or timezone.localdate()
    protocol = (ParticipationProtocol.objects.filter(commune_id=commune_id, signed_on__lte=on)
                .order_by("-signed_on", "-pk").first())
    return protocol if protocol is not None and protocol.in_force(on) else None


# --- Referents -----------------------------------------------------------------------------------

def _send_referent_link(referent: Referent, token: str) -> None:
    body = _("Bonjour %(name)s,\n\nLe maire vous a nommé(e) référent(e) de participation citoyenne pour le secteur "
             "« %(sector)s ». Votre page personnelle, pour transmettre vos observations à la police municipale et "
             "suivre leur traitement :\n\n%(url)s\n\nGardez ce lien pour vous : il vous identifie. Vous n'avez aucun "
             "pouvoir de police ; signalez des faits, jamais des personnes. En cas d'urgence, appelez le 17.") % {
        "name": referent.first_name, "sector": referent.sector.name, "url": referent_page_url(token)}
    _mail_on_commit(_("Votre page de référent de participation citoyenne"), body, [referent.email])


def _mail_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception:  # a mail server down must not undo the write; the log says so
            logger.exception("prevention: e-mail to %s recipient(s) not sent", len(recipients))
    if recipients:
        transaction.on_commit(send)


@transaction.atomic
def referent_name(*, actor: Actor, commune_id: int, draft: ReferentDraft) -> tuple[Referent, str]:
    """Name a referent of a sector of the commune, under a protocol in force; returns the referent and the token of
    their private link (also sent to them by e-mail)."""
    actor.require(Permission.PREVENTION_MANAGE, commune_id)
    sector = Sector.objects.filter(pk=draft.sector_id).first()
    if sector is None or sector.commune_id != commune_id:
        raise PreventionError(PreventionErrorCode.SECTOR_OTHER_COMMUNE,
                              _("Ce secteur n'appartient pas à la commune."), details={"sector_id": draft.sector_id})
    if protocol_in_force(commune_id) is None:
        raise PreventionError(PreventionErrorCode.NO_PROTOCOL, _(
            "Aucun protocole de participation citoyenne en vigueur : enregistrez d'abord le protocole signé."))
    if "@" not in (draft.email or "") or len(draft.email) > 254:
        raise PreventionError(PreventionErrorCode.REFERENT_INVALID, _("E-mail du référent invalide."))
    referent = Referent.objects.create(
        commune_id=commune_id, sector=sector, first_name=_text(draft.first_name, _("Prénom"), 100, required=True),
        last_name=_text(draft.last_name, _("Nom"), 100, required=True), email=draft.email,
        phone=_text(draft.phone, _("Téléphone"), 30), named_by=actor.agent)
    token, stored = new_referent_token(referent.pk)
    Referent.objects.filter(pk=referent.pk).update(link_hash=stored)
    referent.link_hash = stored
    audit_record(actor=actor, action="prevention.referent_name", target=referent, extra={"sector": sector.code})
    _send_referent_link(referent, token)
    return referent, token


def _active(referent: Referent) -> None:
    if referent.revoked_at is not None:
        raise PreventionError(PreventionErrorCode.REFERENT_REVOKED, _("Ce référent a été révoqué."), status_code=403)


@transaction.atomic
def referent_revoke(*, actor: Actor, referent: Referent, reason: str = "") -> Referent:
    """End a referent's mission: their link stops working at once; their data is purged later (retention)."""
    actor.require(Permission.PREVENTION_MANAGE, referent.commune_id)
    referent = Referent.objects.select_for_update(no_key=True).get(pk=referent.pk)
    _active(referent)
    referent.revoked_at, referent.revoked_by = timezone.now(), actor.agent
    referent.revocation_reason, referent.link_hash = _text(reason, _("Motif"), 300), ""
    referent.save(update_fields=["revoked_at", "revoked_by", "revocation_reason", "link_hash"])
    audit_record(actor=actor, action="prevention.referent_revoke", target=referent)
    return referent


@transaction.atomic
def referent_link_renew(*, actor: Actor, referent: Referent) -> str:
    """A new private link (the old one stops working), sent to the referent."""
    actor.require(Permission.PREVENTION_MANAGE, referent.commune_id)
    _active(referent)
    token, stored = new_referent_token(referent.pk)
    Referent.objects.filter(pk=referent.pk).update(link_hash=stored)
    audit_record(actor=actor, action="prevention.referent_link_renew", target=referent)
    _send_referent_link(referent, token)
    return token


# --- Observations --------------------------------------------------------------------------------

def _check_choices(draft: ObservationDraft) -> None:
    wrong = [name for name, value, allowed in (
        ("kind", draft.kind, ObservationKind.values), ("vehicle_type", draft.vehicle_type, VehicleType.values),
        ("vehicle_colour", draft.vehicle_colour, VehicleColour.values),
        ("direction", draft.direction, Direction.values)) if value not in allowed]
    if wrong:
        raise PreventionError(PreventionErrorCode.OBSERVATION_INVALID, _("Valeur hors de la liste proposée."),
                              details={"fields": wrong})


def _check_when(moment: datetime, now: datetime) -> None:
    if timezone.is_naive(moment) or moment > now + CLOCK_SKEW or moment < now - OBSERVATION_MAX_AGE:
        raise PreventionError(PreventionErrorCode.OBSERVATION_INVALID, _(
            "Heure de l'observation invalide : ni dans le futur, ni il y a plus de 7 jours."))


def _check_place(referent: Referent, lat: float, lon: float) -> None:
    if not valid_lat_lon(lat, lon):
        raise PreventionError(PreventionErrorCode.OBSERVATION_INVALID, _("Position invalide."))
    location = locate_point(lat=lat, lon=lon)
    if location.commune_id != referent.commune_id or location.sector_id != referent.sector_id:
        raise PreventionError(PreventionErrorCode.OUTSIDE_SECTOR, _(
            "Ce lieu n'est pas dans votre secteur (%(sector)s) : un référent transmet les faits de son secteur. "
            "Pour un fait ailleurs, appelez la police municipale, ou le 17 en cas d'urgence.")
            % {"sector": referent.sector.name}, details={"sector_id": location.sector_id})


def check_observation_text(text: str, confirmed: bool) -> list[dict[str, str]]:
    """Warn about a name or a forbidden category in the free text; the referent may confirm (kept with it)."""
    found = [match.as_dict() for match in named_persons(text) + sensitive_matches(text)]
    if found and not confirmed:
        labels = ", ".join(sorted({match["category_label"] for match in found}))
        raise PreventionError(PreventionErrorCode.SENSITIVE_DATA, _(
            "Votre texte semble décrire une personne (%(labels)s). Un référent signale des faits, pas des "
            "personnes : reformulez, ou confirmez si le mot est employé dans un autre sens (un nom de rue, "
            "de commerce).") % {"labels": labels}, details={"matches": found}, status_code=422)
    return found


def vehicle_text(observation: Observation) -> str:
    parts = [observation.get_vehicle_type_display() if observation.vehicle_type else "",
             observation.get_vehicle_colour_display().lower() if observation.vehicle_colour else "",
             observation.get_direction_display().lower() if observation.direction else ""]
    return ", ".join(part for part in parts if part)


@transaction.atomic
def observation_submit(*, referent: Referent, draft: ObservationDraft, now: datetime | None = None) -> Observation:
    """A referent's observation of their sector: stored, live on the police's pages, e-mailed to the gendarmerie."""
    now = now or timezone.now()
    referent = Referent.objects.select_related("sector", "commune").get(pk=referent.pk)
    _active(referent)
    _check_choices(draft)
    _check_when(draft.occurred_at, now)
    _check_place(referent, draft.lat, draft.lon)
    text = _text(draft.text, _("Précisions"), OBSERVATION_TEXT_MAX)
    found = check_observation_text(text, draft.confirm_text)
    observation = Observation.objects.create(
        commune_id=referent.commune_id, sector_id=referent.sector_id, referent=referent, kind=draft.kind,
        occurred_at=draft.occurred_at, lat=draft.lat, lon=draft.lon, address=_text(draft.address, _("Adresse"), 300),
        vehicle_type=draft.vehicle_type, vehicle_colour=draft.vehicle_colour, direction=draft.direction, text=text,
        sensitive_confirmed=sorted({match["category"] for match in found}), created_at=now)
    ObservationUpdate.objects.create(observation=observation, status=ObservationStatus.RECEIVED, at=now)
    audit_record(actor=PublicActor(f"référent n° {referent.pk}"), action="prevention.observation_submit",
                 target=observation, extra={"kind": draft.kind, "sensitive_confirmed": observation.sensitive_confirmed})
    vehicle = vehicle_text(observation)
    publish_on_commit(ObservationReceived(
        observation_id=observation.pk, kind=observation.kind, kind_label=observation.get_kind_display(),
        sector=referent.sector.name, address=observation.address, lat=observation.lat, lon=observation.lon,
        occurred_at=observation.occurred_at.isoformat(), vehicle=vehicle,
        name=f"{observation.get_kind_display()} — {referent.sector.name}"), commune_id=referent.commune_id)
    _notify_contact(observation, referent)
    return observation


def _notify_contact(observation: Observation, referent: Referent) -> None:
    """The gendarmerie (or police nationale) of the protocol gets a summary; of the referent, only what the
    protocol allows (their sector, or also their name and phone)."""
    protocol = protocol_in_force(referent.commune_id, timezone.localdate(observation.created_at))
    if protocol is None:
        return
    when = timezone.localtime(observation.occurred_at).strftime("%d/%m/%Y %H:%M")
    who = (_("%(name)s, référent du secteur %(sector)s, %(phone)s") % {
        "name": str(referent), "sector": referent.sector.name, "phone": referent.phone or "-"}
        if protocol.share_referent_contact else _("un référent du secteur %(sector)s") % {
            "sector": referent.sector.name})
    lines = [
        _("Observation n° %(number)s transmise par %(who)s.") % {"number": observation.pk, "who": who},
        _("Fait : %(kind)s") % {"kind": observation.get_kind_display()},
        _("Quand : %(when)s") % {"when": when},
        _("Où : %(address)s (%(lat).5f, %(lon).5f)") % {"address": observation.address or "-",
                                                      "lat": observation.lat, "lon": observation.lon},
        _("Véhicule : %(vehicle)s") % {"vehicle": vehicle_text(observation) or "-"},
        _("Précisions : %(text)s") % {"text": observation.text or "-"},
    ]
    _mail_on_commit(_("[%(commune)s] Participation citoyenne : %(kind)s") % {
        "commune": referent.commune.name, "kind": observation.get_kind_display()}, "\n".join(lines),
        [protocol.contact_email])
    Observation.objects.filter(pk=observation.pk).update(contact_notified_at=observation.created_at)


def _observation_step(actor: Actor, observation: Observation, status: str, note: str, action: str) -> Observation:
    actor.require(Permission.PREVENTION_VIEW, observation.commune_id)
    if status not in ObservationStatus.values or status == ObservationStatus.RECEIVED:
        raise PreventionError(PreventionErrorCode.STATUS_INVALID, _("État de suivi invalide."))
    note = _text(note, _("Message au référent"), 500)
    check_observation_text(note, confirmed=True)  # the agents' own text is not blocked, only referents are warned
    Observation.objects.filter(pk=observation.pk).update(status=status)
    observation.status = status
    ObservationUpdate.objects.create(observation=observation, status=status, note=note, by=actor.agent)
    audit_record(actor=actor, action=action, target=observation, extra={"status": status})
    publish_on_commit(ObservationChanged(
        observation_id=observation.pk, status=status, status_label=str(ObservationStatus(status).label),
        name=f"n° {observation.pk}"), commune_id=observation.commune_id)
    return observation


@transaction.atomic
def observation_follow_up(*, actor: Actor, observation: Observation, status: str, note: str = "") -> Observation:
    """Acknowledge or close an observation, with a note the referent reads on their page."""
    return _observation_step(actor, observation, status, note, "prevention.observation_follow_up")


@transaction.atomic
def observation_to_intervention(*, actor: Actor, observation: Observation, type_id: int):
    """Open an intervention of the police municipale from an observation (operations' service does the rest)."""
    actor.require(Permission.OPERATIONS_LOG, observation.commune_id)
    actor.require(Permission.PREVENTION_VIEW, observation.commune_id)
    if observation.intervention_id is not None:
        raise PreventionError(PreventionErrorCode.STATUS_INVALID, _("Une intervention est déjà ouverte."))
    if not InterventionType.objects.filter(pk=type_id, commune_id=observation.commune_id, active=True).exists():
        raise PreventionError(PreventionErrorCode.STATUS_INVALID, _("Type d'intervention inconnu dans la commune."))
    description = _("Observation n° %(number)s d'un référent : %(kind)s. %(vehicle)s %(text)s") % {
        "number": observation.pk, "kind": observation.get_kind_display(), "vehicle": vehicle_text(observation),
        "text": observation.text}
    intervention = intervention_create(actor=actor, commune_id=observation.commune_id, draft=InterventionDraft(
        type_id=type_id, lat=observation.lat, lon=observation.lon, origin=InterventionOrigin.OBSERVATION,
        address=observation.address, description=" ".join(description.split())[:2000],
        acknowledge_sensitive=bool(observation.sensitive_confirmed)))
    Observation.objects.filter(pk=observation.pk).update(intervention=intervention)
    observation.intervention = intervention
    _observation_step(actor, observation, ObservationStatus.INTERVENTION,
                      _("Une patrouille de la police municipale est engagée."), "prevention.observation_intervention")
    return intervention


# --- Prevention messages -------------------------------------------------------------------------

@transaction.atomic
def prevention_message_send(*, actor: Actor, commune_id: int, sector_id: int | None, subject: str,
                            body: str) -> PreventionMessage:
    """A prevention message of the police municipale to the active referents of a sector (or of the commune)."""
    actor.require(Permission.PREVENTION_VIEW, commune_id)
    commune = Commune.objects.get(pk=commune_id)
    if sector_id is not None and not Sector.objects.filter(pk=sector_id, commune_id=commune_id).exists():
        raise PreventionError(PreventionErrorCode.SECTOR_OTHER_COMMUNE, _("Ce secteur n'appartient pas à la commune."))
    subject = _text(subject, _("Objet"), 200)
    body = (body or "").strip()
    if not subject or not body or len(body) > 4000 or "\x00" in body + subject:
        raise PreventionError(PreventionErrorCode.MESSAGE_INVALID, _("Objet et message obligatoires (4000 "
                                                                     "caractères au plus)."))
    referents = Referent.objects.filter(commune_id=commune_id, revoked_at__isnull=True)
    if sector_id is not None:
        referents = referents.filter(sector_id=sector_id)
    emails = sorted(set(referents.values_list("email", flat=True)))
    message = PreventionMessage.objects.create(commune=commune, sector_id=sector_id, subject=subject, body=body,
                                               recipients=len(emails), sent_by=actor.agent)
    audit_record(actor=actor, action="prevention.message_send", target=message, extra={"recipients": len(emails)})
    for email in emails:  # one e-mail each: referents do not learn each other's addresses
        _mail_on_commit(f"[{commune.name}] {subject}", body, [email])
    return message
