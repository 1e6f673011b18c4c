"""The police side of OTV: homes to watch on a day (list, map, route sheet in PDF), the field panel where a passage
is noted, the figures. The homes are person records: every page that shows them is access-logged with a motive."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from confiance.accounts.choices import Permission
from confiance.console.access import actor_of, forbidden
from confiance.core.errors import ApplicationError
from confiance.core.parsing import date_or_none, id_or_none
from confiance.prevention.documents.otv import route_sheet_pdf
from confiance.prevention.forms.otv import PassageForm
from confiance.prevention.selectors.otv import homes_to_watch, otv_figures
from confiance.prevention.selectors.otv_route import MAX_STOPS, tour_plan
from confiance.prevention.services.otv_passages import passage_log
from confiance.privacy.choices import AccessMotive
from confiance.privacy.services import access_log_record
from confiance.territory.selectors import commune_list_for_actor, sector_list_for_actor

FIELD_MOTIVE = "Patrouille OTV du jour (page terrain)"


def _refusal(request):
    return forbidden(request, _("Les logements de l'Opération Tranquillité Vacances sont réservés à la police "
                                "municipale et au centre de supervision."))


def _selection(request, actor):
    """The commune, day, sector and motive asked for (None when the page only shows its selection form)."""
    communes = list(commune_list_for_actor(actor=actor, permission=Permission.PREVENTION_VIEW).order_by("name"))
    commune = next((c for c in communes if c.insee_code == request.GET.get("commune")), communes[0] if communes
                   else None)
    day = date_or_none(request.GET.get("jour")) or timezone.localdate()
    sectors = list(sector_list_for_actor(actor=actor, commune_ids={commune.pk})) if commune else []
    sector_id = id_or_none(request.GET.get("secteur"))
    sector = next((s for s in sectors if s.pk == sector_id), None)
    motive = (request.GET.get("motif") or "").strip()[:300]
    return {"communes": communes, "commune": commune, "day": day, "sectors": sectors, "sector": sector,
            "motive": motive}


def _ordered(homes: list) -> tuple[list, object]:
    """The homes in tour order (from the first listed), with the plan; as listed when too many to order."""
    if len(homes) < 3 or len(homes) > MAX_STOPS:
        return homes, None
    plan = tour_plan(lats=[h.lat for h in homes], lons=[h.lon for h in homes])
    return [homes[index] for index in plan.order], plan


def _watched(request, actor, selection, export: str):
    homes = list(homes_to_watch(actor=actor, commune_id=selection["commune"].pk, day=selection["day"],
                                sector_id=selection["sector"].pk if selection["sector"] else None))
    access_log_record(actor=actor, target=selection["commune"], motive=selection["motive"],
                      motive_code=AccessMotive.PREVENTION, extra={
        "view": export, "day": selection["day"].isoformat(), "otv_registrations": [h.pk for h in homes][:500],
        "sector": selection["sector"].pk if selection["sector"] else None})
    return homes


@login_required
@require_GET
def otv_homes(request):
    """Homes to watch on a day, by sector: list and map; ordered as a tour when a sector is chosen."""
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.PREVENTION_VIEW):
        return _refusal(request)
    selection = _selection(request, actor)
    context = {**selection, "homes": None, "plan": None}
    if selection["commune"] is not None and len(selection["motive"]) >= 5:
        homes = _watched(request, actor, selection, "otv_homes")
        if selection["sector"] is not None:
            homes, context["plan"] = _ordered(homes)
        context["homes"] = homes
        context["points"] = [{"n": index + 1, "lat": h.lat, "lon": h.lon, "label": f"{index + 1}. {h.address}",
                              "visited": bool(h.passage_count)} for index, h in enumerate(homes)]
    elif request.GET.get("motif") is not None:
        messages.error(request, _("Indiquez le motif de la consultation (5 caractères au moins) : elle est "
                                  "journalisée."))
    return render(request, "prevention/otv_homes.html", context)


@login_required
@require_GET
def otv_route_pdf(request):
    """The route sheet of a sector for a day, as PDF (logged as an export)."""
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.PREVENTION_VIEW):
        return _refusal(request)
    selection = _selection(request, actor)
    if selection["commune"] is None or len(selection["motive"]) < 5:
        messages.error(request, _("Indiquez le motif de l'export (5 caractères au moins)."))
        return redirect("prevention:otv-homes")
    homes, plan = _ordered(_watched(request, actor, selection, "otv_route_pdf"))
    content = route_sheet_pdf(commune=selection["commune"], sector=selection["sector"], day=selection["day"],
                              homes=homes, plan=plan,
                              edited_by=request.user.get_full_name() or request.user.username)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (f'attachment; filename="tournee-otv-{selection["commune"].insee_code}-'
                                       f'{selection["day"].isoformat()}.pdf"')
    return response


@login_required
@require_GET
def otv_field(request):
    """The OTV panel of the field page: today's homes of the agent's communes, a passage form for each."""
    actor = actor_of(request)
    if not (actor.can_anywhere(Permission.PREVENTION_VIEW) and actor.can_anywhere(Permission.OPERATIONS_FIELD)):
        return _refusal(request)
    selection = _selection(request, actor) | {"day": timezone.localdate(), "motive": FIELD_MOTIVE}
    homes = []
    if selection["commune"] is not None:
        homes = _watched(request, actor, selection, "otv_field")
        if selection["sector"] is not None:
            homes, _plan = _ordered(homes)
    return render(request, "prevention/otv_field.html", {**selection, "homes": homes, "form": PassageForm()})


@login_required
@require_POST
def otv_passage(request, registration_id: int):
    """A passage noted from the field panel (with the phone's position when given)."""
    actor = actor_of(request)
    back = request.POST.get("retour", "")
    target = reverse("prevention:otv-field")
    if back.startswith("?") and len(back) < 300:
        target += back
    form = PassageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Passage non enregistré : constat ou position invalide."))
        return redirect(target)
    data = form.cleaned_data
    try:
        passage = passage_log(actor=actor, registration_id=registration_id, outcome=data["outcome"],
                              note=data["note"], lat=data["lat"], lon=data["lon"],
                              acknowledge_sensitive=data["acknowledge_sensitive"])
    except ApplicationError as error:
        messages.error(request, _("Passage non enregistré : %(reason)s") % {"reason": error.message})
    else:
        messages.success(request, _("Passage enregistré (main courante %(number)s).")
                         % {"number": passage.log_entry_number})
    return redirect(target)


@login_required
@require_GET
def otv_figures_view(request):
    """Registrations, passages per home, anomalies, homes never visited, over a period (aggregates)."""
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.PREVENTION_VIEW):
        return _refusal(request)
    selection = _selection(request, actor)
    end = date_or_none(request.GET.get("fin")) or timezone.localdate()
    start = date_or_none(request.GET.get("debut")) or end - timedelta(days=30)
    if start > end:
        start, end = end, start
    figures = otv_figures(actor=actor, commune_id=selection["commune"].pk, start=start, end=end) \
        if selection["commune"] else None
    return render(request, "prevention/otv_figures.html", {**selection, "figures": figures, "start": start,
                                                            "end": end})
