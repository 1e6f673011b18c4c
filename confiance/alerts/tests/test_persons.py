"""A DPO's rights request finds an alerts subscriber by e-mail or mobile number, in the request's communes only, and
erasure ends the subscription and erases its contacts."""

import pytest

from confiance.alerts.delivery_choices import SubscriberStatus
from confiance.alerts.models import Subscriber
from confiance.alerts.tests.delivery_factories import make_subscriber
from confiance.privacy.processing import registered_person_finders
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db


def _finder():
    return next(finder for finder in registered_person_finders() if finder.key == "alerts")


def test_a_subscriber_is_found_by_email_or_phone_in_the_requests_communes_and_erased():
    commune, other = make_commune(lon=2.40, lat=48.55), make_commune(lon=2.50, lat=48.60)
    subscriber = make_subscriber(commune, lat=48.555, lon=2.405, email="claire@example.org", phone="+33612345678")
    make_subscriber(commune, lat=48.556, lon=2.406, email="autre@example.org")
    finder = _finder()
    by_email = finder.find(email="Claire@Example.org ", phone="", name="", commune_ids=[commune.pk])
    by_phone = finder.find(email="", phone="06 12 34 56 78", name="", commune_ids=[commune.pk])
    assert [match.pk for match in by_email] == [match.pk for match in by_phone] == [subscriber.pk]
    [match] = by_email
    assert match.data["courriel"] == "claire@example.org" and match.data["téléphone"] == "+33612345678"
    assert match.erasable and match.model == "alerts.Subscriber" and "Abonné aux alertes" in match.summary
    assert finder.find(email="claire@example.org", phone="", name="", commune_ids=[other.pk]) == []
    assert finder.find(email="", phone="", name="Claire", commune_ids=[commune.pk]) == []  # no name is kept
    finder.erase(match)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED and subscriber.unsubscribed_at is not None
    assert (subscriber.email, subscriber.phone, subscriber.lat, subscriber.push_endpoint) == ("", "", None, "")
    assert finder.find(email="claire@example.org", phone="", name="", commune_ids=[commune.pk]) == []
    assert Subscriber.objects.filter(email="autre@example.org").exists()
