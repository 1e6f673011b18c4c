from django.contrib import admin

from confiance.addresses.models import Address, AddressImport
from confiance.core.admin_audit import AuditedAdminMixin


@admin.register(Address)
class AddressAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "suffix", "street", "postal_code", "city"]
    list_filter = ["commune"]
    search_fields = ["search_key", "ban_id"]
    readonly_fields = ["street_key", "search_key", "updated_at"]


@admin.register(AddressImport)
class AddressImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "imported_at", "created", "updated", "skipped"]
    readonly_fields = ["file_name", "imported_at", "created", "updated", "skipped"]
