from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from confiance.privacy.choices import action_label
from confiance.privacy.models import (
    AuditCheckpoint,
    AuditEntry,
    Breach,
    CharterVersion,
    CommunePrivacy,
    RetentionRun,
    RightsRequest,
    RightsRequestStep,
)
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


# The governance registers are written through their pages (services, journaled); the admin reads them.


@admin.register(CommunePrivacy)
class CommunePrivacyAdmin(ReadOnlyAdmin):
    list_display = ["commune", "controller", "dpo_name", "dpo_email", "updated_at"]


@admin.register(CharterVersion)
class CharterVersionAdmin(ReadOnlyAdmin):
    list_display = ["commune", "number", "adopted_on", "created_at"]
    list_filter = ["commune"]


class RightsRequestStepInline(admin.TabularInline):
    model = RightsRequestStep
    fields = ["at", "kind", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RightsRequest)
class RightsRequestAdmin(ReadOnlyAdmin):
    list_display = ["number", "commune", "kind", "status", "received_at", "due_at"]
    list_filter = ["kind", "status", "commune"]
    inlines = [RightsRequestStepInline]


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    list_display = ["number", "commune", "discovered_at", "risk", "notified_at"]
    list_filter = ["risk", "commune"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "trigger"]
