from django.contrib import admin

from confiance.privacy.models import AuditCheckpoint, AuditEntry
from confiance.privacy.services import audit_record


class AuditedAdminMixin:
    """Admin changes are writes like any other: each save and delete leaves an audit entry."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action=f"admin.{'change' if change else 'add'}", target=obj,
                     extra={"fields": sorted(form.changed_data)})

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="admin.delete", target=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(actor=request.user, action="admin.delete", target=obj)
        super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "created_at", "kind", "actor_label", "action", "target_type", "target_id", "motive"]
    list_filter = ["kind", "action"]
    search_fields = ["actor_label", "action", "target_id", "motive"]


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "entry_hash", "created_at"]
