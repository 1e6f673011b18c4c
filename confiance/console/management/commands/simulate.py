import importlib
import random
import signal
import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def simulation_steps():
    """Every app's simulation.step, in app order, with its own period when the module sets INTERVAL (seconds)."""
    steps = []
    for config in apps.get_app_configs():
        if not config.name.startswith("confiance."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.simulation")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.simulation":
                raise
            continue
        steps.append((config.label, module.step, getattr(module, "INTERVAL", None)))
    return steps


class Command(BaseCommand):
    help = "Fait vivre la démo : nouveaux signalements, traitements, retards (mode démo seulement)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=15.0, help="Secondes entre deux pas (défaut 15).")
        parser.add_argument("--steps", type=int, default=0, help="Nombre de pas puis arrêt (0 : sans fin).")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Refusé : le simulateur ne tourne qu'en mode démo (jamais en production).")
        rng = random.Random(options["seed"])
        running = {"on": True}
        signal.signal(signal.SIGTERM, lambda *_: running.update(on=False))
        steps = simulation_steps()
        self.stdout.write(f"Simulateur : {', '.join(label for label, *_ in steps)} ; un pas toutes les "
                          f"{options['interval']} s.")
        if options["steps"]:  # a fixed number of rounds, every step in each (tests, quick runs)
            for round_number in range(options["steps"]):
                for label, step, _interval in steps:
                    self._run(label, step, rng)
                if round_number + 1 < options["steps"]:
                    self._sleep(running, options["interval"])
            return
        # Endless: each step at its own period (its module's INTERVAL, never longer than --interval).
        due = {label: 0.0 for label, *_ in steps}
        while running["on"]:
            now = time.monotonic()
            for label, step, interval in steps:
                if now >= due[label]:
                    due[label] = now + min(interval or options["interval"], options["interval"])
                    self._run(label, step, rng)
            time.sleep(0.2)

    def _run(self, label, step, rng) -> None:
        try:
            step(rng=rng, stdout=self.stdout)
        except Exception as exc:  # a failed step must not stop the demo
            self.stderr.write(f"{label} : {exc}")

    @staticmethod
    def _sleep(running, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while running["on"] and time.monotonic() < deadline:
            time.sleep(0.2)
