"""Police operations pages: the live console, the field page, the main courante, the interval report."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.console.access import actor_of, forbidden
from confiance.core.errors import ApplicationError
from confiance.core.parsing import date_or_none
from confiance.core.redirects import safe_next
from confiance.operations.access import log_entry_get_for_actor, visible_commune_ids
from confiance.operations.choices import ClosureReason, InterventionOrigin, Milestone, Priority
from confiance.operations.documents import interval_csv, logbook_pdf
from confiance.operations.drafts import PersonDraft
from confiance.operations.forms import LogEntryForm
from confiance.operations.models import LogEntry
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
from confiance.operations.services.logbook import (
    day_visa,
    grace_period_open,
    log_day_sign,
    log_entry_correct,
    log_entry_create,
    log_entry_edit,
    may_edit,
)
from confiance.privacy.choices import AccessMotive
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
        "otv": actor.can_anywhere(Permission.PREVENTION_VIEW),  # the OTV panel's link (prevention app)
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


def _agent_commune(request, actor: Actor, communes: list) -> object:
    """The agent's own commune: their unit's, else the first where they may write, else the first they see."""
    unit = unit_for_agent(request.user)
    writable = {c.pk for c in _communes(actor, Permission.OPERATIONS_LOG)}
    for commune in communes:
        if unit is not None and commune.pk == unit.commune_id:
            return commune
    return next((c for c in communes if c.pk in writable), communes[0])


def _logbook_url(commune, day: date, entry_id: int | None = None) -> str:
    anchor = f"#entry-{entry_id}" if entry_id else ""
    return f"{reverse('operations:logbook')}?commune={commune.insee_code}&jour={day.isoformat()}{anchor}"


def _with_links(entries: list, user_id: int, visa) -> list:
    """Each entry with its corrections (original and correction link to each other) and whether it may be edited."""
    now = timezone.now()
    corrections: dict[int, list] = {}
    for correction in (LogEntry.objects.filter(corrects__in=[e.pk for e in entries])
                       .only("id", "number", "corrects_id", "occurred_at", "commune_id").order_by("occurred_at", "id")):
        corrections.setdefault(correction.corrects_id, []).append(correction)
    for entry in entries:
        entry.editable = visa is None and entry.author_id == user_id and grace_period_open(entry, now)
        entry.person_count = len(entry.persons.all())
        entry.correction_numbers = [c.number for c in corrections.get(entry.pk, [])]
        entry.correction_links = [(c.number, _logbook_url(entry.commune, timezone.localdate(c.occurred_at), c.pk))
                                  for c in corrections.get(entry.pk, [])]
        if entry.corrects_id:
            original = entry.corrects
            entry.corrects_link = _logbook_url(entry.commune, timezone.localdate(original.occurred_at), original.pk)
    return entries


def _save_entry(form: LogEntryForm, action) -> tuple[LogEntry | None, object]:
    """Run a write of the form's draft; the forbidden-data warning comes back to the form, other refusals too."""
    try:
        return action(form.draft()), None
    except ApplicationError as error:
        if error.code == "operations_sensitive_data":
            return None, error
        form.add_error(None, error.message)
    return None, None


@login_required
def logbook(request):
    actor = actor_of(request)
    communes = _communes(actor)
    if not communes:
        return forbidden(request, _("La main courante est réservée à la police municipale."))
    writable = _communes(actor, Permission.OPERATIONS_LOG)
    natures = nature_list(commune_ids={c.pk for c in writable})
    day = date_or_none(request.GET.get("jour")) or timezone.localdate()
    commune_code = request.GET.get("commune")
    commune = next((c for c in communes if c.insee_code == commune_code), None) or _agent_commune(
        request, actor, communes)
    warning = None
    if request.method == "POST":
        form = LogEntryForm(request.POST, communes=writable, natures=natures)
        if form.is_valid():
            entry, warning = _save_entry(form, lambda draft: log_entry_create(
                actor=actor, commune_id=form.cleaned_data["commune"], draft=draft))
            if entry is not None:
                messages.success(request, _("Entrée %(number)s enregistrée.") % {"number": entry.number})
                return redirect(safe_next(request, request.path))
    else:
        form_commune = commune if commune in writable else (_agent_commune(request, actor, writable)
                                                            if writable else None)
        form = LogEntryForm(communes=writable, natures=natures,
                            initial={"commune": form_commune.pk if form_commune else None})
    visa = day_visa(commune.pk, day)
    entries = _with_links(list(log_entry_list_for_actor(actor=actor, commune_ids={commune.pk}, day=day)),
                          request.user.pk, visa)
    return render(request, "operations/logbook.html", {
        "communes": communes, "commune": commune, "day": day, "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1), "entries": entries, "form": form if writable else None,
        "warning": warning, "today": timezone.localdate(), "visa": visa,
        "can_sign": visa is None and day <= timezone.localdate() and actor.can(Permission.OPERATIONS_SIGN, commune.pk),
        "can_write": actor.can(Permission.OPERATIONS_LOG, commune.pk),
    })


