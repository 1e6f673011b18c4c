from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from confiance.privacy.choices import action_label
from confiance.privacy.models import AuditCheckpoint, AuditEntry
from confiance.privacy.selectors.access_review import target_type_label


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False




class ActionFilter(admin.SimpleListFilter):
    """Filter by action, the actions in words."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        actions = model_admin.get_queryset(request).order_by().values_list("action", "kind").distinct()
        labels = {action: action_label(action, kind) for action, kind in actions}
        return sorted(labels.items(), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The list reads in words; the detail page keeps the stored codes (action, target type) for the DPO."""

    list_display = ["sequence", "created_at", "kind", "actor_label", "action_shown", "target_shown", "target_id",
                    "motive"]
    list_filter = ["kind", ActionFilter]
    search_fields = ["actor_label", "action", "target_id", "motive"]

    @admin.display(description=_("action"), ordering="action")
    def action_shown(self, obj) -> str:
        return action_label(obj.action, obj.kind)

    @admin.display(description=_("type d'objet"), ordering="target_type")
    def target_shown(self, obj) -> str:
        return target_type_label(obj.target_type) if obj.target_type else "—"


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["chain", "sequence", "kind", "key_id", "entry_hash", "created_at"]
