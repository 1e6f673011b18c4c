"""ASGI entry point (uvicorn config.asgi:application)."""

import os

import django
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from confiance.core.asgi import application_for_settings  # noqa: E402
from confiance.operations.ingest import PositionIngest  # noqa: E402

application = application_for_settings(mounts={"/positions/": PositionIngest()})

# Import every view and API module now (several seconds with the analyses' numerical libraries), so that the
# first request of each server process does not pay for it.
get_resolver().url_patterns  # noqa: B018 (the property imports them)
