from django.urls import path

from confiance.console import report_views, views

app_name = "console"

urlpatterns = [
    path("agents/", views.home, name="home"),
    path("agents/territoire/", views.territory, name="territory"),
    path("agents/territoire/carte.geojson", views.territory_geojson, name="territory-geojson"),
    path("agents/signalements/", report_views.report_list, name="report-list"),
    path("agents/signalements/carte.json", report_views.report_map_data, name="report-map-data"),
    path("agents/signalements/lot/", report_views.report_bulk, name="report-bulk"),
    path("agents/signalements/<int:report_id>/", report_views.report_detail, name="report-detail"),
    path("agents/signalements/photo/<int:photo_id>/", report_views.report_photo, name="report-photo"),
    path("live/events", views.live_events, name="live-events"),
]
