"""The safety plans' checklists are edited here, per commune and kind of crisis; a crisis's steps, ticks and log
are shown, never edited (they change only through the services, which keep who did what and when)."""

from django.contrib import admin
from django.utils import timezone

from confiance.core.admin_audit import AuditedAdminMixin
from confiance.crisis.models import ChecklistTemplate, CrisisLogEntry, CrisisStep


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["commune", "kind", "updated_at"]
    list_filter = ["kind", "commune"]
    list_select_related = ["commune"]
    readonly_fields = ["updated_at"]

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CrisisStep)
class CrisisStepAdmin(_ReadOnly):
    list_display = ["crisis", "commune", "position", "text"]
    list_filter = ["crisis"]
    list_select_related = ["crisis", "commune"]


@admin.register(CrisisLogEntry)
class CrisisLogEntryAdmin(_ReadOnly):
    list_display = ["at", "crisis", "commune", "kind", "text"]
    list_filter = ["crisis", "kind"]
    list_select_related = ["crisis", "commune"]
