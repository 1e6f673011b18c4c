"""Public pages of population alerts: a commune's page (current alerts first, instructions first, then the archive
and the alerts of other authorities), its Atom feed, and every published CAP message at a stable address."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from confiance.alerts.cap.atom import atom_feed
from confiance.alerts.selectors import feed_alerts, public_alerts, public_incoming, published_by_identifier
from confiance.territory.models import Commune

IDENTIFIER_MAX = 200


def _commune(insee_code: str) -> Commune:
    commune = Commune.objects.filter(insee_code=insee_code[:5]).first()
    if commune is None or len(insee_code) != 5:
        raise Http404()
    return commune


def texts(alert, english: bool) -> dict[str, str]:
    """The wording the reader gets: English when asked for and written, French otherwise."""
    if english and alert.headline_en:
        return {"headline": alert.headline_en, "instruction": alert.instruction_en or alert.instruction,
                "description": alert.description_en or alert.description, "lang": "en"}
    return {"headline": alert.headline, "instruction": alert.instruction, "description": alert.description,
            "lang": "fr"}


@require_GET
def public_page(request, insee_code: str):
    commune = _commune(insee_code)
    current, archive = public_alerts(commune=commune)
    english = (translation.get_language() or "fr").startswith("en")
    return render(request, "alerts/public.html", {
        "commune": commune, "current": [(alert, texts(alert, english)) for alert in current],
        "archive": archive, "incoming": public_incoming(commune=commune)})


@require_GET
def cap_message(request, identifier: str):
    """The CAP message exactly as published (frozen bytes)."""
    if len(identifier) > IDENTIFIER_MAX:
        raise Http404()
    alert = published_by_identifier(identifier)
    if alert is None:
        raise Http404()
    response = HttpResponse(alert.cap_xml.encode("utf-8"), content_type="application/cap+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{alert.identifier}.xml"'
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_GET
def feed(request, insee_code: str):
    commune = _commune(insee_code)
    body = atom_feed(commune=commune, alerts=feed_alerts(commune=commune),
                     base_url=settings.CONFIANCE_PUBLIC_URL.rstrip("/"))
    response = HttpResponse(body, content_type="application/atom+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=60"
    return response
