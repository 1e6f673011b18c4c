"""Shared by the logbook and the interventions: the length of a free text, the yearly numbering."""

from django.db import models

from confiance.territory.models import Commune

TEXT_MAX_LENGTH = 4000


class Counter(models.Model):
    """Per-commune, per-year sequences for entry and intervention numbers."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "kind", "year"], name="operations_counter_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.value}"
