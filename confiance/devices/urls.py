"""Hypervision pages (console side), under /agents/capteurs/ and /agents/cameras/ like the other agents' pages, and
the public video-protection pages of each commune under /videoprotection/<INSEE code>/."""

from django.urls import path

from confiance.devices import camera_pages, cameras_public, video_views, views

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
    path("agents/video-analyse/cadres-legaux/", video_views.video_bases, name="video-bases"),
    path("agents/video-analyse/file.json", video_views.review_state, name="video-review-state"),
    path("agents/video-analyse/<int:detection_id>/confirmation", video_views.detection_confirm_view,
         name="detection-confirm"),
    path("agents/video-analyse/<int:detection_id>/rejet", video_views.detection_dismiss_view, name="detection-dismiss"),
    path("agents/cameras/", camera_pages.camera_list, name="cameras"),
    path("agents/cameras/console.json", camera_pages.cameras_console_state, name="cameras-console-state"),
    path("agents/cameras/extractions/", camera_pages.extraction_register, name="extractions"),
    path("agents/cameras/extractions/registre", camera_pages.extraction_register_export, name="extractions-export"),
    path("agents/cameras/extractions/<int:extraction_id>/remise", camera_pages.extraction_deliver,
         name="extraction-deliver"),
    path("agents/cameras/extractions/<int:extraction_id>/levee-du-gel", camera_pages.extraction_release,
         name="extraction-release"),
    path("agents/cameras/<int:camera_id>/", camera_pages.camera_detail, name="camera-detail"),
    path("agents/cameras/<int:camera_id>/flux", camera_pages.camera_stream, name="camera-stream"),
    path("agents/cameras/<int:camera_id>/habilitations", camera_pages.camera_grant, name="camera-grant"),
    path("agents/cameras/<int:camera_id>/habilitations/<int:authorisation_id>/retrait", camera_pages.camera_revoke,
         name="camera-revoke"),
    path("videoprotection/<str:code>/", cameras_public.commune_cameras, name="public-cameras"),
    path("videoprotection/<str:code>/notice/", cameras_public.commune_notice, name="public-notice"),
    path("videoprotection/<str:code>/cameras.geojson", cameras_public.commune_geojson, name="public-geojson"),
    path("videoprotection/<str:code>/cameras.csv", cameras_public.commune_csv, name="public-csv"),
]
