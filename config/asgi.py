"""ASGI entry point (uvicorn config.asgi:application)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from confiance.core.asgi import application_for_settings  # noqa: E402
from confiance.operations.ingest import PositionIngest  # noqa: E402

application = application_for_settings(mounts={"/positions/": PositionIngest()})
