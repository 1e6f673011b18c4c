"""Pages of the prevention app (namespaced)."""

from django.urls import URLPattern

app_name = "prevention"

urlpatterns: list[URLPattern] = []
