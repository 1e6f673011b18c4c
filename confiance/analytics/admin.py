from django.contrib import admin

from confiance.analytics.models import AnalysisRun, Dataset


@admin.register(AnalysisRun)
class AnalysisRunAdmin(admin.ModelAdmin):
    list_display = ("kind", "created_by", "status", "created_at", "finished_at")
    list_filter = ("kind", "status")
    readonly_fields = [field.name for field in AnalysisRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("name", "commune", "events", "created_by", "created_at")
    readonly_fields = [field.name for field in Dataset._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
