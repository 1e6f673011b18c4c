from django.utils.functional import SimpleLazyObject

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission


def navigation(request):
    """Which agent sections the menu shows (computed only when a page asks)."""
    def sections() -> dict[str, bool]:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return {}
        actor = Actor(agent=user)
        return {"operations": actor.can_anywhere(Permission.OPERATIONS_VIEW),
                "field": actor.can_anywhere(Permission.OPERATIONS_FIELD),
                "analytics": actor.can_anywhere(Permission.ANALYTICS_VIEW),
                "devices": actor.can_anywhere(Permission.DEVICES_VIEW),
                "devices_health": actor.can_anywhere(Permission.DEVICES_HEALTH),
                "crews": actor.can_anywhere(Permission.OPERATIONS_MANAGE),
                "crisis": actor.can_anywhere(Permission.CRISIS_VIEW)}

    return {"nav": SimpleLazyObject(sections)}
