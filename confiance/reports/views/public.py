"""Citizen pages of reports: the form, the public page, the tracking page, photos."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from confiance.core.actors import PublicActor
from confiance.core.errors import ApplicationError, NotFoundError
from confiance.core.geo import valid_lat_lon
from confiance.core.ratelimits import client_ip, rate_check, rate_limited_page
from confiance.core.redirects import safe_next
from confiance.reports.drafts import ReportDraft, Reporter
from confiance.reports.forms import FeedbackForm, FollowForm, ReopenForm, ReportForm, attributes_from_params
from confiance.reports.models import Report
from confiance.reports.selectors import (
    category_for_code,
    category_list,
    nearby_open_reports,
    photo_from_signed,
    photo_signed_url,
    public_categories,
    public_history,
    report_find,
    report_public_get,
    reporter_follows,
    visible_photo_ids,
)
from confiance.reports.services.follow_up import report_feedback, report_follow, report_reopen_request, report_unfollow
from confiance.reports.services.submission import report_submit
from confiance.reports.views.form_errors import (
    LOCATION_FIELDS,
    error_summary,
    location_errors,
    map_view_parse,
    service_error_place,
)
from confiance.territory.selectors import locate_point, location_describe, public_commune_collection

WEB_ACTOR = PublicActor("citoyen (site)")


def _code_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for category in category_list():
        seen.setdefault(category.service_code, category.name)
    return sorted(seen.items(), key=lambda item: item[1])


@require_http_methods(["GET", "POST"])
def report_new(request):
    """The report form: a map pin, a category with its notice and questions, photos, optional contact."""
    if request.method == "POST":  # counted before the body (photos) is parsed
        account = str(request.user.pk) if request.user.is_authenticated else ""
        exceeded = rate_check("report_form", ip=client_ip(request), account=account)
        if exceeded is not None:
            return rate_limited_page(request, exceeded)
    form = ReportForm(request.POST or None, request.FILES or None, initial={"nonce": uuid.uuid4().hex})
    attributes = attributes_from_params(request.POST.lists()) if request.method == "POST" else {}
    attribute_errors: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = ReportDraft(
            lat=data["lat"], lon=data["lon"], service_code=data["service_code"], description=data["description"],
            address=data["address"], attributes=attributes,
            reporter=Reporter(name=data["name"], email=data["email"], phone=data["phone"], consent=data["consent"]),
            photos=[(upload.name, upload.read()) for upload in data["photos"]],
        )
        try:
            submission = report_submit(actor=WEB_ACTOR, draft=draft, idempotency_key=data["nonce"])
        except ApplicationError as error:
            service_error_place(form, error, attribute_errors)
        else:
            if not submission.tracking_token:  # recognised by its content only: its tracking link stays private
                messages.info(request, _("Ce signalement avait déjà été reçu (n° %(id)s).")
                              % {"id": submission.report.pk})
                return redirect("reports:public", report_id=submission.report.pk)
            messages.success(request, _("Merci ! Votre signalement n° %(id)s est enregistré. Gardez le lien de "
                                        "cette page pour suivre son traitement.") % {"id": submission.report.pk})
            return redirect("reports:track", token=submission.tracking_token)
    return _report_form_page(request, form, attributes, attribute_errors)


def _report_form_page(request, form: ReportForm, attributes: dict, attribute_errors: dict[str, str]) -> HttpResponse:
    """The form, after a refusal with its summary, its errors by their fields and the map as it was left."""
    posted = request.method == "POST"
    photos_lost = (_("Les photos ne sont pas gardées quand le formulaire est refusé : choisissez-les à nouveau.")
                   if posted and request.FILES else "")
    location = location_errors(form) if posted else []
    if location:  # shown once, under the map; the two inputs point to it
        for name in LOCATION_FIELDS:
            form.fields[name].widget.attrs["aria-describedby"] = "map-help report-map-error"
    summary = error_summary(form, attribute_errors, photos_lost=photos_lost) if posted else []
    return render(request, "reports/report_new.html", {
        "form": form, "code_choices": _code_choices(), "attributes_initial": attributes,
        "attribute_errors": attribute_errors, "error_summary": summary, "location_errors": location,
        "photos_lost": photos_lost, "map_view": map_view_parse(request.POST.get("carte", "")) if posted else "",
    }, status=400 if posted else 200)


def _point(request) -> tuple[float, float]:
    try:
        lat, lon = float(request.GET.get("lat", "")), float(request.GET.get("lon", ""))
    except ValueError:
        raise NotFoundError(message=_("Position invalide.")) from None
    if not valid_lat_lon(lat, lon):
        raise NotFoundError(message=_("Position invalide."))
    return lat, lon


def _json_error(error: ApplicationError) -> JsonResponse:
    return JsonResponse(error.as_dict(), status=error.status_code)


@require_GET
def report_categories(request):
    """The commune of a point and its categories (for the form's category picker)."""
    try:
        lat, lon = _point(request)
    except ApplicationError as error:
        return _json_error(error)
    location = locate_point(lat=lat, lon=lon)
    if location.commune_id is None:
        return JsonResponse({"code": "report_outside_territory", "details": {},
                             "message": _("Ce lieu n'est dans aucune commune servie par cette plateforme.")},
                            status=404)
    place = location_describe(lat=lat, lon=lon)
    return JsonResponse({"commune": {"insee_code": place["commune_insee"], "name": place["commune_name"]},
                         "sector": place["sector_name"],
                         "categories": public_categories(commune_id=location.commune_id)})


@require_GET
def report_nearby(request):
    """Open reports of the same category near a point, so the citizen can follow one instead."""
    try:
        lat, lon = _point(request)
    except ApplicationError as error:
        return _json_error(error)
    location = locate_point(lat=lat, lon=lon)
    category = category_for_code(commune_id=location.commune_id, service_code=request.GET.get("service_code", ""))
    if category is None:
        return JsonResponse({"radius_m": 0, "reports": []})
    rows = nearby_open_reports(category=category, lat=lat, lon=lon)
    for row in rows:
        row["created_at"] = row["created_at"].isoformat()
        row["url"] = f"/signalements/{row['id']}/"
    return JsonResponse({"radius_m": category.duplicate_radius_m, "reports": rows})


@require_GET
def territory_geojson(request):
    """Outlines of the communes served (public data), for the citizen map."""
    return JsonResponse(public_commune_collection())


def _public_context(report: Report) -> dict:
    return {
        "report": report,
        "history": public_history(report=report),
        "photos": [photo_signed_url(pk) for pk in visible_photo_ids(report=report)],
        "follow_form": FollowForm(),
    }


@require_GET
def report_public(request, report_id: int):
    """What anyone may see of a report (the same as Open311): no personal data."""
    report = report_find(report_id)
    if report is None:
        raise Http404
    return render(request, "reports/report_public.html", _public_context(report))


@require_POST
def report_follow_view(request, report_id: int):
    report = report_find(report_id)
    if report is None:
        raise Http404
    form = FollowForm(request.POST)
    if form.is_valid():
        try:
            created = report_follow(report=report, email=form.cleaned_data["email"])
        except ApplicationError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, _("Vous suivez ce signalement : vous recevrez un courriel à chaque étape.")
                             if created else _("Vous suiviez déjà ce signalement."))
            return redirect(safe_next(request, reverse("reports:public", args=[report.pk])))
    context = _public_context(report) | {"follow_form": form}
    return render(request, "reports/report_public.html", context, status=400)


