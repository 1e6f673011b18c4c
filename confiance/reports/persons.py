"""How a rights request finds a person in the citizen reports: reporters (e-mail, phone, name) and followers."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.functions import Lower, Now

from confiance.privacy.processing import PersonFinder, PersonMatch, phone_variants, register_person_finder
from confiance.reports.models import Report, ReportFollower

MATCH_LIMIT = 500  # an access request answers about one person: more matches than this is a too broad criterion


def _reporters(*, email: str, phone: str, name: str, commune_ids) -> Iterable[Report]:
    base = Report.objects.filter(commune_id__in=list(commune_ids), personal_data_removed_at__isnull=True)
    querysets = []
    if email:
        querysets.append(base.alias(mail=Lower("reporter_email")).filter(mail=email.strip().lower()))
    if phone and phone_variants(phone):
        querysets.append(base.filter(reporter_phone__in=phone_variants(phone)))
    if name:
        querysets.append(base.alias(person=Lower("reporter_name")).filter(person=" ".join(name.lower().split())))
    seen: set[int] = set()
    for queryset in querysets:
        for report in queryset.only("pk", "commune_id", "reporter_name", "reporter_email", "reporter_phone",
                                    "created_at", "address", "status")[:MATCH_LIMIT]:
            if report.pk not in seen:
                seen.add(report.pk)
                yield report


def find(*, email: str = "", phone: str = "", name: str = "", commune_ids=()) -> list[PersonMatch]:
    matches = [PersonMatch(
        source="Signalement (déclarant)", reference=str(report.pk), commune_id=report.commune_id,
        summary=f"Signalement n° {report.pk} du {report.created_at:%d/%m/%Y}, {report.address or 'lieu non précisé'}",
        data={"nom": report.reporter_name, "courriel": report.reporter_email, "téléphone": report.reporter_phone,
              "lieu": report.address, "reçu le": report.created_at.isoformat()},
        model="reports.Report", pk=report.pk,
    ) for report in _reporters(email=email, phone=phone, name=name, commune_ids=commune_ids)]
    if email:
        followers = (ReportFollower.objects.alias(mail=Lower("email"))
                     .filter(mail=email.strip().lower(), report__commune_id__in=list(commune_ids))
                     .select_related("report").only("pk", "email", "created_at", "report__commune_id")[:MATCH_LIMIT])
        matches += [PersonMatch(
            source="Suivi d'un signalement", reference=str(follower.report_id),
            commune_id=follower.report.commune_id,
            summary=f"Suit le signalement n° {follower.report_id} depuis le {follower.created_at:%d/%m/%Y}",
            data={"courriel": follower.email, "depuis le": follower.created_at.isoformat()},
            model="reports.ReportFollower", pk=follower.pk,
        ) for follower in followers]
    return matches


def erase(match: PersonMatch) -> None:
    """The reporter's contact details are blanked (the report itself stays); a follower is removed."""
    if match.model == "reports.Report":
        Report.objects.filter(pk=match.pk).update(reporter_name="", reporter_email="", reporter_phone="",
                                                  reporter_device_id="", personal_data_removed_at=Now())
    elif match.model == "reports.ReportFollower":
        ReportFollower.objects.filter(pk=match.pk).delete()


register_person_finder(PersonFinder(key="reports", label="Signalements", find=find, erase=erase))
