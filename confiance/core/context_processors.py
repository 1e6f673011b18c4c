from django.conf import settings


def platform(request):
    """Values every page needs: demo flag, map tiles."""
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "TILE_URL": settings.CONFIANCE_TILE_URL,
        "TILE_ATTRIBUTION": settings.CONFIANCE_TILE_ATTRIBUTION,
    }
