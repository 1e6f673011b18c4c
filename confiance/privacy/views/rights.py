"""The rights requests register: list and record, one request with its clock, search, export, erasure, answer."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from confiance.accounts.choices import Permission
from confiance.core.errors import ApplicationError
from confiance.core.pdf import Document
from confiance.privacy.choices import RightsRequestKind, RightsRequestStatus
from confiance.privacy.forms import CloseForm, ExtensionForm, RightsRequestForm
from confiance.privacy.models import RightsRequest
from confiance.privacy.services import rights as rights_services
from confiance.privacy.views.common import Refused, actor_of, commune_for, communes_of, refused

MANAGE = Permission.PRIVACY_MANAGE
PER_PAGE = 200


@login_required
@require_http_methods(["GET", "POST"])
def request_list(request):
    actor = actor_of(request)
    try:
        commune = commune_for(request, actor, MANAGE)
    except Refused as error:
        return refused(request, error)
    form = RightsRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = rights_services.rights_request_create(
                actor=actor, commune_id=commune.pk, kind=data["kind"], requester_name=data["requester_name"],
                requester_email=data["requester_email"], requester_phone=data["requester_phone"],
                details=data["details"], received_at=data["received_at"])
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            return redirect("privacy:request", request_id=created.pk)
    rows = list(RightsRequest.objects.filter(commune=commune).order_by("-received_at")[:PER_PAGE])
    now = timezone.now()
    return render(request, "privacy/requests.html", {
        "commune": commune, "communes": communes_of(actor, MANAGE), "form": form, "now": now,
        "rows": [(row, row.status == RightsRequestStatus.OPEN and row.due_at < now) for row in rows]})


def _request_of(request, request_id: int) -> RightsRequest:
    actor = actor_of(request)
    found = RightsRequest.objects.filter(pk=request_id, commune_id__in=actor.commune_ids(MANAGE)).first()
    if found is None:
        raise Http404
    return found


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request, request_id: int):
    rights_request = _request_of(request, request_id)
    result = None
    if request.method == "POST":
        try:
            result = rights_services.rights_request_search(actor=actor_of(request), request=rights_request)
        except ApplicationError as error:
            messages.error(request, error.message)
    now = timezone.now()
    return render(request, "privacy/request.html", {
        "rights_request": rights_request, "steps": rights_request.steps.all(), "result": result,
        "overdue": rights_request.status == RightsRequestStatus.OPEN and rights_request.due_at < now,
        "is_erasure": rights_request.kind == RightsRequestKind.ERASURE,
        "is_open": rights_request.status == RightsRequestStatus.OPEN,
        "extension_form": ExtensionForm(), "close_form": CloseForm()})


def _back(rights_request: RightsRequest):
    return redirect(reverse("privacy:request", kwargs={"request_id": rights_request.pk}))


@login_required
@require_POST
def request_extend(request, request_id: int):
    rights_request = _request_of(request, request_id)
    form = ExtensionForm(request.POST)
    try:
        rights_services.rights_request_extend(actor=actor_of(request), request=rights_request,
                                              reason=form.data.get("reason", "")[:500])
        messages.success(request, _("Délai prolongé à trois mois."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return _back(rights_request)


@login_required
@require_POST
def request_erase(request, request_id: int):
    rights_request = _request_of(request, request_id)
    try:
        outcome = rights_services.rights_request_erase(actor=actor_of(request), request=rights_request)
    except ApplicationError as error:
        messages.error(request, error.message)
        return _back(rights_request)
    messages.success(request, _("%(erased)d fiche(s) effacée(s), %(refused)d effacement(s) refusé(s).") % {
        "erased": len(outcome.erased), "refused": len(outcome.refused)})
    for reason in sorted({match.erasure_refusal for match in outcome.refused if match.erasure_refusal}):
        messages.warning(request, reason)
    return _back(rights_request)


@login_required
@require_POST
def request_close(request, request_id: int):
    rights_request = _request_of(request, request_id)
    form = CloseForm(request.POST)
    form.is_valid()
    try:
        rights_services.rights_request_close(actor=actor_of(request), request=rights_request,
                                             refused=bool(form.cleaned_data.get("refused")),
                                             note=form.cleaned_data.get("note", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
    return _back(rights_request)


@login_required
@require_POST
def request_export(request, request_id: int, fmt: str):
    if fmt not in ("json", "pdf"):
        raise Http404
    rights_request = _request_of(request, request_id)
    document = rights_services.rights_request_export(actor=actor_of(request), request=rights_request)
    name = f"reponse-{rights_request.number}"
    if fmt == "json":
        response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    pdf = Document(f"Réponse à la demande {rights_request.number}")
    pdf.add_page()
    pdf.field("Droit exercé", document["droit"])
    pdf.field("Reçue le", timezone.localtime(rights_request.received_at).strftime("%d/%m/%Y"))
    pdf.paragraph(document["résultat"])
    for item in document["données"]:
        pdf.heading(f"{item['source']} - {item['référence']}")
        pdf.paragraph(item["résumé"])
        for label, value in item["données"].items():
            pdf.field(label, value)
        if not item["effaçable"]:
            pdf.paragraph(item["motif de refus"])
    response = HttpResponse(pdf.output_bytes(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
