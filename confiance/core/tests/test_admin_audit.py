"""Admin writes reach the journal registered at start-up; without one they fail."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from confiance.core import admin_audit
from confiance.core.admin_audit import AuditedAdminMixin, journal_record, register_journal


class BaseAdmin:
    def save_model(self, request, obj, form, change):
        obj.saved = True

    def delete_model(self, request, obj):
        obj.deleted = True

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            obj.deleted = True


class Admin(AuditedAdminMixin, BaseAdmin):
    pass


@pytest.fixture
def journal(monkeypatch):
    entries: list[dict] = []
    monkeypatch.setattr(admin_audit, "_journal", [])
    register_journal(lambda **entry: entries.append(entry))
    return entries


def test_saves_and_deletes_are_journaled_with_the_admin_user(journal):
    request, obj = SimpleNamespace(user="admin"), SimpleNamespace()
    Admin().save_model(request, obj, SimpleNamespace(changed_data=["name", "code"]), change=True)
    Admin().delete_model(request, obj)
    Admin().delete_queryset(request, [SimpleNamespace(), SimpleNamespace()])
    assert obj.saved and obj.deleted
    assert [entry["action"] for entry in journal] == ["admin.change", "admin.delete", "admin.delete", "admin.delete"]
    assert journal[0]["extra"] == {"fields": ["code", "name"]} and journal[0]["actor"] == "admin"


def test_without_a_journal_an_admin_write_fails(monkeypatch):
    monkeypatch.setattr(admin_audit, "_journal", [])
    with pytest.raises(ImproperlyConfigured):
        journal_record(actor="admin", action="admin.add", target=None)
