from django.urls import path

from confiance.portal import report_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("signaler/", report_views.report_new, name="report-new"),
    path("signaler/categories.json", report_views.report_categories, name="report-categories"),
    path("signaler/a-proximite.json", report_views.report_nearby, name="report-nearby"),
    path("signaler/territoire.geojson", report_views.territory_geojson, name="report-territory"),
    path("signalements/<int:report_id>/", report_views.report_public, name="report-public"),
    path("signalements/<int:report_id>/suivre/", report_views.report_follow_view, name="report-follow"),
    path("signalements/suivi/<str:token>/", report_views.report_track, name="report-track"),
    path("signalements/desabonnement/<str:token>/", report_views.report_unfollow_view, name="report-unfollow"),
    path("signalements/photo/<str:signed>/", report_views.report_photo, name="report-photo"),
]
