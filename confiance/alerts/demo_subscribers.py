"""Demo subscribers: inhabitants spread over the demo communes (addresses of the imported address file where there
are some), confirmed, reached by e-mail (the demo's mail folder), SMS (the file gateway, var/sms.log) or both, so the
demo flood alert reaches people. Replayable: nothing is added when demo subscribers already exist."""

from __future__ import annotations

import numpy as np
from django.utils import timezone
from shapely.geometry import shape

from confiance.alerts.delivery_choices import SubscriberStatus
from confiance.alerts.models import Subscriber
from confiance.core.geo import h3_cell
from confiance.territory.models import Commune
from confiance.territory.selectors import locate_point

PER_COMMUNE = 150
DOMAIN = "demo.confiance.invalid"


def _points(commune: Commune, rng: np.random.Generator, count: int) -> list[tuple[float, float]]:
    area = shape(commune.geometry)
    minx, miny, maxx, maxy = area.bounds
    found: list[tuple[float, float]] = []
    for _attempt in range(count * 20):
        if len(found) >= count:
            break
        lon, lat = float(rng.uniform(minx, maxx)), float(rng.uniform(miny, maxy))
        if locate_point(lat=lat, lon=lon).commune_id == commune.pk:
            found.append((lat, lon))
    return found


def load_subscribers(*, stdout) -> int:
    """Spread PER_COMMUNE confirmed subscribers over each commune; how many were created."""
    if Subscriber.objects.filter(email__endswith=f"@{DOMAIN}").exists():
        stdout.write("Alertes : abonnés de démonstration déjà présents.")
        return 0
    rng = np.random.default_rng(18)
    now = timezone.now()
    rows = []
    for commune in Commune.objects.order_by("insee_code"):
        for index, (lat, lon) in enumerate(_points(commune, rng, PER_COMMUNE)):
            number = len(rows)
            by_sms = index % 3 == 0
            rows.append(Subscriber(
                commune=commune, status=SubscriberStatus.ACTIVE, token=f"demo{number:028d}", lat=round(lat, 6),
                lon=round(lon, 6), h3_cell=h3_cell(lat, lon), sector_id=locate_point(lat=lat, lon=lon).sector_id,
                email=f"habitant{number}@{DOMAIN}", email_confirmed_at=now,
                phone=f"+3367{number:07d}" if by_sms else "", phone_confirmed_at=now if by_sms else None,
                confirmed_at=now))
    Subscriber.objects.bulk_create(rows, batch_size=500)
    stdout.write(f"Alertes : {len(rows)} abonnés de démonstration répartis sur le territoire.")
    return len(rows)
