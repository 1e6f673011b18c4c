from django.urls import path

from confiance.console import operations_views, views

app_name = "console"

urlpatterns = [
    path("agents/", views.home, name="home"),
    path("agents/territoire/", views.territory, name="territory"),
    path("agents/territoire/carte.geojson", views.territory_geojson, name="territory-geojson"),
    path("agents/console/", operations_views.console, name="ops-console"),
    path("agents/console/etat.json", operations_views.console_state, name="ops-console-state"),
    path("agents/terrain/", operations_views.field, name="ops-field"),
    path("agents/main-courante/", operations_views.logbook, name="ops-logbook"),
    path("agents/main-courante/pdf", operations_views.logbook_pdf_view, name="ops-logbook-pdf"),
    path("agents/interventions/delais/", operations_views.intervals, name="ops-intervals"),
    path("live/events", views.live_events, name="live-events"),
]
