"""What runs when an alert is published: callbacks other modules register (delivery), run after commit."""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

PublishedCallback = Callable[[int], object]
_on_published: list[PublishedCallback] = []


def on_published(callback: PublishedCallback) -> PublishedCallback:
    """Register a callable taking an alert id, run after the commit of each publication (Alert, Update or Cancel)."""
    if callback not in _on_published:
        _on_published.append(callback)
    return callback


def published_callbacks() -> tuple[PublishedCallback, ...]:
    return tuple(_on_published)


def run_published(alert_id: int) -> None:
    """Run every registered callback; one failing callback is logged and does not stop the others."""
    for callback in published_callbacks():
        try:
            callback(alert_id)
        except Exception:  # a delivery failure must not undo nor hide a publication
            logger.exception("alerts: on-published callback %r failed for alert %s", callback, alert_id)
