"""Live-event rule of the kernel: an event no app declares goes to whoever follows its commune live."""

from confiance.core.live_rules import EventFamily

# "live.view" is accounts' Permission.LIVE_VIEW, written as its value because core imports no domain app.
LIVE_EVENT_FAMILIES = (EventFamily(prefix="", permission="live.view"),)
