"""Writes of crisis mode: declare a crisis (its sharing, its checklists, its log), add a commune, tick a step,
write in the log, end it. Each is one transaction with its audit entry; the pages follow by a live event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.geo import GeometryError
from confiance.core.live import publish_on_commit
from confiance.crisis.access import crisis_commune_ids
from confiance.crisis.choices import LOG_TEXT_MAX, CrisisLogKind
from confiance.crisis.defaults import DEFAULT_STEPS
from confiance.crisis.errors import CrisisError, CrisisErrorCode
from confiance.crisis.events import CrisisChanged
from confiance.crisis.models import ChecklistTemplate, CrisisLogEntry, CrisisStep, CrisisStepTick
from confiance.privacy.services import audit_record
from confiance.territory.choices import CrisisKind
from confiance.territory.models import Commune, CrisisSharing
from confiance.territory.selectors import communes_touched_by
from confiance.territory.services import crisis_commune_add, crisis_end, crisis_start


def _publish(crisis: CrisisSharing, what: str, communes: set[int], active: bool = True) -> None:
    event = CrisisChanged(crisis_id=crisis.pk, what=what, title=crisis.name, active=active)
    for commune_id in sorted(communes):  # each commune's agents hear it, also after the sharing has ended
        publish_on_commit(event, commune_id=commune_id)


def _log(crisis: CrisisSharing, kind: str, text: str, *, actor: Actor | None, commune_id: int | None = None,
         at: datetime | None = None) -> CrisisLogEntry:
    return CrisisLogEntry.objects.create(crisis=crisis, kind=kind, text=text, commune_id=commune_id,
                                         written_by_id=actor.agent.pk if actor else None, at=at or timezone.now())


def checklist_steps_for(commune_id: int, kind: str) -> list[str]:
    """The commune's safety-plan steps for this kind of crisis, or the default steps when it has none."""
    template = ChecklistTemplate.objects.filter(commune_id=commune_id, kind=kind).first()
    lines = template.step_lines() if template else []
    return lines or list(DEFAULT_STEPS.get(kind, DEFAULT_STEPS[CrisisKind.OTHER]))


def _copy_checklist(crisis: CrisisSharing, commune_id: int) -> None:
    CrisisStep.objects.bulk_create([
        CrisisStep(crisis=crisis, commune_id=commune_id, position=position, text=text)
        for position, text in enumerate(checklist_steps_for(commune_id, crisis.kind), start=1)])


def _zone_communes(zone: dict | None) -> list[int]:
    if zone is None:
        return []
    try:
        return communes_touched_by(zone)
    except GeometryError as error:
        raise CrisisError(CrisisErrorCode.INVALID_ZONE, _("Zone dessinée illisible : %(reason)s")
                          % {"reason": error}) from None


@transaction.atomic
def crisis_declare(*, actor: Actor, kind: str, title: str = "", commune_ids: Sequence[int] = (),
                   zone: dict | None = None, now: datetime | None = None) -> CrisisSharing:
    """Declare a crisis over communes and/or the communes a drawn zone touches: they share interventions, units
    and alarms from now; each gets its checklist; the log says it."""
    now = now or timezone.now()
    if kind not in CrisisKind.values:
        raise CrisisError(CrisisErrorCode.UNKNOWN_KIND, _("Type de crise inconnu."), details={"kind": kind})
    communes = sorted(set(commune_ids) | set(_zone_communes(zone)))
    if not communes:
        raise CrisisError(CrisisErrorCode.NO_COMMUNE, _("Choisissez au moins une commune ou dessinez une zone."))
    crisis = crisis_start(actor=actor, name=title, commune_ids=communes, now=now, kind=kind, zone=zone)
    names = ", ".join(Commune.objects.filter(pk__in=communes).order_by("name").values_list("name", flat=True))
    for commune_id in communes:
        _copy_checklist(crisis, commune_id)
    _log(crisis, CrisisLogKind.DECLARED, _("Crise « %(title)s » (%(kind)s) déclarée pour : %(communes)s.")
         % {"title": crisis.name, "kind": CrisisKind(kind).label, "communes": names}, actor=actor, at=now)
    _publish(crisis, CrisisLogKind.DECLARED, set(communes))
    return crisis


def _require_active(crisis: CrisisSharing, now: datetime) -> None:
    if not crisis.active_at(now):
        raise CrisisError(CrisisErrorCode.ENDED, _("Cette crise est terminée."), status_code=409)


