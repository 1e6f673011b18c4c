"""Admin of the prevention app (French labels from the models)."""

from django.contrib import admin

from confiance.prevention.models import OtvPassage, OtvRegistration, OtvRules

# --- Opération Tranquillité Vacances ---------------------------------------------------------


@admin.register(OtvRules)
class OtvRulesAdmin(admin.ModelAdmin):
    list_display = ["commune", "open", "min_days_ahead", "min_absence_days", "max_absence_days", "main_residence",
                    "secondary_residence"]
    list_editable = ["open"]


@admin.register(OtvRegistration)
class OtvRegistrationAdmin(admin.ModelAdmin):
    """Read-only: registrations are the residents' (changed through their private link) and personal data."""

    list_display = ["reference", "commune", "sector", "leaves_on", "returns_on", "status"]
    list_filter = ["commune", "status"]
    exclude = ["token_hash", "idempotency_key"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OtvPassage)
class OtvPassageAdmin(admin.ModelAdmin):
    list_display = ["registration", "passed_at", "agent", "outcome", "log_entry_number"]
    list_filter = ["commune", "outcome"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

# --- end of Opération Tranquillité Vacances --------------------------------------------------
