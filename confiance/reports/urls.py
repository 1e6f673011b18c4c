from django.urls import path

from confiance.reports.views import agents, public, public_list

app_name = "reports"

urlpatterns = [
    path("agents/signalements/", agents.report_list, name="list"),
    path("agents/signalements/carte.json", agents.report_map_data, name="map-data"),
    path("agents/signalements/lot/", agents.report_bulk, name="bulk"),
    path("agents/signalements/<int:report_id>/", agents.report_detail, name="detail"),
    path("agents/signalements/photo/<int:photo_id>/", agents.report_photo, name="photo"),
    path("signaler/", public.report_new, name="new"),
    path("signaler/categories.json", public.report_categories, name="categories"),
    path("signaler/a-proximite.json", public.report_nearby, name="nearby"),
    path("signaler/territoire.geojson", public.territory_geojson, name="territory"),
    path("signalements/", public_list.report_public_list, name="public-list"),
    path("signalements/carte.json", public_list.report_public_points, name="public-points"),
    path("signalements/<int:report_id>/", public.report_public, name="public"),
    path("signalements/<int:report_id>/suivre/", public.report_follow_view, name="follow"),
    path("signalements/suivi/<str:token>/", public.report_track, name="track"),
    path("signalements/desabonnement/<str:token>/", public.report_unfollow_view, name="unfollow"),
    path("signalements/photo/<str:signed>/", public.report_photo, name="public-photo"),
]
