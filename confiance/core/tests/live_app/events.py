"""The live events of the stand-in app: a police-only family widened by crisis sharing, and a public one."""

from django.utils.translation import gettext_lazy as _

from confiance.core.live_rules import EventFamily

LIVE_EVENT_FAMILIES = (
    EventFamily(prefix="sirens.", permission="operations.view", crisis_shared=True,
                labels={"sirens.sent": _("Alerte diffusée")}),
    EventFamily(prefix="sirens.public_", permission="live.view", labels={"sirens.public_notice": _("Avis public")}),
)
