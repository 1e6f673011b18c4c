"""Hypervision in the admin.

Every save and delete is journaled (`core.admin_audit.AuditedAdminMixin`) and appends a registry revision (signals of
devices/registry.py), so the ingestion workers see a changed rule at their next batch.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _t

from confiance.core.admin_audit import AuditedAdminMixin
from confiance.devices.choices import Comparison, RuleKind
from confiance.devices.models import Alarm, AlarmStep, Rule
from confiance.operations.models import InterventionType

# --- rules ---------------------------------------------------------------------------------------------------------


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["commune", "name", "kind", "quantity", "device", "zone", "comparison", "threshold",
                  "clear_threshold", "min_duration_s", "silence_intervals", "combination", "severity",
                  "escalate_after_min", "opens_intervention", "intervention_type_code", "active"]

    def clean(self):
        data = super().clean()
        kind, commune = data.get("kind"), data.get("commune")
        errors: dict[str, str] = {}
        if kind != RuleKind.SILENCE:
            if not data.get("quantity"):
                errors["quantity"] = _t("Indiquez la grandeur comparée.")
            if data.get("threshold") is None:
                errors["threshold"] = _t("Indiquez le seuil (ou la variation par minute).")
        if kind == RuleKind.COMBINATION and not data.get("zone"):
            errors["zone"] = _t("Une combinaison porte sur les capteurs d'une zone : choisissez-la.")
        for name in ("device", "zone"):
            related = data.get(name)
            if related is not None and commune is not None and related.commune_id != commune.pk:
                errors[name] = _t("Choisissez-le dans la commune de la règle.")
        threshold, back = data.get("threshold"), data.get("clear_threshold")
        if threshold is not None and back is not None:
            wrong = back > threshold if data.get("comparison") == Comparison.ABOVE else back < threshold
            if wrong:
                errors["clear_threshold"] = _t("Le seuil de retour doit être du côté normal du seuil.")
        code = data.get("intervention_type_code")
        if code and commune is not None and not InterventionType.objects.filter(commune=commune, code=code).exists():
            errors["intervention_type_code"] = _t("Aucun type d'intervention « %(code)s » dans cette commune.") % {
                "code": code}
        if errors:
            raise forms.ValidationError(errors)
        return data


@admin.register(Rule)
class RuleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = RuleForm
    list_display = ["name", "commune", "kind", "quantity", "device", "zone", "comparison", "threshold",
                    "clear_threshold", "min_duration_s", "severity", "escalate_after_min", "opens_intervention",
                    "active"]
    list_filter = ["commune", "kind", "severity", "active"]
    list_select_related = ["commune", "device", "zone"]
    search_fields = ["name"]
    raw_id_fields = ["device", "zone"]


class AlarmStepInline(admin.TabularInline):
    model = AlarmStep
    extra = 0
    can_delete = False
    fields = ["kind", "at", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alarm)
class AlarmAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read-only: alarms are handled in the console, through the services that keep their steps."""

    list_display = ["message", "commune", "rule", "device", "severity", "state", "raised_at", "cleared_at",
                    "acknowledged_at", "escalated_at", "resolved_at"]
    list_filter = ["commune", "state", "severity"]
    list_select_related = ["commune", "rule", "device"]
    date_hierarchy = "raised_at"
    inlines = [AlarmStepInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
