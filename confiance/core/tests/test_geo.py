import numpy as np
import pytest
from shapely.geometry import box

from confiance.core.geo import GeometryError, IndexedArea, PolygonIndex, h3_cell, h3_disk, polygon_from_geojson


def test_locate_many_matches_single_lookups_and_marks_misses():
    index = PolygonIndex([IndexedArea(key, box(x, 0, x + 1, 1)) for key, x in (("a", 0), ("b", 1), ("c", 3))])
    lons = np.array([0.5, 1.5, 2.5, 3.5, 1.0])
    lats = np.array([0.5, 0.5, 0.5, 0.5, 0.5])
    found = index.locate_many(lons, lats)
    assert found.tolist() == [0, 1, -1, 2, 0]  # on the shared border: the lowest index, always
    assert [index.locate(lon, lat) for lon, lat in zip(lons, lats, strict=True)] == ["a", "b", None, "c", "a"]


def test_h3_disk_covers_the_radius():
    cells = h3_disk(48.566, 2.437, 250, resolution=10)
    assert h3_cell(48.566, 2.437, 10) in cells
    assert h3_cell(48.566 + 0.002, 2.437, 10) in cells  # about 220 m north


@pytest.mark.parametrize("geometry, reason", [
    (None, "absente"),
    ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "Polygon"),
    ({"type": "Polygon", "coordinates": [[[200, 0], [201, 0], [201, 1], [200, 0]]]}, "WGS84"),
    ({"type": "Polygon", "coordinates": "nonsense"}, "illisibles"),
])
def test_refuses_unusable_geometries(geometry, reason):
    with pytest.raises(GeometryError, match=reason):
        polygon_from_geojson(geometry)
