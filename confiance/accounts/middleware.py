"""Agents whose role demands it must pass the second factor before anything but the login pages.

The requirement is evaluated on every request (access.second_factor_required_now), not only at login.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from confiance.accounts.access import second_factor_required_now
from confiance.accounts.errors import AccountErrorCode

# Only signing in and the second-factor step itself are reachable before it; the rest of /comptes/ is not.
OPEN_PREFIXES = ("/comptes/connexion/", "/comptes/deconnexion/", "/comptes/double-authentification/", "/static/",
                 "/i18n/", "/favicon")


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_verify(request):
            if request.path.startswith(("/api/", "/live/")):
                return JsonResponse(
                    {"code": AccountErrorCode.SECOND_FACTOR_REQUIRED,
                     "message": _("Double authentification requise : validez votre code à usage unique."),
                     "details": {}},
                    status=401,
                )
            return redirect(f"{settings.CONFIANCE_2FA_URL}?next={request.get_full_path()}")
        return self.get_response(request)

    def _must_verify(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or settings.CONFIANCE_2FA_RELAXED:
            return False
        if request.path.startswith(OPEN_PREFIXES) or user.is_verified():
            return False
        return second_factor_required_now(request.session, user)
