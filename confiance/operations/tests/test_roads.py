"""The road graph held per process: keyed by the newest road import (core.revisions), read in one statement."""

import itertools

import pytest
from django.utils import timezone

from confiance.core.sql import newest_rows
from confiance.core.testing import instant
from confiance.operations.models import RoadEdge, RoadImport, RoadNode
from confiance.operations.roads import road_graph

pytestmark = pytest.mark.django_db


def _network_written_elsewhere(points: int) -> RoadImport:
    """A road network and its import row written directly, as another process's import leaves them."""
    RoadEdge.objects.all().delete()
    RoadNode.objects.all().delete()
    nodes = RoadNode.objects.bulk_create([RoadNode(osm_id=1000 + n, lat=48.55 + n * 0.001, lon=2.40)
                                          for n in range(points)])
    RoadEdge.objects.bulk_create([RoadEdge(source=a, target=b, length_m=110.0, seconds=15.0, highway="residential")
                                  for a, b in itertools.pairwise(nodes)])
    return RoadImport.objects.create(file_name=f"ailleurs-{points}.osm", nodes=points, edges=points - 1,
                                     imported_at=timezone.now())


@pytest.mark.parametrize("imports", [0, 1, 3])
def test_the_newest_import_is_read_as_the_orm_reads_it(imports):
    for points in range(2, 2 + imports):
        _network_written_elsewhere(points)
    orm = RoadImport.objects.order_by("-id").values_list("id", "imported_at").first() or (None, None)
    ((pk, imported_at),) = newest_rows(RoadImport)
    assert (pk, instant(imported_at)) == tuple(orm)


def test_an_import_made_by_another_process_is_picked_up_by_the_next_read(django_assert_num_queries):
    assert road_graph() is None
    _network_written_elsewhere(3)
    first = road_graph()
    assert first is not None and first.edges == 2
    with django_assert_num_queries(1):  # the newest road import, nothing else
        assert road_graph() is first
    _network_written_elsewhere(5)
    second = road_graph()
    assert second is not first and second is not None and second.edges == 4
