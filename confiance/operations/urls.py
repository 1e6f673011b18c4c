"""Police operations pages: the live console, the field page, the main courante, the interval report."""

from django.urls import path

from confiance.operations import views

app_name = "operations"

urlpatterns = [
    path("agents/console/", views.console, name="console"),
    path("agents/console/etat.json", views.console_state, name="console-state"),
    path("agents/terrain/", views.field, name="field"),
    path("agents/terrain/sw.js", views.field_service_worker, name="field-service-worker"),
    path("agents/main-courante/", views.logbook, name="logbook"),
    path("agents/main-courante/pdf", views.logbook_pdf_view, name="logbook-pdf"),
    path("agents/interventions/delais/", views.intervals, name="intervals"),
]
