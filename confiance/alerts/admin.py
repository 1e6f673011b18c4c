"""Administration of population alerts: the templates per risk (editable), alerts and incoming alerts (read)."""

from django.contrib import admin

from confiance.alerts.models import Alert, AlertTemplate, IncomingAlert
from confiance.core.admin_audit import AuditedAdminMixin


@admin.register(AlertTemplate)
class AlertTemplateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "risk", "commune", "severity", "duration_hours", "active")
    list_filter = ("risk", "active", "commune")
    search_fields = ("name", "headline", "event")


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Alerts are written through the agents' pages (two-person rule): the administration only reads them."""

    list_display = ("headline", "commune", "msg_type", "status", "severity", "published_at")
    list_filter = ("status", "msg_type", "commune")
    search_fields = ("headline", "identifier")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IncomingAlert)
class IncomingAlertAdmin(admin.ModelAdmin):
    list_display = ("headline", "sender_name", "msg_type", "severity", "sent", "expires")
    search_fields = ("headline", "identifier", "sender")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
