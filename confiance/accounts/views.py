"""Login with lockout, the second-factor step (verification and enrolment), logout."""

import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from confiance.accounts.access import SECOND_FACTOR_SESSION_KEY, requires_second_factor
from confiance.accounts.forms import LoginForm, OneTimeCodeForm
from confiance.accounts.services import (
    agent_has_confirmed_device,
    totp_device_confirm,
    totp_device_pending,
    totp_verify,
)
from confiance.core.ratelimits import client_ip, rate_check, rate_limited_page


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
        required = requires_second_factor(form.get_user()) and not settings.CONFIANCE_2FA_RELAXED
        self.request.session[SECOND_FACTOR_SESSION_KEY] = required
        if required:
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
    """Ask for the TOTP code; send agents without an authenticator to enrolment."""
    if not agent_has_confirmed_device(request.user):
        return redirect(f"{settings.CONFIANCE_2FA_URL}activer/?next={_safe_next(request)}")
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = totp_verify(agent=request.user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("code", _("Code incorrect ou expiré."))
    return render(request, "accounts/second_factor.html", {"form": form, "next": _safe_next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request):
    """Show the QR code of a new authenticator and confirm it with a first code."""
    if agent_has_confirmed_device(request.user):
        return redirect(settings.CONFIANCE_2FA_URL)
    device = totp_device_pending(agent=request.user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = totp_device_confirm(agent=request.user, code=form.cleaned_data["code"])
        if confirmed is not None:
            otp_login(request, confirmed)
            return redirect(_safe_next(request))
        form.add_error("code", _("Code incorrect : vérifiez l'heure de votre téléphone et réessayez."))
    qr_svg = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")
    secret_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/second_factor_enrol.html",
                  {"form": form, "qr_svg": qr_svg, "secret": secret_b32, "next": _safe_next(request)})


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"
