"""Hypervision in the admin: the registry (gateways, sensors with their quantities), the rules, the alarms (read-only).

Every save and delete is journaled (`core.admin_audit.AuditedAdminMixin`) and appends a registry revision (signals of
devices/registry.py), so the ingestion workers see the change at their next batch. Tokens are never shown: they are
issued with `confiance devices token IDENTIFIER`, which prints the clear token once; the admin only says whether
one exists. Health fields (last seen, battery, signal, clock, state) are written by ingestion and read-only here.
"""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from confiance.core.admin_audit import AuditedAdminMixin, journal_record
from confiance.core.errors import ApplicationError
from confiance.core.numbers import number
from confiance.devices.choices import IDENTITY_LABELS, QUANTITY_UNITS, CameraPurpose, Comparison, DeviceKind, RuleKind
from confiance.devices.models import (
    Alarm,
    AlarmStep,
    Camera,
    CameraAuthorisation,
    Detection,
    DetectorMapping,
    Device,
    DeviceQuantity,
    Extraction,
    ExtractionMedium,
    Gateway,
    Rule,
    VideoAnalyticsBasis,
    VideoDropCount,
    VideoProtectionNotice,
)
from confiance.devices.services.cameras import (
    camera_authorisation_check,
    camera_masks_check,
    camera_purposes_check,
    camera_retention_check,
)
from confiance.devices.services.registry import device_location_check
from confiance.operations.models import InterventionType

# --- registry ------------------------------------------------------------------------------------------------------

HEALTH_FIELDS = ["state", "last_seen_at", "battery_pct", "signal_dbm", "clock_offset_s"]


@admin.display(boolean=True, description=_("jeton émis"))
def has_token(obj) -> bool:
    return bool(obj.token_prefix and obj.token_hash)


class DeviceQuantityForm(forms.ModelForm):
    class Meta:
        model = DeviceQuantity
        fields = ["quantity", "unit"]

    def clean(self):
        cleaned = super().clean()
        quantity, unit = cleaned.get("quantity"), cleaned.get("unit") or ""
        if quantity:
            expected = QUANTITY_UNITS[quantity]
            if unit and unit != expected:
                self.add_error("unit", _t("L'unité de la plateforme pour cette grandeur est « %(unit)s ».")
                               % {"unit": expected})
            cleaned["unit"] = expected
            self.instance.unit = expected
        return cleaned


class DeviceQuantityInline(admin.TabularInline):
    model = DeviceQuantity
    form = DeviceQuantityForm
    extra = 1
    verbose_name = _("grandeur mesurée")
    verbose_name_plural = _("grandeurs mesurées (unité de la plateforme)")


class DeviceForm(forms.ModelForm):
    class Meta:
        model = Device
        fields = ["commune", "identifier", "name", "kind", "model", "manufacturer", "gateway", "lat", "lon", "address",
                  "zone", "reporting_interval_s", "firmware_version", "expected_firmware_version", "owner",
                  "mqtt_client_id", "default_credentials", "active"]

    def clean(self):
        cleaned = super().clean()
        commune, lat, lon = cleaned.get("commune"), cleaned.get("lat"), cleaned.get("lon")
        gateway = cleaned.get("gateway")
        if gateway is not None and commune is not None and gateway.commune_id != commune.pk:
            self.add_error("gateway", _t("La passerelle est d'une autre commune."))
        if commune is not None and lat is not None and lon is not None:
            try:
                self.instance.sector_id = device_location_check(commune_id=commune.pk, lat=lat, lon=lon)
            except ApplicationError as error:
                self.add_error("lat", error.message)
        return cleaned


@admin.register(Gateway)
class GatewayAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "identifier", "commune", "firmware_version", "expected_firmware_version",
                    "default_credentials", has_token, "last_seen_at", "active"]
    list_filter = ["commune", "active", "default_credentials"]
    list_select_related = ["commune"]
    search_fields = ["name", "identifier"]
    exclude = ["token_prefix", "token_hash"]
    readonly_fields = ["last_seen_at", "created_at", has_token]


