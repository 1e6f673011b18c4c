"""Agents' pages of reports: filtered list, map, exports, detail with handling actions."""

from __future__ import annotations

import io
import json
from datetime import datetime, time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.accounts.selectors import agent_list_with_permission
from confiance.console.access import actor_of
from confiance.core.errors import ApplicationError
from confiance.core.exports import SafeDictWriter
from confiance.core.parsing import date_or_none, id_or_none
from confiance.core.redirects import safe_next
from confiance.reports.access import access_photo, access_report, may_handle
from confiance.reports.choices import TRANSITIONS, ReportStatus
from confiance.reports.forms import AssignForm, BulkForm, DuplicateForm, ModerationForm, RespondForm, RevealForm
from confiance.reports.models import CategoryAttribute
from confiance.reports.selectors import (
    ReportFilters,
    category_list,
    destination_list,
    export_rows,
    report_dispatch_list,
    report_history,
    report_list_for_actor,
    report_photo_list,
    template_list,
)
from confiance.reports.services.handling import (
    report_assign,
    report_bulk_done,
    report_bulk_requalify,
    report_mark_duplicate,
    report_moderate,
    report_reporter_reveal,
    report_respond,
)
from confiance.territory.selectors import commune_list_for_actor

PAGE_SIZE = 50
# The detail page's forms share field names (public message, internal note): each its own ids, so labels stay right.
RESPOND_IDS, ASSIGN_IDS, DUPLICATE_IDS = "respond_%s", "assign_%s", "duplicate_%s"


_int = id_or_none  # bounded parsers (confiance.core.parsing): a bad value is ignored, never a server error
_date = date_or_none


def _filters(request, actor: Actor) -> tuple[ReportFilters, dict[str, str]]:
    """Filters from the query string; unknown or malformed values are ignored, never an error page."""
    get = request.GET
    filters = ReportFilters()
    communes = {c.insee_code: c.pk for c in commune_list_for_actor(actor=actor, permission=Permission.REPORTS_VIEW)}
    if get.get("commune") in communes:
        filters.commune_ids = {communes[get["commune"]]}
    filters.service_code = (get.get("categorie") or "")[:64]
    status = get.get("etat") or ""
    if status in ReportStatus.values or status in {"open", "closed"}:
        filters.status = status
    destination = get.get("destinataire")
    filters.destination_id = 0 if destination == "aucun" else _int(destination)
    filters.overdue = get.get("retard") == "1"
    filters.reopen_requested = get.get("reouverture") == "1"
    if get.get("moi") == "1":
        filters.assigned_to_id = request.user.pk
    bbox = (get.get("bbox") or "").split(",")
    if len(bbox) == 4:
        try:
            south, west, north, east = (float(part) for part in bbox)
            filters.bbox = (south, west, north, east)
        except ValueError:
            pass
    since, until = _date(get.get("depuis")), _date(get.get("jusqu"))
    if since:
        filters.since = timezone.make_aware(datetime.combine(since, time.min))
    if until:
        filters.until = timezone.make_aware(datetime.combine(until, time.max))
    filters.text = (get.get("q") or "")[:100]
    kept = {key: get[key] for key in ("commune", "categorie", "etat", "destinataire", "retard", "reouverture", "moi",
                                      "bbox", "depuis", "jusqu", "q") if get.get(key)}
    return filters, kept


