from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrisisConfig(AppConfig):
    name = "confiance.crisis"
    label = "crisis"
    verbose_name = _("Crises")
