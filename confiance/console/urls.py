from django.urls import path

from confiance.console import health, metrics, views

app_name = "console"

urlpatterns = [
    path("agents/", views.home, name="home"),
    path("agents/territoire/", views.territory, name="territory"),
    path("agents/territoire/carte.geojson", views.territory_geojson, name="territory-geojson"),
    path("live/events", views.live_events, name="live-events"),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
]