@login_required
@require_GET
def report_list(request):
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.REPORTS_VIEW):
        raise Http404
    filters, kept = _filters(request, actor)
    queryset = report_list_for_actor(actor=actor, filters=filters)
    export = request.GET.get("format")
    if export == "csv":
        return _csv(queryset)
    if export == "geojson":
        return _geojson(queryset)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    commune_ids = actor.commune_ids(Permission.REPORTS_VIEW)
    codes = {}
    for category in category_list(commune_ids=commune_ids):
        codes.setdefault(category.service_code, category.name)
    return render(request, "reports/reports_list.html", {
        "page": page, "kept": kept, "query": urlencode(kept),
        "communes": commune_list_for_actor(actor=actor, permission=Permission.REPORTS_VIEW),
        "categories": sorted(codes.items(), key=lambda item: item[1]),
        "statuses": ReportStatus.choices, "destinations": destination_list(commune_ids=commune_ids),
        "can_handle": actor.can_anywhere(Permission.REPORTS_HANDLE), "now": timezone.now(),
        "status_labels": {value: str(label) for value, label in ReportStatus.choices},
    })


def _csv(queryset) -> HttpResponse:
    rows = export_rows(queryset)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # spreadsheet programs then read UTF-8
    writer = SafeDictWriter(buffer, fieldnames=list(rows[0].keys()) if rows else ["id"], delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="signalements.csv"'
    return response


def _geojson(queryset) -> HttpResponse:
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [row.pop("lon"), row.pop("lat")]},
         "properties": row}
        for row in export_rows(queryset)
    ]
    response = HttpResponse(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                            content_type="application/geo+json")
    response["Content-Disposition"] = 'attachment; filename="signalements.geojson"'
    return response


@login_required
@require_GET
def report_map_data(request):
    """Points of the filtered reports for the list's map (at most 5,000)."""
    actor = actor_of(request)
    filters, _kept = _filters(request, actor)
    rows = report_list_for_actor(actor=actor, filters=filters).values(
        "id", "lat", "lon", "status", "category__name", "is_open", "expected_at")[:5000]
    now = timezone.now()
    return JsonResponse({"reports": [
        {"id": row["id"], "lat": row["lat"], "lon": row["lon"], "status": row["status"],
         "category": row["category__name"],
         "overdue": bool(row["is_open"] and row["expected_at"] and row["expected_at"] < now)}
        for row in rows
    ]})


def _bulk_closable(actor: Actor, reports) -> tuple[list, list[tuple]]:
    """The reports "service fait" may close, and the others with why (shown before anything changes)."""
    closable, refused = [], []
    for report in reports:
        if not may_handle(actor, report):
            refused.append((report, _("vous ne pouvez pas traiter les signalements de cette commune")))
        elif ReportStatus.DONE not in TRANSITIONS.get(report.status, frozenset()):
            refused.append((report, _("déjà dans l'état « %(status)s »") % {"status": report.get_status_display()}))
        else:
            closable.append(report)
    return closable, refused


def _bulk_confirm(request, actor: Actor, form: BulkForm, reports: list, back: str) -> HttpResponse:
    """Bulk closing in two steps: this page says how many reports will be closed and asks for the public message
    the citizens will receive; only its confirmed post closes them."""
    message = (form.cleaned_data["public_message"] or "").strip()
    closable, refused = _bulk_closable(actor, reports)
    confirmed = request.POST.get("confirm") == "1"
    error = ""
    if confirmed and not message:
        error = _("Écrivez le message public : il est envoyé aux citoyens qui suivent ces signalements et "
                  "reste dans leur historique.")
    elif confirmed and not closable:
        error = _("Aucun des signalements choisis ne peut être clos.")
    elif confirmed:
        result = report_bulk_done(actor=actor, reports=closable, public_message=message)
        if result.done:
            messages.success(request, ngettext("%(n)s signalement clos (service fait), message public envoyé.",
                                               "%(n)s signalements clos (service fait), message public envoyé.",
                                               len(result.done)) % {"n": len(result.done)})
        for report_id, reason in list(result.refused.items())[:10]:
            messages.error(request, _("n° %(id)s refusé : %(reason)s") % {"id": report_id, "reason": reason})
        return redirect(back)
    return render(request, "reports/reports_bulk_confirm.html", {
        "closable": closable, "refused": refused, "message": message, "error": error, "back": back,
    }, status=400 if error else 200)


