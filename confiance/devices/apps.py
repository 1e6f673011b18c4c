from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "confiance.devices"
    label = "devices"
    verbose_name = _("Hypervision")

    def ready(self) -> None:
        from confiance.devices.registry import connect_signals
        from confiance.devices.selectors.public_cameras import connect_camera_signals

        connect_signals()
        connect_camera_signals()
