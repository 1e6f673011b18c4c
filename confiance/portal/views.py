"""Public pages."""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET


def home(request):
    return render(request, "portal/home.html", {})


@require_GET
def language(request):
    """The language form of the pages kept for every anonymous visitor (ADR 0018): they carry no CSRF token, so
    their form comes here by GET, and this page posts the choice to Django's set_language with the visitor's own
    token (a GET never changes the language)."""
    codes = [code for code, _name in settings.LANGUAGES]
    chosen = request.GET.get("language", "")
    chosen = chosen if chosen in codes else translation.get_language()
    next_url = request.GET.get("next", "")[:2000]
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/"
    languages = [translation.get_language_info(code) for code in codes]
    return render(request, "portal/language.html", {"chosen": chosen, "next_url": next_url, "languages": languages})
