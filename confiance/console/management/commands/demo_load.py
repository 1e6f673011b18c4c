import importlib

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings

from confiance.core.transactions import lock_order_relaxed


def demo_modules():
    """Every app's demo_data module, in their declared ORDER."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("confiance."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.demo_data"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo_data":
                raise
    return sorted(modules, key=lambda module: module.ORDER)


class Command(BaseCommand):
    help = "Charge le territoire et les comptes de démonstration (rejouable sans doublon)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Refusé : la démo se charge seulement avec CONFIANCE_DEMO=1 (jamais en production).")
        # E-mails in line: each module loads in one long transaction that a mail thread would wait behind.
        with override_settings(CONFIANCE_MAIL_IN_BACKGROUND=False):
            for module in demo_modules():
                with transaction.atomic():
                    lock_order_relaxed()  # the demo loads before anything else writes
                    module.load(actor=None, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Démo prête."))
