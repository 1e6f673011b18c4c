"""Writes roads.osm: a made-up road network over the demo territory (Mennecy and its neighbours).

Not the real streets: a jittered grid, with through roads every few blocks, two main roads crossing the territory,
some one-way streets and some missing blocks, so that travel times differ from straight-line distances. Run it
again to regenerate the file: python confiance/operations/demo/make_roads.py
"""

import random
from pathlib import Path
from xml.sax.saxutils import quoteattr

WEST, EAST, SOUTH, NORTH = 2.362, 2.478, 48.508, 48.601
STEP_LON, STEP_LAT = 0.0034, 0.00225  # about 250 m both ways at this latitude


def build(seed: int = 91386) -> str:
    rng = random.Random(seed)
    columns = round((EAST - WEST) / STEP_LON) + 1
    rows = round((NORTH - SOUTH) / STEP_LAT) + 1
    node_id = {}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<osm version="0.6" generator="confiance make_roads.py">']
    for row in range(rows):
        for column in range(columns):
            ident = 1_000_000 + row * 1000 + column
            lat = SOUTH + row * STEP_LAT + rng.uniform(-0.0004, 0.0004)
            lon = WEST + column * STEP_LON + rng.uniform(-0.0006, 0.0006)
            node_id[(row, column)] = ident
            lines.append(f'  <node id="{ident}" version="1" lat="{lat:.6f}" lon="{lon:.6f}"/>')
    way = 5_000_000
    ways = []

    def add(cells, highway, oneway=""):
        nonlocal way
        way += 1
        tags = [("highway", highway)] + ([("oneway", oneway)] if oneway else [])
        ways.append((way, [node_id[cell] for cell in cells], tags))

    for row in range(rows):  # east-west streets
        through = row % 6 == 3
        for column in range(columns - 1):
            if not through and rng.random() < 0.12:
                continue  # a missing block
            oneway = "yes" if (not through and rng.random() < 0.15) else ""
            add([(row, column), (row, column + 1)], "secondary" if through else "residential", oneway)
    for column in range(columns):  # north-south streets
        through = column % 6 == 2
        for row in range(rows - 1):
            if not through and rng.random() < 0.12:
                continue
            oneway = "-1" if (not through and rng.random() < 0.15) else ""
            add([(row, column), (row + 1, column)], "secondary" if through else "residential", oneway)
    # Two main roads across the territory, on the diagonals of the grid.
    diagonal = [(step, step) for step in range(min(rows, columns))]
    add(diagonal, "primary")
    anti = [(step, columns - 1 - step) for step in range(min(rows, columns))]
    add(anti, "primary")
    for ident, refs, tags in ways:
        lines.append(f'  <way id="{ident}" version="1">')
        lines.extend(f'    <nd ref="{ref}"/>' for ref in refs)
        lines.extend(f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags)
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    target = Path(__file__).with_name("roads.osm")
    target.write_text(build(), encoding="utf-8")
    print(target)
