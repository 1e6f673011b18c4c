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
                "cameras": actor.can_anywhere(Permission.CAMERAS_VIEW),
                "crews": actor.can_anywhere(Permission.OPERATIONS_MANAGE),
                "privacy": actor.can_anywhere(Permission.PRIVACY_MANAGE),
                "video_review": actor.can_anywhere(Permission.VIDEO_REVIEW),
                "alerts": actor.can_anywhere(Permission.ALERTS_VIEW),
                "alerts_draft": actor.can_anywhere(Permission.ALERTS_DRAFT),
                "otv": actor.can_anywhere(Permission.PREVENTION_VIEW),
                "participation": actor.can_anywhere(Permission.PREVENTION_MANAGE)
                or actor.can_anywhere(Permission.PREVENTION_VIEW),
                "reserve": actor.can_anywhere(Permission.RESERVE_MANAGE),
                "crisis": actor.can_anywhere(Permission.CRISIS_VIEW),
                "security": actor.can_anywhere(Permission.SECURITY_VIEW)}

    return {"nav": SimpleLazyObject(sections)}
