"""Admin changes are writes like any other: each save and delete leaves an entry in the audit journal.

The journal lives in `privacy`, which core may not import, and every app's admin needs this mixin; so the
dependency is inverted: privacy's AppConfig.ready registers its `audit_record` here at start-up, and the mixin
calls whatever was registered. Without a registered journal an admin write fails rather than go unjournaled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

JournalRecord = Callable[..., Any]

_journal: list[JournalRecord] = []


def register_journal(record: JournalRecord) -> None:
    """Make `record(actor=, action=, target=, extra=)` the journal of admin writes (called once at start-up)."""
    _journal[:] = [record]


def journal_record(**entry: Any) -> Any:
    """Append an admin write to the registered journal."""
    if not _journal:
        raise ImproperlyConfigured("No audit journal registered: install confiance.privacy.")
    return _journal[0](**entry)


class AuditedAdminMixin:
    """A ModelAdmin whose saves and deletes are journaled with the admin user as actor."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        journal_record(actor=request.user, action=f"admin.{'change' if change else 'add'}", target=obj,
                       extra={"fields": sorted(form.changed_data)})

    def delete_model(self, request, obj):
        journal_record(actor=request.user, action="admin.delete", target=obj)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            journal_record(actor=request.user, action="admin.delete", target=obj)
        super().delete_queryset(request, queryset)  # type: ignore[misc]
