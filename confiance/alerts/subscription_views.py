"""Public pages of the alert subscriptions: subscribe (address or sector), confirm, SMS code, unsubscribe."""

import logging
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from confiance.alerts.delivery_choices import Channel
from confiance.alerts.delivery_errors import SubscriptionError
from confiance.alerts.delivery_report import alert_for_report, delivery_report
from confiance.alerts.subscription_forms import CodeForm, SubscribeForm
from confiance.alerts.subscriptions import (
    UNSUBSCRIBE_SALT,
    SubscriptionRequest,
    subscriber_from_link,
    subscription_confirm_code,
    subscription_confirm_email,
    subscription_request,
    subscription_unsubscribe,
)
from confiance.core.errors import NotFoundError
from confiance.core.ratelimits import client_ip, rate_check, rate_limited_page
from confiance.territory.models import Sector

logger = logging.getLogger(__name__)


def _sectors():
    return Sector.objects.select_related("commune").order_by("commune__name", "name")[:500]


@require_http_methods(["GET", "POST"])
def subscribe(request):
    form = SubscribeForm(request.POST or None)
    error = ""
    if request.method == "POST":
        exceeded = rate_check("alerts_subscribe", ip=client_ip(request))
        if exceeded is not None:
            return rate_limited_page(request, exceeded)
        if form.is_valid():
            data = form.cleaned_data
            try:
                subscriber, signed = subscription_request(request=SubscriptionRequest(
                    lat=data["lat"], lon=data["lon"], sector_id=data["sector"], email=data["email"],
                    phone=data["phone"], push_endpoint=data["push_endpoint"], push_p256dh=data["push_p256dh"],
                    push_auth=data["push_auth"]))
            except SubscriptionError as refusal:
                error = refusal.message
            else:
                return render(request, "alerts/subscribe_sent.html", {
                    "email": bool(subscriber.email), "phone": bool(subscriber.phone),
                    "code_url": reverse("alerts:subscription-code", args=[signed])}, status=201)
        else:
            error = _("Vérifiez les champs signalés.")
    return render(request, "alerts/subscribe.html", {"form": form, "error": error, "sectors": _sectors(),
                                                     "vapid_public_key": _vapid_public_key()},
                  status=400 if error else 200)


def _vapid_public_key() -> str:
    """The key browsers subscribe with; empty (no web push offered) if the installation's key cannot be read."""
    from confiance.operations.push import vapid_public_key

    try:
        return vapid_public_key()
    except Exception:  # a missing or unreadable key file: the other channels still work
        logger.exception("alerts: no VAPID key, web push not offered on the subscription page")
        return ""


_SERVICE_WORKER = Path(__file__).resolve().parent / "static" / "alerts" / "sw.js"


@require_GET
def service_worker(request):
    """The subscriptions' service worker (Web Push), served under /alertes/ so that its scope covers those pages."""
    response = HttpResponse(_SERVICE_WORKER.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def confirm(request, signed: str):
    try:
        subscription_confirm_email(signed=signed)
    except SubscriptionError as refusal:
        return render(request, "alerts/subscription_message.html", {"message": refusal.message}, status=404)
    return render(request, "alerts/subscription_message.html",
                  {"message": _("Merci : votre adresse est confirmée, vous recevrez les alertes de votre secteur.")})


@require_http_methods(["GET", "POST"])
def code(request, signed: str):
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST":
        exceeded = rate_check("alerts_subscribe", ip=client_ip(request))
        if exceeded is not None:
            return rate_limited_page(request, exceeded)
        if form.is_valid():
            try:
                subscription_confirm_code(signed=signed, code=form.cleaned_data["code"])
            except SubscriptionError as refusal:
                error = refusal.message
            else:
                return render(request, "alerts/subscription_message.html",
                              {"message": _("Merci : votre numéro est confirmé.")})
        else:
            error = _("Saisissez le code reçu par SMS.")
    return render(request, "alerts/subscription_code.html", {"form": form, "error": error},
                  status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def unsubscribe(request, signed: str):
    try:
        subscriber_from_link(signed, salt=UNSUBSCRIBE_SALT)
    except SubscriptionError as refusal:
        return render(request, "alerts/subscription_message.html", {"message": refusal.message}, status=404)
    if request.method == "POST":
        subscription_unsubscribe(signed=signed)
        return render(request, "alerts/subscription_message.html",
                      {"message": _("Vous êtes désabonné : vos coordonnées sont effacées.")})
    return render(request, "alerts/unsubscribe.html", {})


@login_required
@require_GET
def delivery_report_page(request, alert_id: int):
    """The delivery report of an alert for agents (ALERTS_VIEW): targeted, per channel, per minute."""
    from confiance.console.access import actor_of

    try:
        alert = alert_for_report(actor=actor_of(request), alert_id=alert_id)
    except NotFoundError:
        raise Http404 from None
    report = delivery_report(alert=alert)
    labels = dict(Channel.choices)
    rows = [(labels[channel], counts) for channel, counts in report["channels"].items() if counts["total"]]
    return render(request, "alerts/delivery_report.html", {"alert": alert, "report": report, "rows": rows})
