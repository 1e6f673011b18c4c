"""Login with lockout, the second-factor step (verification, enrolment through an administrator's link), logout."""

import base64
from datetime import timedelta

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from confiance.accounts.access import Actor, can_issue_enrolment_link, second_factor_required_now
from confiance.accounts.choices import SecurityEventKind
from confiance.accounts.forms import EnrolmentLinkForm, LoginForm, OneTimeCodeForm
from confiance.accounts.models import Agent
from confiance.accounts.services import (
    agent_has_confirmed_device,
    enrolment_link_issue,
    enrolment_link_redeem,
    security_event_record,
    totp_device_confirm,
    totp_device_pending,
    totp_verify,
)
from confiance.core.ratelimits import client_ip, rate_check, rate_limited_page

# Session entry set by a redeemed enrolment link: {"agent": id, "link": id, "until": ISO time}.
ENROLMENT_SESSION_KEY = "confiance_2fa_enrolment"
ENROLMENT_WINDOW = timedelta(minutes=15)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        exceeded = rate_check("login", ip=client_ip(request))  # every account alike, from one address
        if exceeded is not None:
            return rate_limited_page(request, exceeded)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        required = second_factor_required_now(self.request.session, form.get_user())
        if required and not settings.CONFIANCE_2FA_RELAXED:
            return redirect(f"{settings.CONFIANCE_2FA_URL}?next={self.get_success_url()}")
        return response


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return settings.LOGIN_REDIRECT_URL


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request):
    """Ask for the TOTP code; send agents without an authenticator to enrolment. A wrong or missing code is counted
    for the RSSI."""
    if not agent_has_confirmed_device(request.user):
        return redirect(f"{settings.CONFIANCE_2FA_URL}activer/?next={_safe_next(request)}")
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            device = totp_verify(agent=request.user, code=form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                return redirect(_safe_next(request))
            form.add_error("code", _("Code incorrect ou expiré."))
        security_event_record(kind=SecurityEventKind.SECOND_FACTOR, name=request.user.get_username(),
                              ip=client_ip(request), agent=request.user)
    return render(request, "accounts/second_factor.html", {"form": form, "next": _safe_next(request)})


def _enrolment_grant(request) -> int | None:
    """The redeemed link this session may enrol with (its id), if still within its window."""
    grant = request.session.get(ENROLMENT_SESSION_KEY)
    if not isinstance(grant, dict) or grant.get("agent") != request.user.pk:
        return None
    until = parse_datetime(str(grant.get("until", "")))
    if until is None or until <= timezone.now():
        return None
    link_id = grant.get("link")
    return link_id if isinstance(link_id, int) else None


def enrolment_link_path(secret: str) -> str:
    return reverse("accounts:enrolment-link", kwargs={"secret": secret})


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request):
    """Show the QR code of a new authenticator and confirm it with a first code (after an enrolment link only)."""
    if agent_has_confirmed_device(request.user):
        return redirect(settings.CONFIANCE_2FA_URL)
    link_id = _enrolment_grant(request)
    if link_id is None:
        target = _safe_next(request)
        if target.startswith(enrolment_link_path("x").removesuffix("x/")):  # came through login from the link
            return redirect(target)
        return render(request, "accounts/enrolment_link_required.html", status=403)
    device = totp_device_pending(agent=request.user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = totp_device_confirm(agent=request.user, code=form.cleaned_data["code"], link_id=link_id)
        if confirmed is not None:
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            otp_login(request, confirmed)
            return redirect(_safe_next(request))
        form.add_error("code", _("Code incorrect : vérifiez l'heure de votre téléphone et réessayez."))
    qr_svg = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")
    secret_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/second_factor_enrol.html",
                  {"form": form, "qr_svg": qr_svg, "secret": secret_b32, "next": _safe_next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_link(request, secret: str):
    """The link an administrator issued: confirmed by a POST (a GET, such as a mail scanner's, consumes nothing)."""
    if len(secret) > 100:
        raise Http404
    if request.method == "POST":
        link = enrolment_link_redeem(agent=request.user, secret=secret)
        if link is not None:
            request.session[ENROLMENT_SESSION_KEY] = {
                "agent": request.user.pk, "link": link.pk,
                "until": (timezone.now() + ENROLMENT_WINDOW).isoformat()}
            return redirect(f"{settings.CONFIANCE_2FA_URL}activer/?next={resolve_url(settings.LOGIN_REDIRECT_URL)}")
        return render(request, "accounts/enrolment_link.html", {"refused": True}, status=403)
    return render(request, "accounts/enrolment_link.html", {"refused": False})


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_link_issue_page(request, agent_id: int):
    """An administrator issues an enrolment link for an agent of their communes; the link is shown once."""
    actor = Actor(agent=request.user)
    agent = get_object_or_404(Agent, pk=agent_id, is_active=True)
    if not can_issue_enrolment_link(actor, agent):
        raise Http404
    form = EnrolmentLinkForm(request.POST or None)
    issued_url = None
    if request.method == "POST" and form.is_valid():
        issued = enrolment_link_issue(actor=actor, agent=agent, hours=form.cleaned_data["hours"])
        issued_url = request.build_absolute_uri(enrolment_link_path(issued.secret))
        form = EnrolmentLinkForm()
    return render(request, "accounts/enrolment_link_issue.html",
                  {"agent": agent, "form": form, "issued_url": issued_url})


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"
