from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from confiance.accounts.models import Agent, ApiToken, Membership
from confiance.core.admin_audit import AuditedAdminMixin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["commune"]


@admin.register(Agent)
class AgentAdmin(AuditedAdminMixin, UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "is_active", "locked_until"]
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Verrouillage", {"fields": ("failed_login_count", "locked_until")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "prefix", "agent", "expires_at", "revoked_at", "last_used_at"]
    list_select_related = ["agent"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    filter_horizontal = ["communes"]

    def has_add_permission(self, request):
        return False  # tokens are issued by `confiance token create`, which shows the secret once
