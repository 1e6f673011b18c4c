"""Bulk closing from the agents' list: a confirmation step that counts the reports and asks for the public message,
which each report's public history then carries; the reporter's block says why details are not shown."""

import pytest
from django.test import Client

from confiance.accounts.tests.factories import make_agent
from confiance.reports.choices import ReportStatus
from confiance.reports.models import Report
from confiance.reports.selectors import public_history
from confiance.reports.tests.factories import POINT_B, make_world, submit

pytestmark = pytest.mark.django_db
BULK = "/agents/signalements/lot/"


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def handler(world):
    client = Client()
    client.force_login(make_agent(communes=[world.commune], role="technical_agent", password=None))
    return client


def test_closing_asks_for_confirmation_and_changes_nothing_before(world, handler):
    reports = [submit(world, description=f"Trou {n}") for n in range(3)]
    other = submit(world, point=POINT_B)
    ids = [r.pk for r in reports] + [other.pk]
    page = handler.post(BULK, {"action": "done", "ids": ids, "public_message": "Rebouché",
                               "next": "/agents/signalements/?etat=open"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Clore 3 signalements (service fait) ?" in html and "Confirmer : clore 3 signalements" in html
    assert html.count('data-closable="') == 3 and f'data-closable="{other.pk}"' not in html
    assert ">Rebouché</textarea>" in html and 'value="/agents/signalements/?etat=open"' in html
    assert "confirm()" not in html
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.NEW}


def test_confirmation_requires_the_public_message(world, handler):
    report = submit(world)
    refused = handler.post(BULK, {"action": "done", "ids": [report.pk], "confirm": "1", "public_message": "  "})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'id="error-summary"' in html and 'href="#bulk-public-message"' in html
    assert "Écrivez le message public" in html and 'aria-invalid="true"' in html
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW


def test_confirmed_closing_records_the_message_in_each_public_history(world, handler):
    reports = [submit(world, description="A"), submit(world, code="depot", attributes={"volume": "petit"})]
    done = handler.post(BULK, {"action": "done", "ids": [r.pk for r in reports], "confirm": "1",
                               "public_message": "Réparé ce matin, merci.", "next": "/agents/signalements/"})
    assert done.status_code == 302 and done["Location"] == "/agents/signalements/"
    for report in reports:
        report.refresh_from_db()
        assert report.status == ReportStatus.DONE
        assert [e["message"] for e in public_history(report=report)][-1] == "Réparé ce matin, merci."
        assert "Réparé ce matin, merci." in Client().get(f"/signalements/{report.pk}/").content.decode()


def test_reports_that_cannot_be_closed_are_listed_apart(world, handler):
    closed, open_one = submit(world, description="A"), submit(world, description="B")
    Report.objects.filter(pk=closed.pk).update(status=ReportStatus.DONE, is_open=False)
    page = handler.post(BULK, {"action": "done", "ids": [closed.pk, open_one.pk]}).content.decode()
    assert "Clore 1 signalement (service fait) ?" in page
    assert f'data-refused="{closed.pk}"' in page and "déjà dans l&#x27;état « Service fait »" in page
    only_closed = handler.post(BULK, {"action": "done", "ids": [closed.pk], "confirm": "1", "public_message": "x"})
    assert only_closed.status_code == 400 and "Aucun des signalements choisis ne peut être clos" in \
        only_closed.content.decode()


@pytest.mark.parametrize("data", [
    {"action": "done"}, {"action": "done", "ids": ["x"]}, {"action": "fermer", "ids": ["1"]},
    {"action": "done", "ids": ["1"], "public_message": "x" * 3000, "confirm": "1"},
])
def test_bad_bulk_input_is_a_french_message_not_an_error_page(world, handler, data):
    response = handler.post(BULK, data, follow=True)
    assert response.status_code == 200
    assert "Sélectionnez au moins un signalement" in response.content.decode()


def test_viewer_sees_that_contact_details_are_masked_for_the_role(world):
    named, anonymous = submit(world, description="A"), submit(world, description="B")
    Report.objects.filter(pk=named.pk).update(reporter_name="Ana Lima", reporter_email="ana@example.org",
                                           reporter_consent=True)
    viewer = Client()
    viewer.force_login(make_agent(communes=[world.commune], role="elected_official", password=None))
    page = viewer.get(f"/agents/signalements/{named.pk}/").content.decode()
    assert "Coordonnées masquées pour votre rôle." in page and "Anonyme." not in page and "Ana Lima" not in page
    assert "Anonyme." in viewer.get(f"/agents/signalements/{anonymous.pk}/").content.decode()


def test_agent_detail_errors_name_existing_ids(world, handler):
    from confiance.reports.tests.test_pages_citizen_errors import assert_references_exist

    report = submit(world, description="C")
    Report.objects.filter(pk=report.pk).update(reporter_name="Ana", reporter_consent=True)
    refused = handler.post(f"/agents/signalements/{report.pk}/", {"action": "reveal", "motive": "x"})
    assert refused.status_code == 400
    assert "id_motive_error" in assert_references_exist(refused.content.decode()).described
    page = handler.get(f"/agents/signalements/{report.pk}/").content.decode()  # several forms, one id each
    assert_references_exist(page)
    assert 'for="respond_public_message"' in page and 'for="duplicate_public_message"' in page
