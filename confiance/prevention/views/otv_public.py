"""The resident's OTV pages: the registration form, the private page (change, cancel)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from confiance.core.ratelimits import client_ip, rate_check, rate_limited_page
from confiance.prevention.errors import OtvError
from confiance.prevention.forms.otv import RegistrationChangeForm, RegistrationForm
from confiance.prevention.selectors.otv import otv_communes, otv_rules_for
from confiance.prevention.services.otv import (
    registration_by_token,
    registration_cancel,
    registration_change,
    registration_submit,
)

_FIELDS = {"returns_on", "leaves_on", "address", "residence", "commune", "email", "phone", "phone_away",
           "contact_name", "contact_phone", "patrol_notes", "last_name", "first_name"}


def _place_error(form, error: OtvError) -> None:
    field = error.details.get("field", "")
    form.add_error(field if field in form.fields and field in _FIELDS else None, error.message)


def _limited(request):
    exceeded = rate_check("otv_form", ip=client_ip(request))
    return rate_limited_page(request, exceeded) if exceeded is not None else None


@require_http_methods(["GET", "POST"])
def otv_register(request):
    """The registration form (public, phone first)."""
    if request.method == "POST" and (refused := _limited(request)) is not None:
        return refused
    rules = list(otv_communes())
    communes = [(rule.commune_id, rule.commune.name) for rule in rules]
    form = RegistrationForm(request.POST or None, communes=communes, initial={"nonce": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        try:
            submission = registration_submit(draft=form.draft(), idempotency_key=form.cleaned_data["nonce"])
        except OtvError as error:
            _place_error(form, error)
        else:
            if not submission.token:
                messages.info(request, _("Cette inscription avait déjà été reçue : le lien pour la modifier vous a "
                                         "été envoyé par courriel."))
                return redirect("prevention:otv-sent")
            messages.success(request, _("Votre inscription est enregistrée. Un courriel de confirmation vous a été "
                                        "envoyé avec ce lien personnel."))
            return redirect("prevention:otv-manage", token=submission.token)
    return render(request, "prevention/otv_register.html", {"form": form, "rules": rules},
                  status=400 if request.method == "POST" else 200)


@require_GET
def otv_sent(request):
    return render(request, "prevention/otv_sent.html")


@require_http_methods(["GET", "POST"])
def otv_manage(request, token: str):
    """The resident's private page: only the registration of this link, to read, change or cancel."""
    registration = registration_by_token(token)
    if registration is None:
        raise Http404
    initial = {name: getattr(registration, name) for name in RegistrationChangeForm.base_fields}
    form = RegistrationChangeForm(initial=initial)
    status = 200
    if request.method == "POST":
        if (refused := _limited(request)) is not None:
            return refused
        if request.POST.get("action") == "cancel":
            try:
                registration_cancel(registration=registration)
            except OtvError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Votre inscription est annulée."))
            return redirect("prevention:otv-manage", token=token)
        form = RegistrationChangeForm(request.POST)
        try:
            if form.is_valid():
                registration_change(registration=registration, change=form.change())
                messages.success(request, _("Vos modifications sont enregistrées."))
                return redirect("prevention:otv-manage", token=token)
        except OtvError as error:
            _place_error(form, error)
        status = 400
    return render(request, "prevention/otv_manage.html", {
        "registration": registration, "form": form, "rules": otv_rules_for(commune_id=registration.commune_id),
    }, status=status)