@login_required
@require_POST
def logbook_sign(request):
    """The chef de poste's visa of one commune's day."""
    actor = actor_of(request)
    communes = _communes(actor)
    commune = next((c for c in communes if c.insee_code == request.POST.get("commune")), None)
    day = date_or_none(request.POST.get("jour"))
    if commune is None or day is None:
        return forbidden(request, _("Commune ou jour inconnu."))
    try:
        log_day_sign(actor=actor, commune_id=commune.pk, day=day)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Journée du %(day)s visée.") % {"day": formats.date_format(day, "d/m/Y")})
    return redirect(_logbook_url(commune, day))


def _entry_page(request, entry_id: int, *, correcting: bool):
    actor = actor_of(request)
    try:
        entry = log_entry_get_for_actor(actor=actor, entry_id=entry_id)
    except ApplicationError:
        return forbidden(request, _("Entrée inconnue ou hors de vos droits."))
    back = _logbook_url(entry.commune, timezone.localdate(entry.occurred_at), entry.pk)
    if not actor.can(Permission.OPERATIONS_LOG, entry.commune_id):
        return forbidden(request, _("La main courante de cette commune vous est en lecture seule."))
    if not correcting and not may_edit(actor, entry):
        messages.error(request, _("Cette entrée ne peut plus être modifiée : saisissez une entrée rectificative."))
        return redirect(reverse("operations:logbook-correct", args=[entry.pk]))
    communes = [entry.commune]
    natures = nature_list(commune_ids={entry.commune_id})
    warning = None
    if request.method == "POST":
        form = LogEntryForm(request.POST, communes=communes, natures=natures)
        if form.is_valid():
            if correcting:
                def action(draft):
                    return log_entry_correct(actor=actor, entry=entry, draft=draft)
            else:
                def action(draft):
                    draft.persons = _kept_persons(entry, draft.persons)
                    return log_entry_edit(actor=actor, entry=entry, draft=draft)
            saved, warning = _save_entry(form, action)
            if saved is not None:
                message = (_("Entrée rectificative %(number)s enregistrée.") if correcting
                           else _("Entrée %(number)s modifiée."))
                messages.success(request, message % {"number": saved.number})
                return redirect(_logbook_url(saved.commune, timezone.localdate(saved.occurred_at), saved.pk))
    else:
        initial = LogEntryForm.initial_from(entry)
        if correcting:
            initial.pop("occurred_at")  # a correction is dated when it is written
        form = LogEntryForm(communes=communes, natures=natures, initial=initial)
    return render(request, "operations/logbook_entry.html", {
        "entry": entry, "form": form, "warning": warning, "correcting": correcting, "back": back})


def _kept_persons(entry: LogEntry, drafted: list[PersonDraft]) -> list[PersonDraft]:
    """The form edits the first person only: the others (added through the API) and the address are kept."""
    stored = list(entry.persons.all())
    if drafted and stored and drafted[0].last_name == stored[0].last_name:
        drafted[0].address = stored[0].address
    return drafted + [PersonDraft(role=p.role, last_name=p.last_name, first_name=p.first_name,
                                  birth_date=p.birth_date, address=p.address, phone=p.phone) for p in stored[1:]]


@login_required
def logbook_entry_edit(request, entry_id: int):
    """The author's in-place edit during the grace period (before the day is signed)."""
    return _entry_page(request, entry_id, correcting=False)


@login_required
def logbook_entry_correct(request, entry_id: int):
    """A correction entry linked to the one it corrects (which stays as it was)."""
    return _entry_page(request, entry_id, correcting=True)


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
        return redirect(_logbook_url(commune, day))
    visa = day_visa(commune.pk, day)
    entries = _with_links(list(log_entry_list_for_actor(actor=actor, commune_ids={commune.pk}, day=day)),
                          request.user.pk, visa)
    access_log_record(actor=actor, target=commune, motive=motive, motive_code=AccessMotive.LOGBOOK,
                      extra={"export": "main_courante_pdf", "day": day.isoformat(), "entries": len(entries)})
    content = logbook_pdf(commune_name=commune.name, day=day, entries=entries,
                          edited_by=request.user.get_full_name() or request.user.username,
                          visa=visa)
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
