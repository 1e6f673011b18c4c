"""Units' positions: the history of fixes, and the counters of refused ones."""

from django.db import models
from django.utils import timezone

from confiance.operations.choices import PositionSource
from confiance.operations.models.units import Unit


class UnitPosition(models.Model):
    """Position history (kept briefly: see retention.py)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="positions")
    lat = models.FloatField()
    lon = models.FloatField()
    accuracy_m = models.FloatField(null=True, blank=True)
    speed_kmh = models.FloatField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=PositionSource.choices)

    class Meta:
        indexes = [models.Index(fields=["unit", "recorded_at"], name="unit_position_time"),
                   models.Index(fields=["received_at"], name="unit_position_received")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.recorded_at:%Y-%m-%d %H:%M:%S}"


class RejectedPosition(models.Model):
    """Counters of refused positions, per unit (or unknown tracker) and reason."""

    tracker = models.CharField(max_length=100)
    reason = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tracker", "reason"], name="rejected_position_unique")]

    def __str__(self) -> str:
        return f"{self.tracker}: {self.reason} x{self.count}"
