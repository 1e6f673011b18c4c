from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from confiance.accounts.access import Actor, can_issue_enrolment_link
from confiance.accounts.models import Agent, ApiToken, EnrolmentLink, Membership
from confiance.accounts.services import enrolment_link_issue
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
    actions = ["issue_enrolment_link"]

    @admin.action(description=_("Émettre un lien d'activation de la double authentification"))
    def issue_enrolment_link(self, request, queryset):
        """Issue one link per selected agent (through the service, journaled) and show them once."""
        actor = Actor(agent=request.user)
        issued, skipped = [], []
        for agent in queryset.filter(is_active=True):
            if not can_issue_enrolment_link(actor, agent):
                skipped.append(agent)
                continue
            link = enrolment_link_issue(actor=actor, agent=agent)
            url = request.build_absolute_uri(reverse("accounts:enrolment-link", kwargs={"secret": link.secret}))
            issued.append({"agent": agent, "url": url, "expires_at": link.link.expires_at})
        context = {**self.admin_site.each_context(request), "title": _("Liens d'activation émis"),
                   "issued": issued, "skipped": skipped, "opts": self.model._meta}
        return TemplateResponse(request, "admin/accounts/enrolment_links_issued.html", context)


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "prefix", "agent", "expires_at", "revoked_at", "last_used_at"]
    list_select_related = ["agent"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    filter_horizontal = ["communes"]

    def has_add_permission(self, request):
        return False  # tokens are issued by `confiance token create`, which shows the secret once


@admin.register(EnrolmentLink)
class EnrolmentLinkAdmin(admin.ModelAdmin):
    """Links are issued by the agents' action or page (the secret is shown once); here they are only listed."""

    list_display = ["agent", "issued_by", "created_at", "expires_at", "used_at"]
    list_select_related = ["agent", "issued_by"]
    readonly_fields = ["agent", "key_hash", "issued_by", "created_at", "expires_at", "used_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
