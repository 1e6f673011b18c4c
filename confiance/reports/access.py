"""Who may see and handle which reports: the checks every interface and service of reports goes through."""

from __future__ import annotations

from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.reports.models import Report, ReportPhoto


def access_report(*, actor: Actor, report_id: int, permission: Permission = Permission.REPORTS_VIEW) -> Report:
    """The report, if the actor holds `permission` in its commune; "not found" otherwise, so ids reveal nothing."""
    report = (Report.objects.filter(pk=report_id, commune_id__in=actor.commune_ids(permission))
              .select_related("category", "commune", "sector", "assigned_to", "duplicate_of", "client").first())
    if report is None:
        raise NotFoundError(message=_("Signalement introuvable."))
    return report


def access_photo(*, actor: Actor, photo_id: int) -> ReportPhoto:
    """A photo of a report the actor may see, hidden or not."""
    photo = (ReportPhoto.objects.filter(pk=photo_id, report__commune_id__in=actor.commune_ids(Permission.REPORTS_VIEW))
             .first())
    if photo is None:
        raise NotFoundError(message=_("Photo introuvable."))
    return photo


def may_handle(actor: Actor, report: Report) -> bool:
    """Whether the actor may change the report (respond, assign, moderate, see the reporter)."""
    return actor.can(Permission.REPORTS_HANDLE, report.commune_id)


def require_handle(actor: Actor, report: Report) -> None:
    """Raise unless the actor may handle the report: "forbidden" within sight, "not found" beyond."""
    actor.require(Permission.REPORTS_HANDLE, report.commune_id)
