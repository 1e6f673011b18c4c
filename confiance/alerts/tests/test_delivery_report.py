"""The delivery report, page and API: agents of the alert's commune with "voir les alertes" only; no contact shown."""

import pytest
from django.test import Client
from django.urls import reverse

from confiance.accounts.tests.factories import make_agent
from confiance.alerts.delivery import deliver_once, enqueue_alert
from confiance.alerts.delivery_choices import Channel
from confiance.alerts.tests.delivery_factories import make_published_alert, polygon_feature, spread_subscribers
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db

AREA = {"type": "FeatureCollection", "features": [polygon_feature(
    [[2.399, 48.549], [2.421, 48.549], [2.421, 48.571], [2.399, 48.571], [2.399, 48.549]])]}


@pytest.fixture
def sent_alert(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    commune = make_commune(lon=2.40, lat=48.55)
    spread_subscribers(commune, 12)
    alert = make_published_alert(commune, area=AREA)
    enqueue_alert(alert.pk)
    deliver_once(channel=Channel.EMAIL, limit=100)
    return commune, alert


def _client(agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


def test_agent_of_the_commune_sees_counts_and_no_contact(sent_alert, django_assert_max_num_queries):
    commune, alert = sent_alert
    client = _client(make_agent(communes=[commune], role="csu_operator", password=None))
    with django_assert_max_num_queries(12):
        body = client.get(f"/api/v1/alerts-delivery/alerts/{alert.pk}/report").json()
    assert body["targeted"] == 12 and body["channels"]["email"]["sent"] == 12 and body["sent"] == 12
    assert sum(minute["email"] for minute in body["minutes"]) == 12
    page = client.get(reverse("alerts:delivery-report", args=[alert.pk]))
    assert page.status_code == 200 and "@example.org" not in page.content.decode()


def test_other_communes_agents_and_anonymous_get_nothing(sent_alert):
    _, alert = sent_alert
    stranger = _client(make_agent(communes=[make_commune(lon=2.6, lat=48.6)], role="csu_operator", password=None))
    assert stranger.get(f"/api/v1/alerts-delivery/alerts/{alert.pk}/report").status_code == 404
    assert stranger.get(reverse("alerts:delivery-report", args=[alert.pk])).status_code == 404
    assert Client().get(f"/api/v1/alerts-delivery/alerts/{alert.pk}/report").status_code == 401
    technical = _client(make_agent(communes=[alert.commune], role="technical_agent", password=None))
    assert technical.get(f"/api/v1/alerts-delivery/alerts/{alert.pk}/report").status_code == 404
