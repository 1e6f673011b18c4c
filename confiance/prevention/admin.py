"""Admin of the prevention app (French labels from the models)."""


from django.contrib import admin

from confiance.core.admin_audit import AuditedAdminMixin
from confiance.prevention.models import (
    Mobilisation,
    Observation,
    OtvPassage,
    OtvRegistration,
    OtvRules,
    ParticipationProtocol,
    Referent,
    ReserveMission,
    ReserveVolunteer,
)


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


class ReadOnlyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Participation citoyenne ---------------------------------------------------------------------

@admin.register(ParticipationProtocol)
class ParticipationProtocolAdmin(ReadOnlyAdmin):
    list_display = ["commune", "signed_on", "force", "contact_email", "recorded_at"]
    list_filter = ["commune", "force"]
    list_select_related = ["commune"]


@admin.register(Referent)
class ReferentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "commune", "sector", "named_at", "revoked_at"]
    list_filter = ["commune"]
    list_select_related = ["commune", "sector"]
    exclude = ["link_hash"]


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    list_display = ["kind", "commune", "sector", "occurred_at", "status"]
    list_filter = ["commune", "kind", "status"]
    list_select_related = ["commune", "sector"]


# --- Réserve communale ---------------------------------------------------------------------------

@admin.register(ReserveVolunteer)
class ReserveVolunteerAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "commune", "joined_on", "left_on"]
    list_filter = ["commune"]
    list_select_related = ["commune"]


@admin.register(Mobilisation)
class MobilisationAdmin(ReadOnlyAdmin):
    list_display = ["title", "commune", "created_at", "contacted", "closed_at"]
    list_filter = ["commune"]
    list_select_related = ["commune"]


@admin.register(ReserveMission)
class ReserveMissionAdmin(ReadOnlyAdmin):
    list_display = ["title", "commune", "starts_at", "ends_at"]
    list_filter = ["commune"]
    list_select_related = ["commune"]
