"""Public pages of video-protection, per commune (anonymous): the map and list of cameras with the information
notice, the detailed notice, and the same registry as GeoJSON and CSV. Built from the per-process cache of
selectors/public_cameras.py; nothing here helps an intruder (no stream link, no masks, no angle or range)."""

from __future__ import annotations

import re

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from confiance.devices.selectors.public_cameras import PublicRegistry, public_payload, public_registry
from confiance.territory.models import Commune

INSEE = re.compile(r"[0-9][0-9AB][0-9]{3}")
PUBLIC_MAX_AGE = 300  # seconds: browsers and proxies may keep the page five minutes


def _commune(code: str) -> Commune:
    """A commune by INSEE code, or by the slug of its name (then redirected to the code by the caller)."""
    code = (code or "")[:80]
    if INSEE.fullmatch(code.upper()):
        commune = Commune.objects.filter(insee_code=code.upper()).only("id", "name", "insee_code").first()
        if commune is not None:
            return commune
    wanted = slugify(code)
    matches = [pk for pk, name in Commune.objects.values_list("id", "name") if slugify(name) == wanted] if wanted \
        else []
    if len(matches) != 1:
        raise Http404
    return Commune.objects.only("id", "name", "insee_code").get(pk=matches[0])


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
def commune_cameras(request, code: str):
    commune = _commune(code)
    if code != commune.insee_code:
        return redirect("devices:public-cameras", code=commune.insee_code, permanent=True)
    registry = public_registry(commune)
    return _cached(render(request, "devices/cameras/public.html", {
        "registry": registry, "figures": public_payload(registry), "camera_list": _list_fragment(request, registry),
    }))


@require_GET
def commune_notice(request, code: str):
    commune = _commune(code)
    if code != commune.insee_code:
        return redirect("devices:public-notice", code=commune.insee_code, permanent=True)
    return _cached(render(request, "devices/cameras/public_notice.html", {"registry": public_registry(commune)}))


@require_GET
def commune_geojson(request, code: str):
    registry = public_registry(_commune(code))
    return _cached(HttpResponse(registry.geojson, content_type="application/geo+json"))


@require_GET
def commune_csv(request, code: str):
    registry = public_registry(_commune(code))
    response = HttpResponse("\ufeff" + registry.csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="videoprotection-{registry.insee_code}.csv"'
    return _cached(response)
