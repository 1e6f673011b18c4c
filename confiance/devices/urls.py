"""Hypervision pages (console side)."""

from django.urls import path  # noqa: F401

app_name = "devices"

urlpatterns: list = []
