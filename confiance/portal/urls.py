from django.urls import path

from confiance.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("langue/", views.language, name="language"),
]