@admin.register(Device)
class DeviceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = DeviceForm
    inlines = [DeviceQuantityInline]
    list_display = ["name", "identifier", "commune", "kind", "state", "last_seen_at", "firmware_version",
                    "expected_firmware_version", "default_credentials", has_token, "active"]
    list_filter = ["commune", "kind", "state", "active", "default_credentials"]
    list_select_related = ["commune"]
    search_fields = ["name", "identifier"]
    readonly_fields = [*HEALTH_FIELDS, "sector", "created_at", "updated_at", has_token]

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is DeviceQuantity and (formset.new_objects or formset.changed_objects
                                                or formset.deleted_objects):
            journal_record(actor=request.user, action="admin.change", target=form.instance, extra={
                "quantities": sorted(form.instance.quantities.values_list("quantity", flat=True))})


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
    list_display = ["name", "commune", "kind", "quantity", "device", "zone", "comparison", "threshold_shown",
                    "clear_threshold_shown", "min_duration_s", "severity", "escalate_after_min", "opens_intervention",
                    "active"]
    list_filter = ["commune", "kind", "severity", "active"]
    list_select_related = ["commune", "device", "zone"]
    search_fields = ["name"]
    raw_id_fields = ["device", "zone"]

    @admin.display(description=_("seuil"), ordering="threshold")
    def threshold_shown(self, obj) -> str:
        return "—" if obj.threshold is None else number(obj.threshold, 3, grouping=False)

    @admin.display(description=_("seuil de retour"), ordering="clear_threshold")
    def clear_threshold_shown(self, obj) -> str:
        return "—" if obj.clear_threshold is None else number(obj.clear_threshold, 3, grouping=False)


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


# --- video-protection ----------------------------------------------------------------------------------------------
# Cameras are devices of kind "camera" (created in the devices' admin, where their location is checked); their legal
# record is edited here with the same checks as the services. Extractions and authorisations are handled on the
# agents' pages (services that journal each step): here they are read-only.


class CameraForm(forms.ModelForm):
    purposes = forms.MultipleChoiceField(label=_("finalités (CSI L.251-2)"), choices=CameraPurpose.choices,
                                         widget=forms.CheckboxSelectMultiple)
    privacy_masks = forms.JSONField(label=_("masques de confidentialité (GeoJSON)"), required=False,
                                    help_text=_("Liste de polygones GeoJSON (habitations). Jamais publiés."))

    class Meta:
        model = Camera
        fields = ["device", "camera_type", "direction_deg", "angle_deg", "range_m", "purposes",
                  "authorisation_reference", "authorisation_date", "authorisation_retention_days", "retention_days",
                  "privacy_masks", "vms_reference", "vms_url", "onvif_profile"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = Device.objects.filter(kind=DeviceKind.CAMERA).select_related("commune")

    def clean(self):
        data = super().clean()
        checks = [("purposes", lambda: camera_purposes_check(data.get("purposes") or [])),
                  ("privacy_masks", lambda: camera_masks_check(data.get("privacy_masks") or []))]
        if data.get("retention_days") is not None and data.get("authorisation_retention_days") is not None:
            checks.append(("retention_days", lambda: camera_retention_check(
                retention_days=data["retention_days"], authorised_days=data["authorisation_retention_days"])))
        if data.get("authorisation_date") and "authorisation_date" in self.changed_data:
            checks.append(("authorisation_date", lambda: camera_authorisation_check(data["authorisation_date"])))
        for field, check in checks:
            try:
                value = check()
            except ApplicationError as error:
                self.add_error(field, error.message)
            else:
                if value is not None:
                    data[field] = value
        return data


@admin.register(Camera)
class CameraAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = CameraForm
    list_display = ["__str__", "commune_shown", "authorisation_reference", "authorisation_date", "retention_days",
                    "camera_type"]
    list_filter = ["device__commune", "camera_type"]
    list_select_related = ["device", "device__commune"]
    search_fields = ["device__name", "device__identifier", "authorisation_reference"]
    raw_id_fields = ["device"]

    @admin.display(description=_("commune"), ordering="device__commune__name")
    def commune_shown(self, obj) -> str:
        return obj.device.commune.name

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(VideoProtectionNotice)
class VideoProtectionNoticeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["commune", "controller", "dpo_contact", "updated_at"]
    list_select_related = ["commune"]

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


class _ReadOnlyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CameraAuthorisation)
class CameraAuthorisationAdmin(_ReadOnlyAdmin):
    list_display = ["agent", "camera", "valid_from", "valid_until", "revoked_at", "granted_by"]
    list_select_related = ["agent", "camera__device", "granted_by"]
    list_filter = ["camera__device__commune"]


