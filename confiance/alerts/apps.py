"""Population alerts: CAP 1.2 authoring with two-person approval, CAP in, subscriptions, geo-targeted delivery."""
import importlib
import importlib.util

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "confiance.alerts"
    label = "alerts"
    verbose_name = _("Alertes à la population")

    def ready(self) -> None:
        """Plug delivery into publication when the delivery module is installed."""
        from confiance.alerts import hooks

        if importlib.util.find_spec("confiance.alerts.delivery") is None:
            return
        delivery = importlib.import_module("confiance.alerts.delivery")
        enqueue = getattr(delivery, "enqueue_alert", None)
        if callable(enqueue):
            hooks.on_published(enqueue)