@transaction.atomic
def crisis_commune_join(*, actor: Actor, crisis: CrisisSharing, commune_id: int,
                        now: datetime | None = None) -> bool:
    """Add one more commune to a crisis in force (with its checklist); False if it was already in."""
    now = now or timezone.now()
    _require_active(crisis, now)
    if not crisis_commune_add(actor=actor, sharing=crisis, commune_id=commune_id, now=now):
        return False
    _copy_checklist(crisis, commune_id)
    commune = Commune.objects.get(pk=commune_id)
    _log(crisis, CrisisLogKind.COMMUNE_ADDED, _("%(commune)s rejoint la crise.") % {"commune": commune.name},
         actor=actor, commune_id=commune_id, at=now)
    _publish(crisis, CrisisLogKind.COMMUNE_ADDED, crisis_commune_ids(crisis) | {commune_id})
    return True


@transaction.atomic
def crisis_step_tick(*, actor: Actor, crisis: CrisisSharing, step_id: int | None,
                     now: datetime | None = None) -> CrisisStepTick:
    """Tick a step of the checklist (once: a second tick returns the first); the actor must follow crises in the
    step's commune."""
    now = now or timezone.now()
    _require_active(crisis, now)
    step = (CrisisStep.objects.select_for_update(of=("self",), no_key=True).filter(crisis=crisis, pk=step_id)
            .select_related("commune").first() if step_id is not None else None)
    if step is None:
        raise CrisisError(CrisisErrorCode.UNKNOWN_STEP, _("Étape inconnue pour cette crise."), status_code=404)
    actor.require(Permission.CRISIS_VIEW, step.commune_id)
    existing = CrisisStepTick.objects.filter(step=step).first()
    if existing is not None:
        return existing
    tick = CrisisStepTick.objects.create(step=step, ticked_by_id=actor.agent.pk, ticked_at=now)
    _log(crisis, CrisisLogKind.STEP_TICKED, _("%(commune)s : « %(step)s » fait.")
         % {"commune": step.commune.name, "step": step.text}, actor=actor, commune_id=step.commune_id, at=now)
    audit_record(actor=actor, action="crisis.step_tick", target=step, extra={"crisis": crisis.pk})
    _publish(crisis, CrisisLogKind.STEP_TICKED, crisis_commune_ids(crisis))
    return tick


@transaction.atomic
def crisis_log_write(*, actor: Actor, crisis: CrisisSharing, text: str, commune_id: int | None = None,
                     now: datetime | None = None) -> CrisisLogEntry:
    """Write a note in the crisis log (the situation, not persons), for one of the crisis's communes."""
    now = now or timezone.now()
    _require_active(crisis, now)
    text = (text or "").strip()
    if not text:
        raise CrisisError(CrisisErrorCode.TEXT_EMPTY, _("Écrivez la note."))
    if len(text) > LOG_TEXT_MAX:
        raise CrisisError(CrisisErrorCode.TEXT_TOO_LONG, _("Note : %(max)d caractères au plus.")
                          % {"max": LOG_TEXT_MAX}, details={"length": len(text), "max": LOG_TEXT_MAX})
    members = crisis_commune_ids(crisis)
    mine = sorted(members & actor.commune_ids(Permission.CRISIS_VIEW))
    if commune_id not in mine:
        commune_id = mine[0] if mine else None
    if commune_id is None:
        actor.require(Permission.CRISIS_VIEW, min(members))
    entry = _log(crisis, CrisisLogKind.NOTE, text, actor=actor, commune_id=commune_id, at=now)
    _publish(crisis, CrisisLogKind.NOTE, members)
    return entry


@transaction.atomic
def crisis_close(*, actor: Actor, crisis: CrisisSharing, now: datetime | None = None) -> CrisisSharing:
    """End the crisis: its sharing stops at this instant; the log says it."""
    now = now or timezone.now()
    _require_active(crisis, now)
    crisis = crisis_end(actor=actor, sharing=crisis, now=now)
    _log(crisis, CrisisLogKind.ENDED, _("Fin de la crise « %(title)s ».") % {"title": crisis.name},
         actor=actor, at=now)
    _publish(crisis, CrisisLogKind.ENDED, crisis_commune_ids(crisis), active=False)
    return crisis


@transaction.atomic
def checklist_template_seed(*, commune: Commune) -> int:
    """Give a commune the default safety-plan steps for every kind of crisis it has no template for."""
    created = 0
    for kind in CrisisKind.values:
        _template, was_created = ChecklistTemplate.objects.get_or_create(
            commune=commune, kind=kind, defaults={"steps": "\n".join(DEFAULT_STEPS[kind])})
        created += int(was_created)
    return created
