"""Where a form may send the browser back: a `next` parameter is followed only when it is a path on this site
(`url_has_allowed_host_and_scheme`, and an absolute path, so `//host`, `https://host` and `javascript:` are
refused); otherwise the page's own fallback."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_next(request: HttpRequest, target: str) -> bool:
    return bool(target) and target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure())


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The posted (or queried) `next` when it stays on this site, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_safe_next(request, target) else fallback
