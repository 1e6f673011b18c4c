from django.contrib import admin

from confiance.privacy.models import AuditCheckpoint, AuditEntry


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
    list_display = ["chain", "sequence", "kind", "key_id", "entry_hash", "created_at"]
