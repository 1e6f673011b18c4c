"""Public pages of video-protection, per commune (anonymous): the map and list of cameras with the information
notice, the detailed notice, and the same registry as GeoJSON and CSV. Built from the per-process cache of
selectors/public_cameras.py; nothing here helps an intruder (no stream link, no masks, no angle or range)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from confiance.core.context_processors import platform
from confiance.core.public_pages import public_page
from confiance.devices.selectors.public_cameras import (
    PublicLookup,
    PublicRegistry,
    public_commune,
    public_payload,
    public_registry,
)

PUBLIC_MAX_AGE = 300  # seconds: browsers and proxies may keep the data files five minutes
PAGE_MAX_AGE = 60  # the pages: one minute in the browser (private: an agent's has their menu at the same address)
SERVER_SECONDS = 2  # a change is seen within this by every server process (core.public_pages, ADR 0018)


class _Path:
    """What the shell template asks of the request when the page is rendered for every anonymous visitor."""

    def __init__(self, path: str) -> None:
        self.path = path

    def get_full_path(self) -> str:
        return self.path


def _shared_render_allowed(request) -> bool:
    """An anonymous visitor with no session and no pending message sees exactly what any other one sees."""
    return (not request.user.is_authenticated and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES)


def _page(request, registry: PublicRegistry, name: str, template: str, context: dict) -> HttpResponse:
    """The page, rendered and encoded once per registry for anonymous visitors (no CSRF token: their language form
    goes through the language page, ADR 0018); the usual rendering for everyone else."""
    if not _shared_render_allowed(request):
        response = render(request, template, context)
    else:
        body = registry.fragments.get(name)
        if body is None:
            body = registry.fragments[name] = render_to_string(template, {
                **platform(request), **context, "public_page": True, "user": AnonymousUser(), "nav": {},
                "messages": [], "request": _Path(request.path)}).encode()
        response = HttpResponse(body)
    response["Cache-Control"] = f"private, max-age={PAGE_MAX_AGE}"
    return response


def _lookup(code: str) -> PublicLookup:
    """The commune by INSEE code, or by the slug of its name (then redirected to the code by the caller)."""
    lookup = public_commune((code or "")[:80])
    if lookup.commune is None:
        raise Http404
    return lookup


def _cached(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    return response


def _list_fragment(request, registry: PublicRegistry) -> str:
    """The list of cameras, rendered once per registry (it is the heavy part of the page)."""
    fragment = registry.fragments.get("list")
    if fragment is None:
        fragment = registry.fragments["list"] = render_to_string(
            "devices/cameras/_public_list.html", {"registry": registry}, request=None)
    return fragment


@require_GET
@public_page(SERVER_SECONDS)
def commune_cameras(request, code: str):
    lookup = _lookup(code)
    if not lookup.canonical:
        return redirect("devices:public-cameras", code=lookup.commune.insee_code, permanent=True)
    registry = public_registry(lookup.commune, lookup.held)
    return _page(request, registry, "page", "devices/cameras/public.html", {
        "registry": registry, "figures": public_payload(registry), "camera_list": _list_fragment(request, registry),
    })


@require_GET
@public_page(SERVER_SECONDS)
def commune_notice(request, code: str):
    lookup = _lookup(code)
    if not lookup.canonical:
        return redirect("devices:public-notice", code=lookup.commune.insee_code, permanent=True)
    registry = public_registry(lookup.commune, lookup.held)
    return _page(request, registry, "notice", "devices/cameras/public_notice.html", {"registry": registry})


@require_GET
@public_page(SERVER_SECONDS)
def commune_geojson(request, code: str):
    lookup = _lookup(code)
    registry = public_registry(lookup.commune, lookup.held)
    return _cached(HttpResponse(registry.geojson, content_type="application/geo+json"))


@require_GET
@public_page(SERVER_SECONDS)
def commune_csv(request, code: str):
    lookup = _lookup(code)
    registry = public_registry(lookup.commune, lookup.held)
    response = HttpResponse("\ufeff" + registry.csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="videoprotection-{registry.insee_code}.csv"'
    return _cached(response)
