"""The alerts pages: the list, the draft form with the drawn area, approval by a second person, the public page,
the CAP address, the Atom feed, the FR-Alert request."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from lxml import etree

from confiance.alerts.choices import AlertStatus
from confiance.alerts.models import Alert
from confiance.alerts.services.authoring import alert_draft, alert_submit
from confiance.alerts.services.publication import alert_approve
from confiance.alerts.tests.factories import flood_draft, square_area

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True


def client_of(actor):
    client = Client()
    client.force_login(actor.agent)
    return client


def _published(world, **changes):
    alert = alert_draft(actor=world.operator, commune_id=world.commune.pk, draft=flood_draft(**changes))
    alert_submit(actor=world.operator, alert_id=alert.pk)
    return alert_approve(actor=world.chief, alert_id=alert.pk)


def _form(**changes):
    data = {"commune": "", "event": "Crue", "headline": "Crue de l'Essonne", "instruction": "Montez à l'étage.",
            "description": "", "risk": "flood", "category": "Met", "response_type": "Shelter", "urgency": "Immediate",
            "severity": "Severe", "certainty": "Observed", "cap_status": "Actual", "onset": "2030-01-01T08:00",
            "expires": "2030-01-01T20:00", "area_description": "Le Moulin", "area": json.dumps(square_area())}
    data.update(changes)
    return data


def test_operator_drafts_submits_and_chief_approves_through_the_pages(world):
    operator = client_of(world.operator)
    response = operator.post(reverse("alerts:new"), _form(commune=world.commune.pk))
    alert = Alert.objects.get()
    assert response.status_code == 302 and alert.status == AlertStatus.DRAFT
    assert alert.area["features"][0]["geometry"]["type"] == "Polygon"
    assert operator.post(reverse("alerts:submit", args=[alert.pk])).status_code == 302
    page = operator.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    assert "Valider et diffuser" not in page  # the author never sees the approval button
    operator.post(reverse("alerts:approve", args=[alert.pk]))
    assert Alert.objects.get().status == AlertStatus.AWAITING_APPROVAL
    chief = client_of(world.chief)
    assert "Valider et diffuser" in chief.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    chief.post(reverse("alerts:approve", args=[alert.pk]))
    assert Alert.objects.get().status == AlertStatus.PUBLISHED


@pytest.mark.parametrize("changes", [
    {"area": '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Polygon", '
             '"coordinates": [[[2.40, 48.55], [2.41, 48.56], [2.41, 48.55], [2.40, 48.56], [2.40, 48.55]]]}}]}'},
    {"area": "{not json"}, {"area": "[" * 500}, {"expires": "2029-12-31T08:00"}, {"severity": "Apocalyptic"},
    {"onset": "99999-01-01T00:00"}, {"headline": "x" * 1000},
])
def test_bad_form_input_is_refused_on_the_page(world, changes):
    response = client_of(world.operator).post(reverse("alerts:new"), _form(commune=world.commune.pk, **changes))
    assert response.status_code == 200 and not Alert.objects.exists()


def test_list_and_form_pages_render(world):
    operator = client_of(world.operator)
    assert operator.get(reverse("alerts:list")).status_code == 200
    assert operator.get(reverse("alerts:new") + f"?commune={world.commune.pk}").status_code == 200
    assert client_of(world.police).get(reverse("alerts:new")).status_code == 403


def test_public_page_cap_address_and_feed(world):
    alert = _published(world)
    client = Client()
    page = client.get(reverse("alerts:public", args=[world.commune.insee_code])).content.decode()
    assert escape(alert.headline) in page and page.index("Que faire") < page.index(escape(alert.description))
    cap = client.get(reverse("alerts:cap", args=[alert.identifier]))
    assert cap.status_code == 200 and cap.content == alert.cap_xml.encode()
    feed = etree.fromstring(client.get(reverse("alerts:feed", args=[world.commune.insee_code])).content)
    assert feed.findtext("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title") == alert.headline
    assert client.get(reverse("alerts:cap", args=["nope"])).status_code == 404
    assert client.get("/alertes/99999/").status_code == 404


def test_drafts_are_not_public(world):
    alert = alert_draft(actor=world.operator, commune_id=world.commune.pk, draft=flood_draft())
    client = Client()
    page = client.get(reverse("alerts:public", args=[world.commune.insee_code])).content.decode()
    assert escape(alert.headline) not in page
    assert client.get(reverse("alerts:cap", args=[alert.identifier])).status_code == 404


def test_fr_alert_request_pdf_embeds_the_cap_message(world):
    alert = _published(world)
    response = client_of(world.elected).get(reverse("alerts:fr-alert", args=[alert.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert b"/EmbeddedFile" in response.content and f"{alert.identifier}.xml".encode() in response.content


def test_other_commune_agent_gets_nothing(world):
    alert = _published(world)
    outsider = client_of(world.outsider)
    assert outsider.get(reverse("alerts:detail", args=[alert.pk])).status_code == 403
    outsider.post(reverse("alerts:cancel", args=[alert.pk]))
    assert Alert.objects.count() == 1
