"""`confiance demo run`: the demo's processes (simulator, sweeps, web server) under one supervisor.

The Makefile used to start them from a shell line whose trap (`kill 0` on EXIT, INT and TERM) signalled its own
shell again from inside the trap: the shell re-entered its trap until its stack overflowed, and `make demo` ended
on Ctrl-C with a segmentation fault. Here the children run in their own session, so a Ctrl-C reaches only this
supervisor, which asks each child to stop (SIGTERM, which every loop handles), waits for them and exits 0.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

STOP_GRACE = 10.0  # seconds a child gets to finish after SIGTERM before it is killed


def _confiance(*args: str) -> list[str]:
    return [sys.executable, "-m", "confiance.cli", *args]


class Command(BaseCommand):
    help = "Lance la démo (simulateur, tâches périodiques, serveur web) ; Ctrl-C arrête tout proprement."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("CONFIANCE_HOST", "127.0.0.1"))
        parser.add_argument("--log", default="", help="Journal du simulateur (défaut : simulation.log du dossier "
                                                       "de données).")

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Refusé : la démo ne tourne qu'en mode démo (CONFIANCE_ENV=demo).")
        log_path = Path(options["log"] or Path(settings.CONFIANCE_DATA_DIR) / "simulation.log")
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"Journal du simulateur : {log_path}")
        stopping = {"signal": 0}

        def on_signal(signum, _frame):
            stopping["signal"] = signum

        # SIGHUP too: closing the terminal must not leave the children (in their own sessions) running.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, on_signal)
        children = self._start(options, log_path)
        try:
            while not stopping["signal"] and all(child.poll() is None for child in children.values()):
                time.sleep(0.2)
        finally:
            ended = [name for name, child in children.items() if child.poll() is not None]
            self._stop(children)
        if stopping["signal"]:
            self.stdout.write("Démo arrêtée.")
            return
        raise CommandError(f"Arrêt de la démo : {', '.join(ended)} s'est arrêté.")

    def _start(self, options, log_path: Path) -> dict[str, subprocess.Popen]:
        commands = {
            "simulateur": _confiance("simulate"),
            "capteurs": _confiance("devices", "sweep", "--interval", "20"),
            "signalements": _confiance("reports", "sweep", "--loop", "60"),
            "alertes": _confiance("alerts", "deliver"),
        }
        if os.environ.get("CONFIANCE_MQTT_URL"):
            commands["ingestion"] = _confiance("devices", "ingest")
        commands["serveur"] = _confiance("serve", "--port", str(options["port"]), "--host", options["host"])
        children = {}
        with log_path.open("a", encoding="utf-8") as log:
            for name, command in commands.items():
                output = {"stdout": log, "stderr": subprocess.STDOUT} if name == "simulateur" else {}
                # Own session: the terminal's Ctrl-C reaches the supervisor only, which stops the children in order.
                children[name] = subprocess.Popen(command, start_new_session=True, **output)
        return children

    @staticmethod
    def _stop(children: dict[str, subprocess.Popen]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
