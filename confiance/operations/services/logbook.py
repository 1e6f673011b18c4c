"""Main courante writes: entries with the forbidden-data check, the author's grace period, corrections, and the
chef de poste's visa that locks a commune's day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import ApplicationError
from confiance.core.live import publish_on_commit
from confiance.operations.choices import EntrySource, PersonRole
from confiance.operations.drafts import EntryDraft, PersonDraft
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.models import Counter, DayVisa, Intervention, LogEntry, LogPerson, Nature
from confiance.operations.payloads import log_entry_created
from confiance.operations.services.common import (
    check_point,
    check_sensitive,
    check_text,
    check_time,
    next_number,
    now_utc,
)
from confiance.privacy.services import audit_record
from confiance.reports.selectors import reports_exist_in_commune
from confiance.territory.models import Commune


def _person_error(index: int, problem: str) -> OperationsError:
    return OperationsError(OperationsErrorCode.PERSON_INVALID,
                           _("Personne %(number)s : %(problem)s") % {"number": index + 1, "problem": problem})


def _clean_person(index: int, person: PersonDraft) -> LogPerson:
    if person.role not in PersonRole.values:
        raise _person_error(index, _("qualité inconnue."))
    last_name = check_text(person.last_name, _("Personne %(number)s, nom") % {"number": index + 1}, limit=100)
    if not last_name:
        raise _person_error(index, _("le nom est requis."))
    if person.birth_date and person.birth_date > timezone.localdate():
        raise _person_error(index, _("date de naissance dans le futur."))
    return LogPerson(role=person.role, last_name=last_name,
                     first_name=check_text(person.first_name, _("Prénom"), limit=100), birth_date=person.birth_date,
                     address=check_text(person.address, _("Adresse"), limit=300),
                     phone=check_text(person.phone, _("Téléphone"), limit=40))


def _clean_persons(persons: Sequence[PersonDraft]) -> list[LogPerson]:
    return [_clean_person(index, person) for index, person in enumerate(persons)]


def _nature(commune: Commune, draft: EntryDraft) -> Nature:
    if draft.source not in EntrySource.values:
        raise OperationsError(OperationsErrorCode.SOURCE_UNKNOWN, _("Source inconnue."),
                              details={"source": draft.source})
    nature = Nature.objects.filter(pk=draft.nature_id, commune=commune, active=True).first()
    if nature is None:
        raise OperationsError(OperationsErrorCode.NATURE_UNKNOWN, _("Nature inconnue dans cette commune."),
                              details={"nature_id": draft.nature_id})
    return nature


def _linked_intervention(commune: Commune, draft: EntryDraft) -> Intervention | None:
    intervention = None
    if draft.intervention_id is not None:
        intervention = Intervention.objects.filter(pk=draft.intervention_id, commune=commune).first()
        if intervention is None:
            raise OperationsError(OperationsErrorCode.LINK_INVALID, _("Intervention inconnue dans cette commune."))
    if draft.report_id is not None and not reports_exist_in_commune([draft.report_id], commune.pk):
        raise OperationsError(OperationsErrorCode.LINK_INVALID, _("Signalement inconnu dans cette commune."))
    return intervention


def _entry_fields(commune: Commune, draft: EntryDraft, now: datetime) -> dict[str, Any]:
    nature = _nature(commune, draft)
    occurred_at = draft.occurred_at or now
    check_time(occurred_at, now=now, label=_("Heure des faits"))
    check_point(draft.lat, draft.lon, required=False)
    text = check_text(draft.text, _("Texte"))
    if not text:
        raise OperationsError(OperationsErrorCode.TEXT_EMPTY, _("Le texte de l'entrée est vide."))
    intervention = _linked_intervention(commune, draft)
    return {"nature": nature, "purpose": nature.purpose, "occurred_at": occurred_at, "source": draft.source,
            "address": check_text(draft.address, _("Lieu"), limit=300), "lat": draft.lat, "lon": draft.lon,
            "text": text, "intervention": intervention, "report_id": draft.report_id}


def _checked_sensitive(fields: dict[str, Any], persons: list[LogPerson], acknowledged: bool) -> list[dict[str, str]]:
    person_texts = [f"{p.last_name} {p.first_name} {p.address}" for p in persons]
    return check_sensitive([fields["text"], fields["address"], *person_texts], acknowledged)


def _save_persons(entry: LogEntry, persons: list[LogPerson]) -> None:
    for person in persons:
        person.entry = entry
    LogPerson.objects.bulk_create(persons)


def day_visa(commune_id: int, day: date) -> DayVisa | None:
    """The visa of this commune's day, if the chef de poste has signed it."""
    return DayVisa.objects.filter(commune_id=commune_id, day=day).select_related("signed_by").first()


def _check_day_open(commune_id: int, moment: datetime) -> None:
    day = timezone.localdate(moment)
    visa = day_visa(commune_id, day)
    if visa is not None:
        raise OperationsError(
            OperationsErrorCode.DAY_SIGNED,
            _("La journée du %(day)s est visée : elle ne peut plus être modifiée. Saisissez une entrée "
              "rectificative datée d'aujourd'hui.") % {"day": day.strftime("%d/%m/%Y")},
            details={"day": day.isoformat()}, status_code=409)


def _lock_commune_log(commune: Commune, now: datetime) -> None:
    """Take the row lock of the commune's entry counter: a visa and a new entry of the same commune wait on it."""
    year = timezone.localtime(now).year
    Counter.objects.get_or_create(commune=commune, kind="log", year=year)
    Counter.objects.filter(commune=commune, kind="log", year=year).update(value=F("value"))