@login_required
@require_POST
def report_bulk(request):
    """Actions on the reports ticked in the list; closing asks for confirmation and the public message first."""
    actor = actor_of(request)
    form = BulkForm(request.POST)
    back = safe_next(request, reverse("reports:list"))
    if not form.is_valid():
        messages.error(request, _("Sélectionnez au moins un signalement et une action."))
        return redirect(back)
    reports = list(report_list_for_actor(actor=actor, filters=ReportFilters(ids=frozenset(form.cleaned_data["ids"]))))
    if not reports:
        messages.error(request, _("Aucun des signalements choisis n'est visible pour vous."))
        return redirect(back)
    if form.cleaned_data["action"] == "done":
        return _bulk_confirm(request, actor, form, reports, back)
    result = report_bulk_requalify(actor=actor, reports=reports, service_code=form.cleaned_data["service_code"])
    if result.done:
        messages.success(request, _("%(n)s signalement(s) traité(s).") % {"n": len(result.done)})
    for report_id, reason in list(result.refused.items())[:10]:
        messages.error(request, _("n° %(id)s refusé : %(reason)s") % {"id": report_id, "reason": reason})
    return redirect(back)


def _answer_text(attribute: CategoryAttribute | None, value) -> str:
    """One answer in words: the choice's label, "oui"/"non", a French number; never the stored code."""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, list):
        return ", ".join(_answer_text(attribute, item) for item in value)
    if attribute is not None and attribute.datatype == "number":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return str(value)
        if number.is_integer():
            return formats.number_format(int(number), 0, use_l10n=True)
        return formats.number_format(number, use_l10n=True)
    if attribute is not None:
        names = {str(item.get("key")): item.get("name") for item in attribute.values or [] if isinstance(item, dict)}
        if str(value) in names and names[str(value)]:
            return str(names[str(value)])
    lowered = str(value).strip().lower()
    if lowered in {"true", "oui", "yes"}:
        return _("oui")
    if lowered in {"false", "non", "no"}:
        return _("non")
    return str(value)


def _attribute_rows(report) -> list[tuple[str, str]]:
    """The report's answers to its category's questions, each as (question, answer) in words, in order."""
    answers = report.attributes or {}
    if not answers:
        return []
    questions = {a.code: a for a in CategoryAttribute.objects.filter(category_id=report.category_id)}
    order = {code: index for index, code in enumerate(questions)}
    rows = []
    for code in sorted(answers, key=lambda c: (order.get(c, len(order)), c)):
        attribute = questions.get(code)
        rows.append((attribute.description if attribute is not None else code, _answer_text(attribute, answers[code])))
    return rows


def _detail_context(actor: Actor, report, **forms) -> dict:
    agents = agent_list_with_permission(permission=Permission.REPORTS_HANDLE, commune_id=report.commune_id)
    destinations = list(destination_list(commune_ids={report.commune_id}))
    return {
        "report": report, "history": report_history(report=report), "attribute_rows": _attribute_rows(report),
        "photos": report_photo_list(report=report),
        "dispatches": report_dispatch_list(report=report),
        "templates": template_list(report=report),
        "can_handle": may_handle(actor, report),
        "respond_form": forms.get("respond_form") or RespondForm(auto_id=RESPOND_IDS),
        "assign_form": forms.get("assign_form") or AssignForm(agents=agents, destinations=destinations,
                                                              auto_id=ASSIGN_IDS),
        "duplicate_form": forms.get("duplicate_form") or DuplicateForm(auto_id=DUPLICATE_IDS),
        "reveal_form": forms.get("reveal_form") or RevealForm(),
        "reporter": forms.get("reporter"),
        "has_reporter": bool(report.reporter_name or report.reporter_email or report.reporter_phone),
    }


