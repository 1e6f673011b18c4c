"""The public Atom feed of a commune's CAP messages (one entry per message, linking its CAP XML)."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from lxml import etree

from confiance.alerts.cap.build import cap_datetime
from confiance.alerts.models import Alert
from confiance.territory.models import Commune

ATOM = "http://www.w3.org/2005/Atom"
A = f"{{{ATOM}}}"


def _sub(parent, tag: str, text: str | None = None, **attributes: str):
    node = etree.SubElement(parent, A + tag, **attributes)
    if text is not None:
        node.text = text
    return node


def atom_feed(*, commune: Commune, alerts: Iterable[Alert], base_url: str) -> bytes:
    """Atom 1.0: the newest message first; each entry's content is the instruction, its link the CAP message."""
    alerts = list(alerts)
    feed = etree.Element(A + "feed", nsmap={None: ATOM})
    self_url = base_url + reverse("alerts:feed", args=[commune.insee_code])
    _sub(feed, "id", self_url)
    _sub(feed, "title", f"Alertes à la population — {commune.name}")
    _sub(feed, "updated", cap_datetime(alerts[0].published_at if alerts else timezone.now()))
    _sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    _sub(feed, "link", rel="alternate", href=base_url + reverse("alerts:public", args=[commune.insee_code]),
         type="text/html")
    author = _sub(feed, "author")
    _sub(author, "name", f"Commune de {commune.name}")
    for alert in alerts:
        entry = _sub(feed, "entry")
        cap_url = base_url + reverse("alerts:cap", args=[alert.identifier])
        _sub(entry, "id", cap_url)
        _sub(entry, "title", alert.headline)
        _sub(entry, "updated", cap_datetime(alert.published_at))
        _sub(entry, "published", cap_datetime(alert.published_at))
        _sub(entry, "link", rel="alternate", href=cap_url, type="application/cap+xml")
        _sub(entry, "summary", alert.instruction or alert.description or alert.headline)
        _sub(entry, "category", term=alert.msg_type)
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
