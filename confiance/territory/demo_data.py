"""Demo territory: six communes around Mennecy (Essonne), real INSEE codes, simplified polygons."""

from pathlib import Path

from shapely.geometry import mapping, shape

from confiance.territory.models import Commune
from confiance.territory.services import territory_import, zone_create

ORDER = 10
FOLDER = Path(__file__).parent / "demo"
DEMO_EPCI = "Communauté de communes du Val d'Essonne (démo)"


def _demo_zones():
    mennecy = Commune.objects.get(insee_code="91386")
    centre = shape(mennecy.geometry).representative_point()
    return [
        (mennecy, "Marché du centre-ville", "marche", centre.buffer(0.0025, quad_segs=4)),
        (mennecy, "Abords du groupe scolaire", "ecole", centre.buffer(0.0015, quad_segs=4)),
    ]


def load(*, actor, stdout) -> None:
    result = territory_import(actor=actor, data=(FOLDER / "communes.geojson").read_bytes(),
                              level="communes", intercommunality_name=DEMO_EPCI)
    stdout.write(f"Communes : {result.created} créée(s), {result.updated} mise(s) à jour.")
    result = territory_import(actor=actor, data=(FOLDER / "sectors.geojson").read_bytes(), level="sectors")
    stdout.write(f"Secteurs : {result.created} créé(s), {result.updated} mis à jour.")
    for commune, name, kind, polygon in _demo_zones():
        if not commune.zones.filter(name=name).exists():
            zone_create(actor=actor, commune=commune, name=name, kind=kind, geometry=mapping(polygon))
