"""Pages of the alerts app (namespaced): agents' pages under /agents/alertes/, public ones under /alertes/."""

from django.urls import path

from confiance.alerts import subscription_views
from confiance.alerts.views import agents, public

app_name = "alerts"

urlpatterns = [
    # Subscriptions and delivery (helper "deliver"): before "alertes/<insee_code>/".
    path("alertes/sw.js", subscription_views.service_worker, name="service-worker"),
    path("alertes/abonnement/", subscription_views.subscribe, name="subscribe"),
    path("alertes/abonnement/confirmer/<str:signed>/", subscription_views.confirm, name="subscription-confirm"),
    path("alertes/abonnement/code/<str:signed>/", subscription_views.code, name="subscription-code"),
    path("alertes/desabonnement/<str:signed>/", subscription_views.unsubscribe, name="unsubscribe"),
    path("agents/alertes/<int:alert_id>/diffusion/", subscription_views.delivery_report_page,
         name="delivery-report"),
    path("agents/alertes/", agents.alert_list, name="list"),
    path("agents/alertes/recues/console.json", agents.incoming_console, name="incoming-console"),
    path("agents/alertes/nouvelle/", agents.alert_new, name="new"),
    path("agents/alertes/depuis-alarme/<int:alarm_id>", agents.alert_from_alarm, name="from-alarm"),
    path("agents/alertes/<int:alert_id>/", agents.alert_detail, name="detail"),
    path("agents/alertes/<int:alert_id>/modifier/", agents.alert_edit, name="edit"),
    path("agents/alertes/<int:alert_id>/mise-a-jour/", agents.alert_update_new, name="update"),
    path("agents/alertes/<int:alert_id>/soumission", agents.alert_submit_view, name="submit"),
    path("agents/alertes/<int:alert_id>/validation", agents.alert_approve_view, name="approve"),
    path("agents/alertes/<int:alert_id>/publication", agents.alert_publish_view, name="publish"),
    path("agents/alertes/<int:alert_id>/renvoi", agents.alert_return_view, name="return"),
    path("agents/alertes/<int:alert_id>/abandon", agents.alert_abandon_view, name="abandon"),
    path("agents/alertes/<int:alert_id>/fin", agents.alert_cancel_view, name="cancel"),
    path("agents/alertes/<int:alert_id>/demande-fr-alert.pdf", agents.fr_alert_request, name="fr-alert"),
    path("alertes/cap/<str:identifier>.xml", public.cap_message, name="cap"),
    path("alertes/<str:insee_code>/", public.public_page, name="public"),
    path("alertes/<str:insee_code>/flux.atom", public.feed, name="feed"),
]