@transaction.atomic
def log_entry_create(*, actor: Actor, commune_id: int, draft: EntryDraft, corrects: LogEntry | None = None,
                     now: datetime | None = None) -> LogEntry:
    """Add a main courante entry; free text is checked for forbidden data categories first."""
    now = now or now_utc()
    actor.require(Permission.OPERATIONS_LOG, commune_id)
    commune = Commune.objects.get(pk=commune_id)
    fields = _entry_fields(commune, draft, now)
    persons = _clean_persons(draft.persons)
    found = _checked_sensitive(fields, persons, draft.acknowledge_sensitive)
    number = next_number(commune, "log", "MC", now)  # locks the counter row: a visa being signed waits
    _check_day_open(commune.pk, fields["occurred_at"])
    entry = LogEntry.objects.create(commune=commune, number=number, corrects=corrects, sensitive_acknowledged=found,
                                    author=actor.agent, created_at=now, updated_at=now, **fields)
    _save_persons(entry, persons)
    audit_record(actor=actor, action="operations.log_entry_create", target=entry, commune_id=commune_id,
                 extra={"number": entry.number, "persons": len(persons),
                        "corrects": corrects.number if corrects else "",
                        "sensitive_confirmed": [m["category"] for m in found]})
    publish_on_commit(log_entry_created(entry), commune_id=commune_id)
    return entry


def grace_period_open(entry: LogEntry, now: datetime | None = None) -> bool:
    """Whether the author may still edit the entry in place."""
    return (now or now_utc()) - entry.created_at <= timedelta(minutes=settings.CONFIANCE_LOGBOOK_GRACE_MINUTES)


def _check_may_edit(actor: Actor, entry: LogEntry, now: datetime) -> None:
    _check_day_open(entry.commune_id, entry.occurred_at)
    if entry.author_id != actor.agent.pk:
        raise OperationsError(OperationsErrorCode.NOT_AUTHOR, _("Seul l'auteur peut modifier son entrée."),
                              status_code=403)
    if not grace_period_open(entry, now):
        raise OperationsError(OperationsErrorCode.GRACE_PERIOD_OVER,
                              _("Le délai de modification est passé : saisissez une entrée rectificative."),
                              status_code=409)


@transaction.atomic
def log_entry_edit(*, actor: Actor, entry: LogEntry, draft: EntryDraft, now: datetime | None = None) -> LogEntry:
    """Its author may still fix an entry during the grace period; after it, only a correction entry may."""
    now = now or now_utc()
    actor.require(Permission.OPERATIONS_LOG, entry.commune_id)
    entry = LogEntry.objects.select_for_update(no_key=True).get(pk=entry.pk)
    _check_may_edit(actor, entry, now)
    fields = _entry_fields(entry.commune, draft, now)
    _check_day_open(entry.commune_id, fields["occurred_at"])
    persons = _clean_persons(draft.persons)
    found = _checked_sensitive(fields, persons, draft.acknowledge_sensitive)
    before = {"text": entry.text, "nature": entry.nature.code, "occurred_at": entry.occurred_at.isoformat()}
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.sensitive_acknowledged = found
    entry.updated_at = now
    entry.save()
    entry.persons.all().delete()
    _save_persons(entry, persons)
    audit_record(actor=actor, action="operations.log_entry_edit", target=entry, commune_id=entry.commune_id,
                 extra={"before": before, "persons": len(persons)})
    return entry


def log_entry_correct(*, actor: Actor, entry: LogEntry, draft: EntryDraft, now: datetime | None = None) -> LogEntry:
    """A new entry that corrects an earlier one (which stays as it was)."""
    return log_entry_create(actor=actor, commune_id=entry.commune_id, draft=draft, corrects=entry, now=now)


def may_edit(actor: Actor, entry: LogEntry, now: datetime | None = None) -> bool:
    """Whether the page offers the in-place edit: the author, during the grace period, on a day not yet signed."""
    try:
        actor.require(Permission.OPERATIONS_LOG, entry.commune_id)
        _check_may_edit(actor, entry, now or now_utc())
    except ApplicationError:
        return False
    return True


@transaction.atomic
def log_day_sign(*, actor: Actor, commune_id: int, day: date, now: datetime | None = None) -> DayVisa:
    """The chef de poste signs off a commune's day: no entry may be added to it, nor edited, afterwards."""
    now = now or now_utc()
    actor.require(Permission.OPERATIONS_SIGN, commune_id)
    if day > timezone.localdate(now):
        raise OperationsError(OperationsErrorCode.DAY_INVALID, _("Une journée à venir ne peut pas être visée."),
                              details={"day": day.isoformat()})
    commune = Commune.objects.get(pk=commune_id)
    try:
        with transaction.atomic():
            _lock_commune_log(commune, now)  # entries being written for this commune finish first
            visa = DayVisa.objects.create(commune=commune, day=day, signed_by=actor.agent, signed_at=now)
    except IntegrityError:
        raise OperationsError(OperationsErrorCode.DAY_SIGNED,
                              _("La journée du %(day)s est déjà visée.") % {"day": day.strftime("%d/%m/%Y")},
                              status_code=409) from None
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    entries = LogEntry.objects.filter(commune=commune, occurred_at__gte=start,
                                      occurred_at__lt=start + timedelta(days=1)).count()
    audit_record(actor=actor, action="operations.log_day_sign", target=visa, commune_id=commune_id,
                 extra={"day": day.isoformat(), "entries": entries})
    return visa
