"""Configuration of reports by administrators: categories and questions, destinations, routing, templates, clients."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from confiance.accounts.access import Actor
from confiance.core.admin_audit import AuditedAdminMixin
from confiance.reports.models import (
    Category,
    CategoryAttribute,
    ClientApplication,
    Destination,
    ResponseTemplate,
    RoutingRule,
)
from confiance.reports.services.client_applications import client_application_create


class CategoryAttributeInline(admin.TabularInline):
    model = CategoryAttribute
    extra = 0


@admin.register(Category)
class CategoryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "service_code", "group", "commune", "sla_working_days", "duplicate_radius_m", "active"]
    list_filter = ["commune", "group", "active"]
    list_select_related = ["commune"]
    search_fields = ["name", "service_code", "keywords"]
    inlines = [CategoryAttributeInline]


@admin.register(Destination)
class DestinationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "email", "active"]
    list_filter = ["commune", "kind", "active"]
    list_select_related = ["commune"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["commune", "position", "category", "sector", "final", "active"]
    list_filter = ["commune", "active"]
    list_select_related = ["commune", "category", "sector"]
    filter_horizontal = ["destinations"]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "commune", "category", "status"]
    list_filter = ["commune", "status"]


@admin.register(ClientApplication)
class ClientApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "active", "created_at", "last_used_at"]
    fields = ["name", "communes", "active", "key_prefix", "created_at", "last_used_at"]
    readonly_fields = ["key_prefix", "created_at", "last_used_at"]
    filter_horizontal = ["communes"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        client, key = client_application_create(actor=Actor(agent=request.user), name=obj.name)
        obj.pk = client.pk
        obj.key_hash, obj.key_prefix = client.key_hash, client.key_prefix
        messages.warning(request, _("Clé d'API à transmettre maintenant (elle ne sera plus affichée) : %(key)s")
                         % {"key": key})

    def save_related(self, request, form, formsets, change):
        form.instance.pk = ClientApplication.objects.get(name=form.instance.name).pk
        super().save_related(request, form, formsets, change)
