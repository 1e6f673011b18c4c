"""Subscribers and published alerts for the delivery tests (the alerts' own factories are elsewhere)."""

from __future__ import annotations

import itertools
import secrets

import numpy as np
from django.utils import timezone

from confiance.accounts.tests.factories import make_agent
from confiance.alerts.choices import AlertStatus, MessageType
from confiance.alerts.delivery_choices import SubscriberStatus
from confiance.alerts.models import Alert, Subscriber
from confiance.core.geo import h3_cell
from confiance.territory.models import Commune

_numbers = itertools.count(1)


def make_subscriber(commune: Commune, *, lat: float | None, lon: float | None, email: str = "", phone: str = "",
                    sector=None, status: str = SubscriberStatus.ACTIVE, push: str = "") -> Subscriber:
    now = timezone.now()
    return Subscriber.objects.create(
        commune=commune, status=status, token=secrets.token_hex(16), lat=lat, lon=lon, sector=sector,
        h3_cell=h3_cell(lat, lon) if lat is not None else "", email=email,
        email_confirmed_at=now if email else None, phone=phone, phone_confirmed_at=now if phone else None,
        push_endpoint=push, push_p256dh="k" if push else "", push_auth="a" if push else "",
        confirmed_at=now if status == SubscriberStatus.ACTIVE else None)


def spread_subscribers(commune: Commune, count: int, *, seed: int = 1, phones: bool = False) -> list[Subscriber]:
    """`count` subscribers at random points of the commune's bounding box, each with an e-mail (and a phone)."""
    rng = np.random.default_rng(seed)
    from shapely.geometry import shape

    minx, miny, maxx, maxy = shape(commune.geometry).bounds
    made = []
    for index in range(count):
        lon, lat = float(rng.uniform(minx, maxx)), float(rng.uniform(miny, maxy))
        made.append(make_subscriber(commune, lat=lat, lon=lon, email=f"habitant{index}@example.org",
                                    phone=f"+3361234{index:04d}" if phones else ""))
    return made


def polygon_feature(ring: list[tuple[float, float]]) -> dict:
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def make_published_alert(commune: Commune, *, area: dict | None = None, sectors=(), headline: str = "Crue de "
                         "l'Essonne", msg_type: str = MessageType.ALERT) -> Alert:
    author = make_agent(communes=[commune], username=f"auteur{next(_numbers)}", password=None)
    alert = Alert.objects.create(
        commune=commune, sender=f"mairie-{commune.insee_code}@confiance", identifier=f"test-{next(_numbers)}",
        msg_type=msg_type, status=AlertStatus.PUBLISHED, event="Inondation", headline=headline,
        description="La rivière déborde dans les quartiers bas.", instruction="Montez à l'étage et restez chez vous.",
        area=area or {"type": "FeatureCollection", "features": []}, author=author, published_at=timezone.now())
    alert.target_sectors.set(sectors)
    return alert
