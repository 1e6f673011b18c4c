"""The crews page: the chef de poste puts the commune's agents on its units for the day."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.choices import Permission
from confiance.console.access import actor_of, forbidden
from confiance.core.errors import ApplicationError
from confiance.core.parsing import id_or_none
from confiance.operations.models import Unit
from confiance.operations.services.crews import crew_candidates, crew_set
from confiance.territory.selectors import commune_list_for_actor


def _agent_ids(values: list[str]) -> set[int] | None:
    ids = {id_or_none(value) for value in values[:50]}
    return None if None in ids else {value for value in ids if value is not None}


@login_required
def crews(request):
    actor = actor_of(request)
    managed = actor.commune_ids(Permission.OPERATIONS_MANAGE)
    if not managed:
        return forbidden(request, _("Les équipages sont composés par le chef de poste."))
    status = 200
    if request.method == "POST":
        unit_id, agent_ids = id_or_none(request.POST.get("unit")), _agent_ids(request.POST.getlist("agents"))
        if unit_id is None or agent_ids is None:
            messages.error(request, _("Unité ou agent invalide."))
            status = 400
        else:
            try:
                unit = crew_set(actor=actor, unit_id=unit_id, agent_ids=agent_ids)
            except ApplicationError as error:
                messages.error(request, error.message)
                status = error.status_code
            else:
                messages.success(request, _("Équipage de %(unit)s enregistré.") % {"unit": unit.name})
                return redirect("operations:crews")
    communes = [commune for commune in commune_list_for_actor(actor=actor) if commune.pk in managed]
    units = (Unit.objects.filter(commune_id__in=managed, active=True).select_related("status", "commune")
             .prefetch_related("agents").order_by("commune__name", "name"))
    sections = []
    for commune in communes:
        candidates = crew_candidates(commune_id=commune.pk)
        rows = [{"unit": unit, "crew": {agent.pk for agent in unit.agents.all()}}
                for unit in units if unit.commune_id == commune.pk]
        sections.append({"commune": commune, "candidates": candidates, "rows": rows})
    return render(request, "operations/crews.html", {"sections": sections, "today": timezone.localdate()},
                  status=status)
