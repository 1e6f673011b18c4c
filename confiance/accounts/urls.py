from django.urls import path

from confiance.accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("double-authentification/", views.second_factor, name="second-factor"),
    path("double-authentification/activer/", views.second_factor_enrol, name="second-factor-enrol"),
    path("double-authentification/lien/<str:secret>/", views.enrolment_link, name="enrolment-link"),
    path("agents/<int:agent_id>/lien-double-authentification/", views.enrolment_link_issue_page,
         name="enrolment-link-issue"),
]
