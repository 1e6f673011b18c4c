from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "confiance.privacy"
    label = "privacy"
    verbose_name = _("Vie privée et journal")

    def ready(self) -> None:
        """Journal the admin's writes (core's AuditedAdminMixin calls what is registered here)."""
        from confiance.core.admin_audit import register_journal
        from confiance.privacy.services import audit_record

        register_journal(audit_record)
