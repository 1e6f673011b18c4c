"""Rights requests: the one-month clock and its extension, the search across every finder, the export, erasure
where the law allows it and its refusal with the reason where it does not, every step audited."""

import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.operations.models import LogPerson
from confiance.privacy.choices import JournalKind, RightsRequestKind, RightsStepKind
from confiance.privacy.errors import PrivacyError
from confiance.privacy.models import AuditEntry, RightsRequestStep
from confiance.privacy.processing import phone_variants
from confiance.privacy.services.rights import (
    add_months,
    rights_request_create,
    rights_request_erase,
    rights_request_export,
    rights_request_extend,
    rights_request_search,
)
from confiance.privacy.tests.governance_factories import PERSON, make_gov_world
from confiance.reports.models import Report, ReportFollower

pytestmark = pytest.mark.django_db


def _request(world, kind=RightsRequestKind.ACCESS, **person):
    values = {"requester_name": PERSON["name"], "requester_email": PERSON["email"],
              "requester_phone": PERSON["phone"], **person}
    return rights_request_create(actor=world.dpo, commune_id=world.commune.pk, kind=kind, **values)


def test_months_are_calendar_months():
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 15, tzinfo=UTC), 3) == datetime(2027, 2, 15, tzinfo=UTC)
    assert "0612345678" in phone_variants("+33 6 12 34 56 78") and "06 12 34 56 78" in phone_variants("0612345678")


def test_clock_is_one_month_and_the_extension_three_with_its_reason():
    world = make_gov_world()
    received = datetime(2026, 3, 10, 9, tzinfo=UTC)
    request = _request(world, received_at=received)
    assert request.due_at == datetime(2026, 4, 10, 9, tzinfo=UTC)
    with pytest.raises(PrivacyError):
        rights_request_extend(actor=world.dpo, request=request, reason="")
    rights_request_extend(actor=world.dpo, request=request, reason="Demande complexe : cinq traitements")
    assert request.due_at == datetime(2026, 6, 10, 9, tzinfo=UTC)
    with pytest.raises(PrivacyError):
        rights_request_extend(actor=world.dpo, request=request, reason="encore une fois")
    kinds = list(request.steps.values_list("kind", flat=True))
    assert kinds == [RightsStepKind.RECEIVED, RightsStepKind.EXTENDED]
    assert AuditEntry.objects.filter(action="privacy.rights_extended", target_id=str(request.pk)).exists()


def test_search_finds_the_person_everywhere_by_email_phone_or_name():
    world = make_gov_world()
    result = rights_request_search(actor=world.dpo, request=_request(world))
    sources = {match.source for match in result.matches}
    assert {"Signalement (déclarant)", "Suivi d'un signalement", "Main courante (personne concernée)"} <= sources
    for criteria in ({"requester_name": "", "requester_phone": ""}, {"requester_email": "", "requester_name": ""},
                     {"requester_email": "", "requester_phone": ""}):
        found = rights_request_search(actor=world.dpo, request=_request(world, **criteria))
        assert found.found, criteria
    access = AuditEntry.objects.filter(kind=JournalKind.ACCESS, target_type="privacy.RightsRequest")
    assert access.count() == 4 and all(entry.extra["motive_code"] == "rights_request" for entry in access)


def test_a_person_who_does_not_exist_is_not_found_and_nothing_leaks(client, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    world = make_gov_world()
    request = _request(world, requester_name="Personne Inconnue", requester_email="nobody@example.org",
                       requester_phone="0700000000")
    document = rights_request_export(actor=world.dpo, request=request)
    assert document["données"] == [] and "Aucune donnée" in document["résultat"]
    assert set(document["sources consultées"].values()) == {0}
    client.force_login(world.dpo.agent)
    response = client.post(reverse("privacy:request-export", args=[request.pk, "json"]))
    body = response.content.decode()
    assert response.status_code == 200 and "Aucune donnée" in json.loads(body)["résultat"]
    assert "Martin" not in body and "example.org" not in body.replace("nobody@example.org", "")
    page = client.post(reverse("privacy:request", args=[request.pk])).content.decode()
    assert "Aucune donnée concernant cette personne" in page and "Martin" not in page
    assert client.post(reverse("privacy:request-export", args=[request.pk, "pdf"])).content.startswith(b"%PDF")


def test_a_search_never_crosses_into_another_commune():
    world = make_gov_world()
    request = rights_request_create(actor=world.other_dpo, commune_id=world.other.pk,
                                    kind=RightsRequestKind.ACCESS, requester_email=PERSON["email"],
                                    requester_name=PERSON["name"], requester_phone=PERSON["phone"])
    assert not rights_request_search(actor=world.other_dpo, request=request).found
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        rights_request_search(actor=world.dpo, request=request)


def test_erasure_erases_what_the_law_allows_and_refuses_the_main_courante_with_the_reason():
    world = make_gov_world()
    request = _request(world, kind=RightsRequestKind.ERASURE)
    outcome = rights_request_erase(actor=world.dpo, request=request)
    report = Report.objects.get(pk=world.report.pk)
    assert report.reporter_email == "" and report.reporter_name == "" and report.personal_data_removed_at
    assert not ReportFollower.objects.filter(report=report).exists()
    assert LogPerson.objects.filter(last_name="Martin").exists()  # the main courante keeps its person
    assert outcome.refused and all("arrêté du 14 avril 2009" in match.erasure_refusal for match in outcome.refused)
    refusal = RightsRequestStep.objects.get(request=request, kind=RightsStepKind.ERASURE_REFUSED)
    assert "arrêté du 14 avril 2009" in refusal.note
    assert AuditEntry.objects.filter(action="privacy.rights_erasure_refused", target_id=str(request.pk)).exists()
    assert AuditEntry.objects.filter(action="privacy.rights_erased", target_id=str(request.pk)).exists()


def test_erasure_is_only_for_an_erasure_request():
    world = make_gov_world()
    with pytest.raises(PrivacyError):
        rights_request_erase(actor=world.dpo, request=_request(world))
    assert Report.objects.get(pk=world.report.pk).reporter_email


def test_pages_of_the_register_and_of_a_request(client, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    world = make_gov_world()
    client.force_login(world.dpo.agent)
    response = client.post(reverse("privacy:requests"), {"kind": "erasure", "requester_email": PERSON["email"],
                                                         "requester_name": PERSON["name"]})
    assert response.status_code == 302
    detail = response["Location"]
    assert "Martin" in client.post(detail).content.decode()
    erased = client.post(reverse("privacy:request-erase", args=[detail.rstrip("/").split("/")[-1]]), follow=True)
    assert "arrêté du 14 avril 2009" in erased.content.decode()
    client.force_login(world.other_dpo.agent)
    assert client.get(detail).status_code == 404
