from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _permissions_in_french(sender, **kwargs) -> None:
    from confiance.console.services import permissions_in_french

    permissions_in_french(sender, **kwargs)


class ConsoleConfig(AppConfig):
    name = "confiance.console"
    label = "console"
    verbose_name = _("Console des agents")

    def ready(self) -> None:
        post_migrate.connect(_permissions_in_french, dispatch_uid="confiance.console.permissions_in_french")
