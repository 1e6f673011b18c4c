"""The breach register (article 33 GDPR): record, 72-hour clock, decision and notification text."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from confiance.accounts.choices import Permission
from confiance.core.errors import ApplicationError
from confiance.privacy.forms import BreachDecisionForm, BreachForm
from confiance.privacy.models import Breach
from confiance.privacy.selectors.register import commune_privacy
from confiance.privacy.services.breaches import (
    breach_deadline,
    breach_decide,
    breach_overdue,
    breach_record,
    notification_draft,
)
from confiance.privacy.views.common import Refused, actor_of, commune_for, communes_of, refused

MANAGE = Permission.PRIVACY_MANAGE


@login_required
@require_http_methods(["GET", "POST"])
def breach_list(request):
    actor = actor_of(request)
    try:
        commune = commune_for(request, actor, MANAGE)
    except Refused as error:
        return refused(request, error)
    form = BreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            breach = breach_record(actor=actor, commune_id=commune.pk, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            return redirect("privacy:breach", breach_id=breach.pk)
    now = timezone.now()
    breaches = list(Breach.objects.filter(commune=commune).order_by("-discovered_at")[:200])
    return render(request, "privacy/breaches.html", {
        "commune": commune, "communes": communes_of(actor, MANAGE), "form": form,
        "rows": [(breach, breach_deadline(breach), breach_overdue(breach, now)) for breach in breaches]})


@login_required
@require_http_methods(["GET", "POST"])
def breach_detail(request, breach_id: int):
    actor = actor_of(request)
    breach = Breach.objects.filter(pk=breach_id, commune_id__in=actor.commune_ids(MANAGE)).first()
    if breach is None:
        raise Http404
    initial = {"risk": breach.risk, "reason": breach.decision_reason,
               "notification_text": breach.notification_text or notification_draft(
                   breach, commune_privacy(breach.commune_id).controller),
               "notified_at": breach.notified_at, "persons_informed_at": breach.persons_informed_at}
    form = BreachDecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            breach_decide(actor=actor, breach=breach, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            return redirect("privacy:breach", breach_id=breach.pk)
    return render(request, "privacy/breach.html", {
        "breach": breach, "form": form, "deadline": breach_deadline(breach), "overdue": breach_overdue(breach)})
