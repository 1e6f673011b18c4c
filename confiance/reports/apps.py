from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "confiance.reports"
    label = "reports"
    verbose_name = _("Signalements citoyens")

    def ready(self) -> None:
        from confiance.reports.reference import connect_signals

        connect_signals()
