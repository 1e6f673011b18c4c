"""Demo: an analyst's imported CSV of burglaries over two years in Mennecy, made here with a known pattern
(three hot spots, a weekly rhythm, and near repeats: a burglary raises the risk next door for a week), so
that every analysis has something real to find. It goes through the same import as any analyst's file."""

from __future__ import annotations

import io
import random
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.utils import timezone
from shapely.geometry import Point, shape

from confiance.accounts.access import Actor
from confiance.accounts.models import Agent
from confiance.analytics.models import Dataset
from confiance.analytics.services import dataset_import
from confiance.territory.models import Commune

ORDER = 60
NAME = "Cambriolages 2 ans (démonstration)"


def synthetic_csv(commune: Commune, *, days: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    polygon = shape(commune.geometry)
    west, south, east, north = polygon.bounds

    def inside() -> tuple[float, float]:
        while True:
            lon, lat = rng.uniform(west, east), rng.uniform(south, north)
            if polygon.contains(Point(lon, lat)):
                return lat, lon

    hot_spots = [inside() for _ in range(3)]
    metres_lat = 1 / 111_320
    metres_lon = 1 / (111_320 * np.cos(np.radians((south + north) / 2)))
    today = timezone.localdate()
    start = today - timedelta(days=days)
    rows = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        winter = 1.4 if day.month in (11, 12, 1, 2) else 1.0
        weekday = 1.2 if day.weekday() < 5 else 0.7
        count = np.random.default_rng(seed * 100_000 + offset).poisson(1.1 * winter * weekday)
        for _ in range(count):
            if rng.random() < 0.5:
                lat0, lon0 = rng.choice(hot_spots)
                lat = lat0 + rng.gauss(0, 150) * metres_lat
                lon = lon0 + rng.gauss(0, 150) * metres_lon
            else:
                lat, lon = inside()
            hour = rng.choice([10, 11, 14, 15, 16, 17, 18, 19, 21, 2])
            rows.append((day, hour, lat, lon))
            # near repeat: a neighbour within ~150 m in the following week
            if rng.random() < 0.3:
                later = day + timedelta(days=rng.randint(0, 7))
                if later < today:
                    rows.append((later, rng.choice([11, 15, 18, 20]), lat + rng.gauss(0, 60) * metres_lat,
                                 lon + rng.gauss(0, 60) * metres_lon))
    out = io.StringIO()
    out.write("date,heure,categorie,lat,lon\n")
    for day, hour, lat, lon in sorted(rows):
        out.write(f"{day:%d/%m/%Y},{hour},Cambriolage,{lat:.6f},{lon:.6f}\n")
    return out.getvalue()


def load(*, actor, stdout) -> None:
    if not settings.DEMO_MODE:
        raise RuntimeError("Les données de démonstration ne sont chargées qu'en mode démo.")
    commune = Commune.objects.filter(insee_code="91386").first()
    analyst = Agent.objects.filter(username="chef").first()
    if commune is None or analyst is None or Dataset.objects.filter(name=NAME).exists():
        return
    dataset = dataset_import(actor=Actor(agent=analyst), commune_id=commune.pk, name=NAME,
                             data=synthetic_csv(commune, days=730).encode(), crs=None)
    stdout.write(f"Analyse : jeu importé « {NAME} » ({dataset.events} événements, Mennecy)")
