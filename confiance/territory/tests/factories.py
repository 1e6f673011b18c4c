"""Territory factories: square communes and sectors at given places."""

import itertools

from shapely.geometry import box, mapping

from confiance.territory.models import Commune, Sector, TerritoryRevision
from confiance.territory.services import area_fields

_codes = itertools.count(91001)


def square(lon: float, lat: float, size: float = 0.02):
    return box(lon, lat, lon + size, lat + size)


def make_commune(*, lon: float = 2.40, lat: float = 48.55, size: float = 0.02, name: str = "",
                 insee_code: str = "") -> Commune:
    code = insee_code or str(next(_codes))
    commune = Commune.objects.create(insee_code=code, name=name or f"Commune {code}",
                                     **area_fields(square(lon, lat, size)))
    TerritoryRevision.objects.create(reason="test")
    return commune


def make_sector(*, commune: Commune, code: str, lon: float, lat: float, size: float = 0.01) -> Sector:
    sector = Sector.objects.create(commune=commune, code=code, name=f"Secteur {code}",
                                   **area_fields(square(lon, lat, size)))
    TerritoryRevision.objects.create(reason="test")
    return sector


def feature(code, name, geometry, **extra):
    return {"type": "Feature", "properties": {"code": code, "nom": name, **extra}, "geometry": geometry}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def square_geojson(lon, lat, size=0.02):
    return mapping(square(lon, lat, size))