@require_http_methods(["GET", "POST"])
def report_track(request, token: str):
    """The reporter's page (unguessable link): public history, then feedback and reopen after closure."""
    try:
        report = report_public_get(token=token)
    except ApplicationError:
        raise Http404 from None
    feedback_form, reopen_form = FeedbackForm(), ReopenForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "feedback":
                feedback_form = FeedbackForm(request.POST)
                if feedback_form.is_valid():
                    report_feedback(report=report, fixed=feedback_form.cleaned_data["fixed"],
                                    comment=feedback_form.cleaned_data["comment"])
                    messages.success(request, _("Merci pour votre avis."))
                    return redirect("reports:track", token=token)
            elif action == "reopen":
                reopen_form = ReopenForm(request.POST)
                if reopen_form.is_valid():
                    report_reopen_request(report=report, reason=reopen_form.cleaned_data["reason"])
                    messages.success(request, _("Votre demande de réouverture est transmise au service."))
                    return redirect("reports:track", token=token)
        except ApplicationError as error:
            messages.error(request, error.message)
        status = 400
    context = _public_context(report) | {"feedback_form": feedback_form, "reopen_form": reopen_form,
                                         "tracking": True, "reporter_follows": reporter_follows(report=report)}
    return render(request, "reports/report_public.html", context, status=status)


@require_http_methods(["GET", "POST"])
def report_unfollow_view(request, token: str):
    if request.method == "POST":
        removed = report_unfollow(token=token)
        messages.success(request, _("Vous ne suivez plus ce signalement.") if removed
                         else _("Ce lien de désabonnement n'est plus valable."))
        return redirect("portal:home")
    return render(request, "reports/report_unfollow.html", {"token": token})


@require_GET
def report_photo(request, signed: str):
    try:
        photo, thumbnail = photo_from_signed(signed)
    except ApplicationError:
        raise Http404 from None
    response = HttpResponse(bytes(photo.thumbnail if thumbnail else photo.content), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
