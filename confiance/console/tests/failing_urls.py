"""A URL whose view fails, to see the 500 page the way a real failure reaches it."""

from django.urls import include, path


def broken(request):
    raise RuntimeError("panne simulée")


urlpatterns = [path("panne/", broken), path("", include("config.urls"))]
