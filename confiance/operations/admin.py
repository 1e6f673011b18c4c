"""Configuration of police operations by administrators: natures, intervention types and their checklists,
status codes, units and crews (crisis sharings are in territory's admin). Records themselves (main courante,
interventions) are not edited here: they change only through the services, which check the rules and keep the
history. A unit's GPS tracker key is issued with `confiance tracker key` (shown once)."""

from django.contrib import admin

from confiance.core.admin_audit import AuditedAdminMixin
from confiance.operations.models import ChecklistStep, InterventionType, Nature, Unit, UnitStatus
from confiance.operations.services.units import unit_publish


@admin.register(Nature)
class NatureAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["label", "code", "purpose", "commune", "position", "active"]
    list_filter = ["commune", "purpose", "active"]
    list_select_related = ["commune"]
    search_fields = ["label", "code"]


class ChecklistStepInline(admin.TabularInline):
    model = ChecklistStep
    extra = 0


@admin.register(InterventionType)
class InterventionTypeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["label", "code", "priority", "purpose", "commune", "active"]
    list_filter = ["commune", "priority", "purpose", "active"]
    list_select_related = ["commune"]
    inlines = [ChecklistStepInline]


@admin.register(UnitStatus)
class UnitStatusAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "label", "milestone", "color", "commune", "position"]
    list_filter = ["commune", "milestone"]
    list_select_related = ["commune"]


@admin.register(Unit)
class UnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "commune", "status", "milestone", "position_at", "tracker_id", "active"]
    list_filter = ["commune", "milestone", "active"]
    list_select_related = ["commune", "status"]
    filter_horizontal = ["agents"]
    readonly_fields = ["milestone", "status_at", "lat", "lon", "position_at"]
    fields = ["commune", "name", "agents", "status", "milestone", "status_at", "lat", "lon", "position_at",
              "tracker_id", "active"]

    def save_model(self, request, obj, form, change):
        obj.milestone = obj.status.milestone  # the milestone always follows the status code
        super().save_model(request, obj, form, change)
        unit_publish(obj)  # consoles and the dispatch index follow the change

