"""Pages of the alerts app (namespaced)."""

from django.urls import URLPattern, path

from confiance.alerts import subscription_views

app_name = "alerts"

urlpatterns: list[URLPattern] = []

# --- Subscriptions (helper "deliver") ---
urlpatterns += [
    path("alertes/abonnement/", subscription_views.subscribe, name="subscribe"),
    path("alertes/abonnement/confirmer/<str:signed>/", subscription_views.confirm, name="subscription-confirm"),
    path("alertes/abonnement/code/<str:signed>/", subscription_views.code, name="subscription-code"),
    path("alertes/desabonnement/<str:signed>/", subscription_views.unsubscribe, name="unsubscribe"),
    path("agents/alertes/<int:alert_id>/diffusion/", subscription_views.delivery_report_page,
         name="delivery-report"),
]
