"""The crews page: the chef de poste puts the commune's agents on its units for the day, with the shift's hours."""

from __future__ import annotations

from datetime import date, datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.choices import Permission
from confiance.console.access import actor_of, forbidden
from confiance.core.errors import ApplicationError
from confiance.core.parsing import id_or_none
from confiance.operations.models import Shift, Unit
from confiance.operations.services.crews import crew_candidates, crew_set
from confiance.territory.selectors import commune_list_for_actor

DEFAULT_HOURS = (time(8, 0), time(16, 0))
# The hours offered, every half hour, written the French way (24 h) whatever the browser's own clock format.
HALF_HOURS = [f"{minutes // 60:02d}:{minutes % 60:02d}" for minutes in range(0, 24 * 60, 30)]


def _agent_ids(values: list[str]) -> set[int] | None:
    ids = {id_or_none(value) for value in values[:50]}
    return None if None in ids else {value for value in ids if value is not None}


def _hour(value: object) -> time | None:
    if not isinstance(value, str) or len(value) > 8:
        return None
    for form in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.strptime(value, form).time()
        except ValueError:
            continue
    return None


def _shifts_of_day(unit_ids: list[int], day: date) -> dict[int, list[Shift]]:
    by_unit: dict[int, list[Shift]] = {}
    for shift in Shift.objects.filter(unit_id__in=unit_ids, day=day).select_related("agent"):
        by_unit.setdefault(shift.unit_id, []).append(shift)
    return by_unit


def _save(request, actor) -> tuple[bool, int]:
    unit_id, agent_ids = id_or_none(request.POST.get("unit")), _agent_ids(request.POST.getlist("agents"))
    starts_at, ends_at = _hour(request.POST.get("debut")), _hour(request.POST.get("fin"))
    if unit_id is None or agent_ids is None:
        messages.error(request, _("Unité ou agent invalide."))
        return False, 400
    if starts_at is None or ends_at is None:
        messages.error(request, _("Heures de vacation invalides : saisissez-les au format 08:00."))
        return False, 400
    try:
        unit = crew_set(actor=actor, unit_id=unit_id, agent_ids=agent_ids, starts_at=starts_at, ends_at=ends_at)
    except ApplicationError as error:
        messages.error(request, error.message)
        return False, error.status_code
    messages.success(request, _("Équipage de %(unit)s enregistré.") % {"unit": unit.name})
    return True, 302


@login_required
def crews(request):
    actor = actor_of(request)
    managed = actor.commune_ids(Permission.OPERATIONS_MANAGE)
    if not managed:
        return forbidden(request, _("Les équipages sont composés par le chef de poste."))
    status = 200
    if request.method == "POST":
        saved, status = _save(request, actor)
        if saved:
            return redirect("operations:crews")
    today = timezone.localdate()
    communes = [commune for commune in commune_list_for_actor(actor=actor) if commune.pk in managed]
    units = list(Unit.objects.filter(commune_id__in=managed, active=True).select_related("status", "commune")
                 .prefetch_related("agents").order_by("commune__name", "name"))
    shifts = _shifts_of_day([unit.pk for unit in units], today)
    sections = []
    for commune in communes:
        candidates = crew_candidates(commune_id=commune.pk)
        rows = []
        for unit in (unit for unit in units if unit.commune_id == commune.pk):
            unit_shifts = shifts.get(unit.pk, [])
            hours = (unit_shifts[0].starts_at, unit_shifts[0].ends_at) if unit_shifts else DEFAULT_HOURS
            rows.append({"unit": unit, "crew": {agent.pk for agent in unit.agents.all()}, "shifts": unit_shifts,
                         "starts_at": hours[0], "ends_at": hours[1],
                         "start": f"{hours[0]:%H:%M}", "end": f"{hours[1]:%H:%M}"})
        sections.append({"commune": commune, "candidates": candidates, "rows": rows})
    return render(request, "operations/crews.html", {"sections": sections, "today": today, "hours": HALF_HOURS},
                  status=status)