def _done(request, report, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("reports:detail", report_id=report.pk)


def _respond(request, actor: Actor, report, forms: dict) -> HttpResponse | None:
    form = forms["respond_form"] = RespondForm(request.POST, auto_id=RESPOND_IDS)
    if not form.is_valid():
        return None
    report_respond(actor=actor, report=report, **form.cleaned_data)
    return _done(request, report, _("Mise à jour enregistrée."))


def _assign(request, actor: Actor, report, forms: dict) -> HttpResponse | None:
    agents = agent_list_with_permission(permission=Permission.REPORTS_HANDLE, commune_id=report.commune_id)
    destinations = list(destination_list(commune_ids={report.commune_id}))
    form = forms["assign_form"] = AssignForm(request.POST, agents=agents, destinations=destinations,
                                             auto_id=ASSIGN_IDS)
    if not form.is_valid():
        return None
    destination = next((d for d in destinations if d.pk == form.cleaned_data["destination"]), None)
    report_assign(actor=actor, report=report, agent_id=form.cleaned_data["agent"], destination=destination,
                  internal_note=form.cleaned_data["internal_note"])
    return _done(request, report, _("Attribution enregistrée."))


def _duplicate(request, actor: Actor, report, forms: dict) -> HttpResponse | None:
    form = forms["duplicate_form"] = DuplicateForm(request.POST, auto_id=DUPLICATE_IDS)
    if not form.is_valid():
        return None
    original = access_report(actor=actor, report_id=form.cleaned_data["original"])
    report_mark_duplicate(actor=actor, report=report, original=original,
                          public_message=form.cleaned_data["public_message"])
    return _done(request, report, _("Marqué comme doublon ; les personnes qui suivaient ont été prévenues."))


def _moderate(request, actor: Actor, report, forms: dict) -> HttpResponse | None:
    form = ModerationForm(request.POST)
    if not form.is_valid():
        return None
    target, hide, reason = form.cleaned_data["target"], form.cleaned_data["hide"], form.cleaned_data["reason"]
    if target == "description":
        report_moderate(actor=actor, report=report, hide_description=hide, reason=reason)
    elif id_or_none(target) is not None:
        report_moderate(actor=actor, report=report, photo_id=id_or_none(target), hide_photo=hide, reason=reason)
    return _done(request, report, _("Modération enregistrée."))


def _reveal(request, actor: Actor, report, forms: dict) -> HttpResponse | None:
    form = forms["reveal_form"] = RevealForm(request.POST)
    if not form.is_valid():
        return None
    forms["reporter"] = report_reporter_reveal(actor=actor, report=report, motive=form.cleaned_data["motive"])
    return render(request, "reports/report_detail.html", _detail_context(actor, report, **forms))


# The handling actions of the detail page, by the value of the form's "action" field.
DETAIL_ACTIONS = {"respond": _respond, "assign": _assign, "duplicate": _duplicate, "moderate": _moderate,
                  "reveal": _reveal}


@login_required
def report_detail(request, report_id: int):
    actor = actor_of(request)
    try:
        report = access_report(actor=actor, report_id=report_id)
    except ApplicationError:
        raise Http404 from None
    if request.method != "POST":
        return render(request, "reports/report_detail.html", _detail_context(actor, report))
    action = DETAIL_ACTIONS.get(request.POST.get("action") or "")
    forms: dict = {}
    try:
        response = action(request, actor, report, forms) if action is not None else None
        if response is not None:
            return response
    except ApplicationError as error:
        messages.error(request, error.message)
    report = access_report(actor=actor, report_id=report_id)
    return render(request, "reports/report_detail.html", _detail_context(actor, report, **forms),
                  status=400)


@login_required
@require_GET
def report_photo(request, photo_id: int):
    try:
        photo = access_photo(actor=actor_of(request), photo_id=photo_id)
    except ApplicationError:
        raise Http404 from None
    content = photo.thumbnail if request.GET.get("miniature") else photo.content
    response = HttpResponse(bytes(content), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=600"
    return response
