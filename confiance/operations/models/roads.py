"""The road graph that dispatch computes travel times on, and its imports."""

from django.db import models
from django.utils import timezone


class RoadNode(models.Model):
    osm_id = models.BigIntegerField(unique=True)
    lat = models.FloatField()
    lon = models.FloatField()

    def __str__(self) -> str:
        return str(self.osm_id)


class RoadEdge(models.Model):
    """A directed road segment with its travel time."""

    source = models.ForeignKey(RoadNode, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(RoadNode, on_delete=models.CASCADE, related_name="+")
    length_m = models.FloatField()
    seconds = models.FloatField()
    highway = models.CharField(max_length=40)

    def __str__(self) -> str:
        return f"{self.source_id} -> {self.target_id}"


class RoadImport(models.Model):
    """One import of a road network; the graph cache reloads when the latest one changes."""

    revision_time_field = "imported_at"  # the revision time core.revisions reads

    file_name = models.CharField(max_length=300)
    nodes = models.PositiveIntegerField()
    edges = models.PositiveIntegerField()
    imported_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.file_name
