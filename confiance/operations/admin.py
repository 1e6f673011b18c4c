"""Configuration of police operations by administrators: natures, intervention types and their checklists,
status codes, units and crews, pooling agreements between communes (crisis sharings are in territory's
admin). Records themselves (main courante, interventions) are not edited here: they change only through the
services, which check the rules and keep the history. A unit's GPS tracker key is issued with
`confiance tracker key` (shown once)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from confiance.core.admin_audit import AuditedAdminMixin
from confiance.operations.models import (
    ChecklistStep,
    DayVisa,
    InterventionType,
    Nature,
    PoolingAgreement,
    Shift,
    Unit,
    UnitStatus,
)
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



class PoolingAgreementForm(forms.ModelForm):
    class Meta:
        model = PoolingAgreement
        fields = ["reference", "title", "communes", "starts_on", "ends_on"]

    def clean(self):
        cleaned = super().clean()
        communes, starts_on, ends_on = cleaned.get("communes"), cleaned.get("starts_on"), cleaned.get("ends_on")
        if communes is not None and len(communes) < 2:
            self.add_error("communes", _("Une convention de mise en commun lie au moins deux communes."))
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("La fin de la convention précède son début."))
        return cleaned


@admin.register(PoolingAgreement)
class PoolingAgreementAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Conventions de mise en commun: the dispatch proposes each signatory's units to the others while in force."""

    form = PoolingAgreementForm
    list_display = ["reference", "title", "starts_on", "ends_on", "commune_names"]
    list_filter = ["communes"]
    search_fields = ["reference", "title"]
    filter_horizontal = ["communes"]
    date_hierarchy = "starts_on"
    readonly_fields = ["created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("communes")

    @admin.display(description=_("communes"))
    def commune_names(self, obj: PoolingAgreement) -> str:
        return ", ".join(sorted(commune.name for commune in obj.communes.all()))


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by a service (with their checks and audit) and only read here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DayVisa)
class DayVisaAdmin(ReadOnlyAdmin):
    """Visas of the main courante: signed on the main courante page; a visa is never undone (the day stays locked)."""

    list_display = ["day", "commune", "signed_by_name", "signed_at"]
    list_filter = ["commune"]
    date_hierarchy = "day"

    @admin.display(description=_("visée par"))
    def signed_by_name(self, obj: DayVisa) -> str:
        return obj.signed_by.get_full_name() or obj.signed_by.username if obj.signed_by else "—"


@admin.register(Shift)
class ShiftAdmin(ReadOnlyAdmin):
    """Shifts: composed on the crews page by the chef de poste."""

    list_display = ["day", "unit", "agent_name", "starts_at", "ends_at"]
    list_filter = ["unit__commune"]
    date_hierarchy = "day"
    list_select_related = ["unit", "agent"]

    @admin.display(description=_("agent"))
    def agent_name(self, obj: Shift) -> str:
        return obj.agent.get_full_name() or obj.agent.username
