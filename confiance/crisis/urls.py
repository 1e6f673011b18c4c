"""Crisis pages."""

from django.urls import path

from confiance.crisis import views

app_name = "crisis"

urlpatterns = [
    path("agents/crises/", views.crisis_list, name="list"),
    path("agents/crises/declarer/", views.crisis_declare_page, name="declare"),
    path("agents/crises/<str:crisis_id>/", views.crisis_detail, name="detail"),
    path("agents/crises/<str:crisis_id>/etat.json", views.crisis_state_json, name="state"),
    path("agents/crises/<str:crisis_id>/journal", views.crisis_log_post, name="log"),
    path("agents/crises/<str:crisis_id>/etapes/<str:step_id>/cocher", views.crisis_step_post, name="tick"),
    path("agents/crises/<str:crisis_id>/communes", views.crisis_join_post, name="join"),
    path("agents/crises/<str:crisis_id>/terminer", views.crisis_end_post, name="end"),
    path("agents/crises/<str:crisis_id>/rapport.pdf", views.crisis_report, name="report"),
]