class ExtractionMediumInline(admin.TabularInline):
    model = ExtractionMedium
    extra = 0
    can_delete = False
    fields = ["file_name", "sha256"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Extraction)
class ExtractionAdmin(_ReadOnlyAdmin):
    list_display = ["requisition_reference", "commune", "officer_name", "officer_service", "span_start", "span_end",
                    "status", "delivered_at", "hold_released_at"]
    list_select_related = ["commune"]
    list_filter = ["commune", "status"]
    inlines = [ExtractionMediumInline]


# --- video analytics ------------------------------------------------------------------------------------------------


class DetectorMappingForm(forms.ModelForm):
    class Meta:
        model = DetectorMapping
        fields = ["camera", "label", "zone", "event_type", "min_score", "active"]

    def clean_label(self):
        label = (self.cleaned_data.get("label") or "").lower()
        if label in IDENTITY_LABELS:
            raise forms.ValidationError(_t("Cette étiquette reconnaît une personne ou une plaque : elle ne peut "
                                           "correspondre à aucun événement légal."))
        return label

    def clean_camera(self):
        camera = self.cleaned_data.get("camera")
        if camera is not None and camera.kind != DeviceKind.CAMERA:
            raise forms.ValidationError(_t("Choisissez une caméra."))
        return camera

    def clean_min_score(self):
        value = self.cleaned_data.get("min_score")
        if value is not None and not 0 <= value <= 1:
            raise forms.ValidationError(_t("Un score entre 0 et 1."))
        return value


@admin.register(DetectorMapping)
class DetectorMappingAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Per camera: which detector label, in which zone, is which of the 8 legal event types."""

    form = DetectorMappingForm
    list_display = ["camera", "label", "zone", "event_type", "min_score", "active"]
    list_filter = ["event_type", "active"]
    list_select_related = ["camera"]
    raw_id_fields = ["camera"]


class VideoAnalyticsBasisForm(forms.ModelForm):
    class Meta:
        model = VideoAnalyticsBasis
        fields = ["commune", "legal_text", "starts_at", "ends_at", "cameras"]

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _t("La fin de la période doit suivre son début."))
        commune = cleaned.get("commune")
        for camera in cleaned.get("cameras") or []:
            if camera.kind != DeviceKind.CAMERA or (commune and camera.commune_id != commune.pk):
                self.add_error("cameras", _t("« %(name)s » n'est pas une caméra de la commune.") % {"name": camera})
        return cleaned


@admin.register(VideoAnalyticsBasis)
class VideoAnalyticsBasisAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The legal basis of video analytics (text, period, cameras): without one, every event is refused."""

    form = VideoAnalyticsBasisForm
    list_display = ["commune", "starts_at", "ends_at", "recorded_by", "recorded_at"]
    list_filter = ["commune"]
    filter_horizontal = ["cameras"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Detection)
class DetectionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read-only: detections are reviewed in the operators' queue."""

    list_display = ["event_type", "camera", "commune", "observed_at", "score", "zone", "status", "reviewed_at"]
    list_filter = ["commune", "event_type", "status"]
    list_select_related = ["camera", "commune"]
    exclude = ["event_key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(VideoDropCount)
class VideoDropCountAdmin(admin.ModelAdmin):
    list_display = ["day", "commune", "camera", "reason", "count"]
    list_filter = ["reason", "commune"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
