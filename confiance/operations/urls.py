"""Police operations pages: the live console, the field page, the main courante, the interval report."""

from django.urls import path

from confiance.operations import crews, views

app_name = "operations"

urlpatterns = [
    path("agents/console/", views.console, name="console"),
    path("agents/console/etat.json", views.console_state, name="console-state"),
    path("agents/terrain/", views.field, name="field"),
    path("agents/terrain/sw.js", views.field_service_worker, name="field-service-worker"),
    path("agents/main-courante/", views.logbook, name="logbook"),
    path("agents/main-courante/pdf", views.logbook_pdf_view, name="logbook-pdf"),
    path("agents/main-courante/visa", views.logbook_sign, name="logbook-sign"),
    path("agents/main-courante/<int:entry_id>/modifier/", views.logbook_entry_edit, name="logbook-edit"),
    path("agents/main-courante/<int:entry_id>/rectifier/", views.logbook_entry_correct, name="logbook-correct"),
    path("agents/interventions/delais/", views.intervals, name="intervals"),
    path("agents/equipages/", crews.crews, name="crews"),
]
