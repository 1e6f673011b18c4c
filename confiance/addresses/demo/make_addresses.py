"""Writes adresses-demo.csv: invented addresses, in the Base Adresse Nationale's CSV format, along the demo's
invented streets (confiance/operations/demo/roads.osm) in the centre of each demo commune.

The road network is a grid (make_roads.py): each grid line crossing a commune's centre becomes a named street of
that commune, numbered along it, odd numbers on one side and even on the other; the two diagonal main roads are
"routes". Names are ordinary French street names given at random, not the real streets. Run it again to
regenerate the file: python confiance/addresses/demo/make_addresses.py
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import unicodedata
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

from pyproj import Transformer
from shapely.geometry import Point, shape

ROOT = Path(__file__).resolve().parents[2]
ROADS = ROOT / "operations" / "demo" / "roads.osm"
COMMUNES = ROOT / "territory" / "demo" / "communes.geojson"
TARGET = Path(__file__).with_name("adresses-demo.csv")
POSTAL_CODES = {"91386": "91540", "91468": "91540", "91204": "91540", "91244": "91540", "91159": "91750",
                "91045": "91610"}
CENTRE_RADIUS_M = {"91386": 1400}  # Mennecy is the largest town; the others are villages
DEFAULT_RADIUS_M = 800
STREETS = [
    "Rue de l'Église", "Rue des Écoles", "Allée des Tilleuls", "Rue du Château d'Eau", "Rue Pasteur",
    "Rue Victor Hugo", "Rue Jean Jaurès", "Rue de la République", "Chemin des Vignes", "Rue des Lilas",
    "Allée des Châtaigniers", "Rue de la Fontaine", "Rue du Moulin", "Rue des Prés", "Rue de l'Essonne",
    "Rue Émile Zola", "Rue de la Gare", "Rue du Lavoir", "Rue des Aubépines", "Rue Saint-Jacques",
    "Rue Sainte-Anne", "Rue des Coquelicots", "Rue des Bleuets", "Rue de la Ferme", "Chemin de la Croix Blanche",
    "Rue du Four", "Rue des Peupliers", "Rue de Bel-Air", "Rue des Noyers", "Rue de la Libération",
    "Rue du 8 Mai 1945", "Rue du Onze Novembre", "Rue des Jardins", "Rue des Marronniers", "Rue du Puits",
    "Allée des Érables", "Rue des Sources", "Rue de la Butte", "Rue des Vergers", "Rue du Clos Fleuri",
    "Rue des Acacias", "Rue de la Poste", "Rue des Cerisiers", "Rue Jules Ferry", "Rue Gambetta",
    "Rue des Tournelles", "Chemin du Halage", "Rue de la Croix Rouge", "Rue des Genêts", "Rue des Hirondelles",
    "Rue du Pressoir", "Rue des Glycines", "Rue de la Forge", "Rue du Stade", "Rue de la Chapelle",
]
AVENUES = ["Avenue du Général de Gaulle", "Avenue de la Forêt", "Boulevard Charles Péguy",
           "Avenue de Villeroy", "Avenue Jean Moulin", "Boulevard de la Paix", "Avenue des Sports"]
ROUTES = {"diagonal": "Route de Corbeil", "anti": "Route de Fontainebleau"}
TO_LAMBERT_93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)


def _afnor(name: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"[^A-Z0-9 ]+", " ", plain.upper()).strip()[:32]


def _grid(root: ElementTree.Element) -> tuple[dict[int, tuple[float, float]], list[tuple[str, list[int], str]]]:
    nodes = {int(n.get("id")): (float(n.get("lat")), float(n.get("lon"))) for n in root.iter("node")}
    ways = []
    for way in root.iter("way"):
        refs = [int(nd.get("ref")) for nd in way.iter("nd")]
        highway = next(tag.get("v") for tag in way.iter("tag") if tag.get("k") == "highway")
        ways.append((way.get("id"), refs, highway))
    return nodes, ways


def _line_of(refs: list[int], highway: str, first_diagonal: str | None) -> tuple[str, int]:
    """The grid line a way lies on: ("row", r), ("column", c), or a diagonal route."""
    (row_a, col_a), (row_b, _col_b) = [divmod(ref - 1_000_000, 1000) for ref in refs[:2]]
    if highway == "primary":
        return ("diagonal" if first_diagonal is None else "anti"), 0
    return ("row", row_a) if row_a == row_b else ("column", col_a)


def build(seed: int = 91540) -> str:
    rng = random.Random(seed)
    nodes, ways = _grid(ElementTree.parse(ROADS).getroot())  # noqa: S314 (our own generated file)
    communes = [(f["properties"]["code"], f["properties"]["nom"], shape(f["geometry"]))
                for f in json.loads(COMMUNES.read_text(encoding="utf-8"))["features"]]
    segments: dict[tuple[str, tuple[str, int]], list[tuple[int, int, str]]] = defaultdict(list)
    first_diagonal = None
    for _ident, refs, highway in ways:
        line = _line_of(refs, highway, first_diagonal)
        if highway == "primary":
            first_diagonal = first_diagonal or "seen"
        for a, b in itertools.pairwise(refs):
            mid_lat, mid_lon = (nodes[a][0] + nodes[b][0]) / 2, (nodes[a][1] + nodes[b][1]) / 2
            for code, _name, polygon in communes:
                centre = polygon.representative_point()
                ky, kx = 110_574.0, 111_320.0 * math.cos(math.radians(centre.y))
                radius = CENTRE_RADIUS_M.get(code, DEFAULT_RADIUS_M)
                if polygon.contains(Point(mid_lon, mid_lat)) and \
                        math.hypot((mid_lat - centre.y) * ky, (mid_lon - centre.x) * kx) <= radius:
                    segments[(code, line)].append((a, b, highway))
    names = {code: name for code, name, _ in communes}
    rows: list[list[object]] = [["id", "id_fantoir", "numero", "rep", "nom_voie", "code_postal", "code_insee",
                                 "nom_commune", "code_insee_ancienne_commune", "nom_ancienne_commune", "x", "y",
                                 "lon", "lat", "type_position", "alias", "nom_ld", "libelle_acheminement",
                                 "nom_afnor", "source_position", "source_nom_voie", "certification_commune",
                                 "cad_parcelles"]]
    pools: dict[str, tuple[list[str], list[str]]] = {}
    for index, ((code, line), edges) in enumerate(sorted(segments.items())):
        streets, avenues = pools.setdefault(code, (rng.sample(STREETS, len(STREETS)), rng.sample(AVENUES,
                                                                                                 len(AVENUES))))
        through = edges[0][2] == "secondary"
        street = ROUTES.get(line[0]) or (avenues.pop() if through and avenues else streets.pop())
        fantoir = f"{code}_{index % 10000:04d}"
        # Order the edges along the street (west to east, south to north) and number them as one walks it.
        edges.sort(key=lambda edge: (nodes[edge[0]][1] + nodes[edge[0]][0]))
        odd, even = 1, 2
        for a, b, _highway in edges:
            (lat_a, lon_a), (lat_b, lon_b) = sorted([nodes[a], nodes[b]], key=lambda p: p[1] + p[0])
            ky, kx = 110_574.0, 111_320.0 * math.cos(math.radians(lat_a))
            dx, dy = (lon_b - lon_a) * kx, (lat_b - lat_a) * ky
            length = math.hypot(dx, dy) or 1.0
            normal = (-dy / length, dx / length)  # left of the walking direction, in metres
            for fraction in (0.25, 0.6):
                for side, number in ((1, odd), (-1, even)):
                    offset = 12 * side
                    lat = lat_a + (lat_b - lat_a) * fraction + normal[1] * offset / ky
                    lon = lon_a + (lon_b - lon_a) * fraction + normal[0] * offset / kx
                    repeats = [""] + (["bis"] if rng.random() < 0.04 else [])
                    for rep in repeats:
                        lon_r, lat_r = (lon, lat) if not rep else (lon + 3 / kx, lat)
                        x, y = TO_LAMBERT_93.transform(lon_r, lat_r)
                        rows.append([
                            f"{fantoir}_{number:05d}" + (f"_{rep}" if rep else ""), fantoir, number, rep, street,
                            POSTAL_CODES[code], code, names[code], "", "", f"{x:.2f}", f"{y:.2f}", f"{lon_r:.6f}",
                            f"{lat_r:.6f}", "entrée", "", "", names[code].upper(), _afnor(street), "commune",
                            "commune", "1", ""])
                odd, even = odd + 2, even + 2
    # No field holds a semicolon, a quote or a line break: the BAN's plain semicolon-separated lines.
    return "".join(";".join(str(value) for value in row) + "\n" for row in rows)


if __name__ == "__main__":
    TARGET.write_text(build(), encoding="utf-8")
    print(TARGET)
