from django.contrib import admin

from confiance.core.admin_audit import AuditedAdminMixin
from confiance.territory.models import Commune, CrisisSharing, Intercommunality, Sector, Zone

AREA_READONLY = ["geometry", "centroid_lat", "centroid_lon", "h3_cell", "created_at", "updated_at"]


@admin.register(Intercommunality)
class IntercommunalityAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "siren"]
    search_fields = ["name", "siren"]


@admin.register(Commune)
class CommuneAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "insee_code", "intercommunality"]
    list_select_related = ["intercommunality"]
    search_fields = ["name", "insee_code"]
    readonly_fields = AREA_READONLY


@admin.register(Sector)
class SectorAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "commune"]
    list_select_related = ["commune"]
    list_filter = ["commune"]
    readonly_fields = AREA_READONLY


@admin.register(Zone)
class ZoneAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "commune"]
    list_select_related = ["commune"]
    list_filter = ["commune", "kind"]
    readonly_fields = AREA_READONLY


@admin.register(CrisisSharing)
class CrisisSharingAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "started_at", "ended_at"]
    list_filter = ["kind"]
    filter_horizontal = ["communes"]
    readonly_fields = ["zone", "started_by", "ended_by"]
    date_hierarchy = "started_at"
