"""Analytics pages under /agents/analyse/ (paths kept from the console they left)."""

from django.urls import path

from confiance.analytics import views

app_name = "analytics"

urlpatterns = [
    path("agents/analyse/", views.analysis_home, name="home"),
    path("agents/analyse/resultats/<uuid:run_id>/", views.analysis_result, name="result"),
    path("agents/analyse/resultats/<uuid:run_id>/etat.json", views.analysis_state, name="state"),
    path("agents/analyse/resultats/<uuid:run_id>/evenements.csv", views.analysis_events, name="events"),
    path("agents/analyse/resultats/<uuid:run_id>/mailles-500m.csv", views.analysis_event_cells, name="event-cells"),
    path("agents/analyse/resultats/<uuid:run_id>/<str:name>", views.analysis_download, name="download"),
    path("agents/analyse/jeux/", views.dataset_import_view, name="dataset-import"),
    path("agents/analyse/jeux/<int:dataset_id>/supprimer/", views.dataset_delete_view, name="dataset-delete"),
    path("agents/analyse/indicateurs/", views.indicators, name="indicators"),
    path("agents/analyse/donnees-ouvertes/", views.open_data_view, name="opendata"),
]
