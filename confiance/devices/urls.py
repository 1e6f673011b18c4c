"""Hypervision pages (console side), under /agents/capteurs/ like the other agents' pages."""

from django.urls import path

from confiance.devices import video_views, views

app_name = "devices"

urlpatterns = [
    path("agents/capteurs/", views.device_list, name="list"),
    path("agents/capteurs/etat.json", views.console_state, name="console-state"),
    path("agents/capteurs/sante/", views.health, name="health"),
    path("agents/capteurs/sante/capteurs.csv", views.health_devices_csv, name="health-devices-csv"),
    path("agents/capteurs/sante/evenements.csv", views.health_events_csv, name="health-events-csv"),
    path("agents/capteurs/<int:device_id>/", views.device_detail, name="detail"),
    path("agents/capteurs/<int:device_id>/mesures.json", views.device_series, name="series"),
    path("agents/capteurs/alarmes/<int:alarm_id>/prise-en-compte", views.alarm_acknowledge_view,
         name="alarm-acknowledge"),
    path("agents/capteurs/alarmes/<int:alarm_id>/resolution", views.alarm_resolve_view, name="alarm-resolve"),
    path("agents/capteurs/alarmes/<int:alarm_id>/intervention", views.alarm_intervention_view,
         name="alarm-intervention"),
    path("agents/video-analyse/", video_views.review_queue, name="video-review"),
    path("agents/video-analyse/file.json", video_views.review_state, name="video-review-state"),
    path("agents/video-analyse/<int:detection_id>/confirmation", video_views.detection_confirm_view,
         name="detection-confirm"),
    path("agents/video-analyse/<int:detection_id>/rejet", video_views.detection_dismiss_view, name="detection-dismiss"),
]
