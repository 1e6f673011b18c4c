"""Police operations pages: the live console, the field page, the main courante, the interval report."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.console.access import actor_of, forbidden
from confiance.core.errors import ApplicationError
from confiance.core.parsing import date_or_none
from confiance.core.redirects import safe_next
from confiance.operations.access import visible_commune_ids
from confiance.operations.choices import ClosureReason, InterventionOrigin, Milestone, Priority
from confiance.operations.documents import interval_csv, logbook_pdf
from confiance.operations.forms import LogEntryForm
from confiance.operations.payloads import intervention_payload, log_entry_payload, unit_payload
from confiance.operations.push import vapid_public_key
from confiance.operations.selectors import (
    INTERVALS,
    current_assignment,
    interval_report,
    intervention_list_for_actor,
    intervention_type_list,
    log_entry_list_for_actor,
    nature_list,
    unit_for_agent,
    unit_list_for_actor,
    unit_message_list,
    unit_status_list,
)
from confiance.operations.services.logbook import grace_period_open, log_entry_create
from confiance.privacy.services import access_log_record
from confiance.reports.selectors import ReportFilters, report_list_for_actor
from confiance.territory.selectors import commune_list_for_actor


def _communes(actor: Actor, permission: Permission = Permission.OPERATIONS_VIEW):
    return list(commune_list_for_actor(actor=actor, permission=permission).order_by("name"))


# --- Live console ---------------------------------------------------------------------------


@login_required
def console(request):
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.OPERATIONS_VIEW):
        return forbidden(request, _("La console est réservée à la police municipale et au centre de supervision."))
    communes = _communes(actor)
    visible = visible_commune_ids(actor)
    types = [{"id": t.pk, "commune_id": t.commune_id, "label": t.label, "priority": t.priority}
             for t in intervention_type_list(commune_ids=visible)]
    return render(request, "operations/console.html", {
        "communes": communes, "types": types, "can_dispatch": actor.can_anywhere(Permission.OPERATIONS_DISPATCH),
        "priorities": Priority.choices, "origins": InterventionOrigin.choices, "closures": ClosureReason.choices,
        "milestones": {value: str(label) for value, label in Milestone.choices},
    })


@login_required
@require_GET
def console_state(request):
    """Everything the console draws, in one read; live events keep it current afterwards."""
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.OPERATIONS_VIEW):
        return JsonResponse({"code": "permission_denied", "message": _("Accès réservé.")}, status=403)
    now = timezone.now()
    units = [unit_payload(unit, now) for unit in unit_list_for_actor(actor=actor)]
    interventions = [intervention_payload(i) for i in intervention_list_for_actor(actor=actor)[:300]]
    entries = [log_entry_payload(entry) for entry in log_entry_list_for_actor(actor=actor, limit=30)]
    reports = []
    if actor.can_anywhere(Permission.REPORTS_VIEW):
        reports = [{"id": r.pk, "commune_id": r.commune_id, "category": r.category.name, "lat": r.lat, "lon": r.lon,
                    "status": r.status, "address": r.address, "created_at": r.created_at.isoformat()}
                   for r in report_list_for_actor(actor=actor, filters=ReportFilters(status="open"))[:200]]
    return JsonResponse({"units": units, "interventions": interventions, "log_entries": entries,
                         "reports": reports, "now": now.isoformat()})


# --- Field page -----------------------------------------------------------------------------


@login_required
def field(request):
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.OPERATIONS_FIELD):
        return forbidden(request, _("La page terrain est réservée aux agents de police municipale."))
    unit = unit_for_agent(request.user)
    assignment = current_assignment(unit) if unit else None
    communes = _communes(actor, Permission.OPERATIONS_LOG)
    form = LogEntryForm(communes=communes, natures=nature_list(commune_ids={c.pk for c in communes}),
                        initial={"commune": unit.commune_id if unit else None})
    return render(request, "operations/field.html", {
        "unit": unit, "assignment": assignment,
        "statuses": unit_status_list(commune_ids={unit.commune_id}) if unit else [], "form": form,
        "unit_messages": list(unit_message_list(unit=unit)) if unit else [], "vapid_public_key": vapid_public_key(),
    })


_SERVICE_WORKER = Path(__file__).resolve().parent / "static" / "operations" / "sw.js"


@require_GET
def field_service_worker(request):
    """The field page's service worker (Web Push), served under /agents/terrain/ so that it may control that page."""
    response = HttpResponse(_SERVICE_WORKER.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/agents/terrain/"
    response["Cache-Control"] = "no-cache"
    return response


# --- Main courante --------------------------------------------------------------------------


@login_required
def logbook(request):
    actor = actor_of(request)
    communes = _communes(actor)
    if not communes:
        return forbidden(request, _("La main courante est réservée à la police municipale."))
    writable = _communes(actor, Permission.OPERATIONS_LOG)
    natures = nature_list(commune_ids={c.pk for c in writable}).select_related("commune")
    day = date_or_none(request.GET.get("jour")) or timezone.localdate()
    commune_code = request.GET.get("commune") or communes[0].insee_code
    commune = next((c for c in communes if c.insee_code == commune_code), communes[0])
    warning = None
    if request.method == "POST":
        form = LogEntryForm(request.POST, communes=writable, natures=natures)
        if form.is_valid():
            try:
                entry = log_entry_create(actor=actor, commune_id=form.cleaned_data["commune"], draft=form.draft())
            except ApplicationError as error:
                if error.code == "operations_sensitive_data":
                    warning = error
                else:
                    form.add_error(None, error.message)
            else:
                messages.success(request, _("Entrée %(number)s enregistrée.") % {"number": entry.number})
                return redirect(safe_next(request, request.path))
    else:
        form = LogEntryForm(communes=writable, natures=natures, initial={"commune": commune.pk})
    entries = list(log_entry_list_for_actor(actor=actor, commune_ids={commune.pk}, day=day))
    now = timezone.now()
    for entry in entries:
        entry.editable = entry.author_id == request.user.pk and grace_period_open(entry, now)
        entry.person_count = len(entry.persons.all())
    return render(request, "operations/logbook.html", {
        "communes": communes, "commune": commune, "day": day, "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1), "entries": entries, "form": form if writable else None,
        "warning": warning, "today": timezone.localdate(),
    })


@login_required
def logbook_pdf_view(request):
    """The day's main courante as PDF; it names persons, so the export is logged with its motive."""
    actor = actor_of(request)
    communes = _communes(actor)
    commune = next((c for c in communes if c.insee_code == request.GET.get("commune")), None)
    day = date_or_none(request.GET.get("jour"))
    motive = (request.GET.get("motif") or "").strip()
    if commune is None or day is None:
        return forbidden(request, _("Commune ou jour inconnu."))
    if len(motive) < 5:
        messages.error(request, _("Indiquez le motif de l'export (5 caractères au moins)."))
        return redirect(f"{request.path.rsplit('pdf', 1)[0]}?commune={commune.insee_code}&jour={day.isoformat()}")
    entries = list(log_entry_list_for_actor(actor=actor, commune_ids={commune.pk}, day=day))
    access_log_record(actor=actor, target=commune, motive=motive,
                      extra={"export": "main_courante_pdf", "day": day.isoformat(), "entries": len(entries)})
    content = logbook_pdf(commune_name=commune.name, day=day, entries=entries,
                          edited_by=request.user.get_full_name() or request.user.username)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="main-courante-{commune.insee_code}-{day.isoformat()}.pdf"'
    return response


# --- Interval report ------------------------------------------------------------------------


@login_required
def intervals(request):
    actor = actor_of(request)
    communes = _communes(actor)
    if not communes:
        return forbidden(request, _("Le rapport des délais est réservé à la police municipale."))
    today = timezone.localdate()
    start = date_or_none(request.GET.get("du")) or date(today.year, today.month, 1) - timedelta(days=62)
    end = date_or_none(request.GET.get("au")) or today
    if start > end:
        start, end = end, start
    selected = {c.pk for c in communes if c.insee_code == request.GET.get("commune")} or None
    rows = interval_report(actor=actor, start=start, end=end, commune_ids=selected)
    if request.GET.get("format") == "csv":
        response = HttpResponse(interval_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="delais-{start}-{end}.csv"'
        return response
    return render(request, "operations/intervals.html", {
        "rows": rows, "start": start, "end": end, "communes": communes, "selected": request.GET.get("commune", ""),
        "intervals": INTERVALS, "query": request.GET.urlencode()})
