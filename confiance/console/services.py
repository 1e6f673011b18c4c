"""Writes of the agents' shell: the permission names the administration lists, in French."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

# Django names the permissions it creates "Can add <model>" in English, whatever the language: the admin's
# permission lists (groups, agents) showed them so. They are renamed in French after each migrate.
PERMISSION_VERBS = {"add": _("Peut ajouter"), "change": _("Peut modifier"), "delete": _("Peut supprimer"),
                    "view": _("Peut voir")}


def permissions_in_french(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    """Default permissions named in French ("Peut ajouter unité"); custom permissions keep their own names."""
    from django.contrib.auth.models import Permission

    changed = []
    with translation.override("fr"):
        for permission in Permission.objects.using(using).filter(name__startswith="Can ").select_related(
                "content_type"):
            verb, _separator, model_name = permission.codename.partition("_")
            model = permission.content_type.model_class()
            if verb not in PERMISSION_VERBS or model is None or model_name != model._meta.model_name:
                continue
            permission.name = f"{PERMISSION_VERBS[verb]} {model._meta.verbose_name}"[:255]
            changed.append(permission)
    Permission.objects.using(using).bulk_update(changed, ["name"])
