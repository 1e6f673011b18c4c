"""Rule evaluation: run on the new measurements of a batch, inside the transaction that stores them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from confiance.devices.sql import Row


def evaluate(rows: Sequence[Row], *, now: datetime) -> None:
    """Evaluate the commune's rules against new measurements (written by the rules-and-alarms work)."""
    return None
