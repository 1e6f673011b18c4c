"""The administration wholly in French, third-party models included (django-otp's devices, django-tasks' results).

Their names and labels are not translatable strings, or have no French catalogue: the application and model
names are set on their configurations here, the columns, field labels and sections on admin subclasses. Nothing
here touches the models' fields or declared options, so no migration of a third-party app follows from it.
"""

from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

APP_NAMES = {
    "otp_totp": _("Double authentification"),
    "django_tasks_database": _("Tâches de fond"),
}
MODEL_NAMES = {
    TOTPDevice: (_("appareil de double authentification"), _("appareils de double authentification")),
    DBTaskResult: (_("tâche de fond"), _("tâches de fond")),
}
TOTP_LABELS = {
    "user": (_("agent"), _("L'agent à qui appartient cet appareil.")),
    "name": (_("nom"), _("Nom lisible de l'appareil (par exemple « téléphone de service »).")),
    "confirmed": (_("confirmé"), _("L'appareil est-il prêt à servir ?")),
    "key": (_("clé secrète"), _("Clé secrète en hexadécimal, 40 octets au plus.")),
    "step": (_("pas de temps"), _("Durée d'un code, en secondes.")),
    "t0": (_("origine des temps"), _("Instant Unix à partir duquel les pas sont comptés.")),
    "digits": (_("chiffres"), _("Nombre de chiffres d'un code.")),
    "tolerance": (_("tolérance"), _("Nombre de pas acceptés avant ou après l'heure courante.")),
    "drift": (_("dérive"), _("Décalage connu, en pas, entre l'horloge de l'appareil et celle du serveur.")),
    "last_t": (_("dernier pas vérifié"), _("Le prochain code doit venir d'un pas plus récent.")),
    "throttling_failure_timestamp": (_("dernier échec"), _("Date du dernier échec de vérification.")),
    "throttling_failure_count": (_("échecs successifs"), _("Nombre d'échecs successifs de vérification.")),
    "created_at": (_("créé le"), ""),
    "last_used_at": (_("dernière utilisation"), _("Date de la dernière utilisation de l'appareil.")),
}
TOTP_SECTIONS = {"Identity": _("Identité"), "Timestamps": _("Dates"), "Configuration": _("Configuration"),
                 "State": _("État"), "Throttling": _("Limitation des essais"), "QR Code": _("Code QR")}

for label, name in APP_NAMES.items():
    apps.get_app_config(label).verbose_name = name
for model, (singular, plural) in MODEL_NAMES.items():
    # _meta only, not the declared options (original_attrs) the migration autodetector reads.
    model._meta.verbose_name, model._meta.verbose_name_plural = singular, plural


def _moment(value) -> str:
    """A local date and time in words, or a dash (the admin shows a callable's value as it is)."""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else "—"


class FrenchTOTPDeviceAdmin(TOTPDeviceAdmin):
    """django-otp's device admin with French columns, labels and sections."""

    list_display = ["device_user", "device_name", "device_created_at", "device_last_used_at", "device_confirmed"]
    readonly_fields = ["device_created_at", "device_last_used_at", "qrcode_link"]
    READONLY_AS = {"created_at": "device_created_at", "last_used_at": "device_last_used_at"}
    search_help_text = _("Recherche par identifiant ou adresse électronique de l'agent.")

    @admin.display(description=_("agent"), ordering="user")
    def device_user(self, device):
        return device.user.get_full_name() or device.user.get_username()

    @admin.display(description=_("nom"), ordering="name")
    def device_name(self, device):
        return device.name

    @admin.display(description=_("créé le"), ordering="created_at")
    def device_created_at(self, device):
        return _moment(device.created_at)

    @admin.display(description=_("dernière utilisation"), ordering="last_used_at")
    def device_last_used_at(self, device):
        return _moment(device.last_used_at)

    @admin.display(description=_("confirmé"), boolean=True, ordering="confirmed")
    def device_confirmed(self, device):
        return device.confirmed

    @admin.display(description=_("code QR"))
    def qrcode_link(self, device):
        if device.pk is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk}),
                           _("afficher le code QR"))

    def get_fieldsets(self, request, obj=None):
        sections = []
        for name, options in super().get_fieldsets(request, obj):
            fields = [self.READONLY_AS.get(field, field) for field in options.get("fields", [])]
            sections.append((TOTP_SECTIONS.get(str(name), name), {**options, "fields": fields}))
        return sections

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name in TOTP_LABELS:
            formfield.label, formfield.help_text = TOTP_LABELS[db_field.name]
        return formfield

    def get_list_filter(self, request):
        return []  # the library's filters are titled by its English field names


# Our background tasks in words, by their path (the admin otherwise shows the function's name).
TASK_LABELS = {
    "confiance.analytics.tasks.run_analysis": _("Calcul d'une analyse"),
    "confiance.operations.tasks.push_send_task": _("Envoi des notifications push"),
}


class FrenchDBTaskResultAdmin(DBTaskResultAdmin):
    """django-tasks' results with French columns (the field names come from our catalogue)."""

    list_display = ("id", "task", "status", "enqueued_at", "started_at", "finished_at", "priority", "queue_name")

    @admin.display(description=_("tâche"), ordering="task_path")
    def task(self, result):
        label = TASK_LABELS.get(result.task_path)
        return str(label) if label is not None else result.task_name

    @admin.display(description=_("trace d'erreur"))
    def formatted_traceback(self, obj):
        return super().formatted_traceback(obj)

    @admin.display(description=_("à lancer après"))
    def display_run_after(self, obj):
        return super().display_run_after(obj)


for model, model_admin in ((TOTPDevice, FrenchTOTPDeviceAdmin), (DBTaskResult, FrenchDBTaskResultAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
