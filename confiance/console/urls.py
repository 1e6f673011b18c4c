from django.urls import path

from confiance.console import analytics_views, report_views, views

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
    path("agents/analyse/", analytics_views.analysis_home, name="analytics-home"),
    path("agents/analyse/resultats/<uuid:run_id>/", analytics_views.analysis_result, name="analytics-result"),
    path("agents/analyse/resultats/<uuid:run_id>/etat.json", analytics_views.analysis_state,
         name="analytics-state"),
    path("agents/analyse/resultats/<uuid:run_id>/evenements.csv", analytics_views.analysis_events,
         name="analytics-events"),
    path("agents/analyse/resultats/<uuid:run_id>/<str:name>", analytics_views.analysis_download,
         name="analytics-download"),
    path("agents/analyse/jeux/", analytics_views.dataset_import_view, name="analytics-dataset-import"),
    path("agents/analyse/jeux/<int:dataset_id>/supprimer/", analytics_views.dataset_delete_view,
         name="analytics-dataset-delete"),
    path("agents/analyse/indicateurs/", analytics_views.indicators, name="analytics-indicators"),
    path("agents/analyse/donnees-ouvertes/", analytics_views.open_data_view, name="analytics-opendata"),
    path("live/events", views.live_events, name="live-events"),
]
