"""The resident's registration: the commune's window, the address in its commune and sector, the replayed form,
the private link that opens one registration only."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from confiance.prevention.errors import OtvError, OtvErrorCode
from confiance.prevention.models import OtvRegistration
from confiance.prevention.services.otv import registration_by_token, registration_cancel, registration_submit
from confiance.prevention.tests.otv_factories import HOME_A_SOUTH, HOME_B, draft, register

pytestmark = pytest.mark.django_db


def _refused(world, code, **kwargs):
    with pytest.raises(OtvError) as caught:
        register(world, **kwargs)
    assert caught.value.code == code
    assert not OtvRegistration.objects.exists()
    return caught.value


def test_a_registration_is_placed_in_its_sector_and_confirmed_by_mail_with_its_private_link(
        otv_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submission = register(otv_world)
    registration = submission.registration
    assert registration.sector == otv_world.north and registration.commune == otv_world.commune
    assert len(submission.token) >= 40 and submission.token not in registration.token_hash
    assert len(mail.outbox) == 1 and submission.token in mail.outbox[0].body
    assert registration_by_token(submission.token) == registration


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"leaves_in": 1}, OtvErrorCode.TOO_SOON),  # the commune asks for 2 days ahead
    ({"leaves_in": 0}, OtvErrorCode.TOO_SOON),
    ({"leaves_in": -3}, OtvErrorCode.TOO_SOON),
    ({"leaves_in": 121}, OtvErrorCode.TOO_FAR),
    ({"days": 1}, OtvErrorCode.TOO_SHORT),
    ({"days": 61}, OtvErrorCode.TOO_LONG),
    ({"days": 0}, OtvErrorCode.DATES_ORDER),
    ({"days": -4}, OtvErrorCode.DATES_ORDER),
    ({"residence": "secondaire"}, OtvErrorCode.RESIDENCE_REFUSED),
])
def test_outside_the_communes_window_nothing_is_registered(otv_world, kwargs, code):
    _refused(otv_world, code, **kwargs)


def test_the_window_edges_are_accepted(otv_world):
    register(otv_world, leaves_in=2, days=2)
    register(otv_world, leaves_in=120, days=60)
    assert OtvRegistration.objects.count() == 2


def test_an_address_in_another_commune_is_refused(otv_world):
    error = _refused(otv_world, OtvErrorCode.OUTSIDE_COMMUNE, point=HOME_B)
    assert error.details["field"] == "address"


def test_an_address_outside_the_territory_is_refused(otv_world):
    _refused(otv_world, OtvErrorCode.OUTSIDE_TERRITORY, point=(45.0, 5.0))


def test_a_commune_without_rules_offers_no_registration(otv_world):
    otv_world.rules.open = False
    otv_world.rules.save()
    _refused(otv_world, OtvErrorCode.NOT_OFFERED)


def test_a_replayed_form_creates_one_registration_and_gives_no_second_link(otv_world):
    key = uuid.uuid4().hex
    first = registration_submit(draft=draft(otv_world), idempotency_key=key)
    second = registration_submit(draft=draft(otv_world, point=HOME_A_SOUTH), idempotency_key=key)
    assert OtvRegistration.objects.count() == 1
    assert second.registration.pk == first.registration.pk and second.token == "" and first.token


@pytest.mark.parametrize("field", ["email", "phone", "last_name"])
def test_bad_contact_fields_are_refused(otv_world, field):
    values = {"email": "pas-un-courriel", "phone": "abc", "last_name": "  "}
    _refused(otv_world, OtvErrorCode.FIELD_INVALID, **{field: values[field]})


def test_a_link_opens_its_own_registration_only(otv_world):
    mine, theirs = register(otv_world), register(otv_world)
    assert registration_by_token(mine.token) == mine.registration
    assert registration_by_token(theirs.token) == theirs.registration
    for forged in [mine.token[:-1] + ("A" if mine.token[-1] != "A" else "B"), "", "x" * 500,
                   mine.registration.token_hash]:
        assert registration_by_token(forged) is None


def test_cancelled_registration_cannot_be_cancelled_twice(otv_world):
    registration = register(otv_world).registration
    registration_cancel(registration=registration)
    with pytest.raises(OtvError) as caught:
        registration_cancel(registration=registration)
    assert caught.value.code == OtvErrorCode.CLOSED


def test_the_resident_may_change_dates_within_the_window(otv_world):
    from confiance.prevention.drafts import RegistrationChange
    from confiance.prevention.services.otv import registration_change

    registration = register(otv_world).registration
    today = timezone.localdate()
    change = RegistrationChange(leaves_on=today + timedelta(days=6), returns_on=today + timedelta(days=3),
                                phone="0611111111")
    with pytest.raises(OtvError) as caught:
        registration_change(registration=registration, change=change)
    assert caught.value.code == OtvErrorCode.DATES_ORDER
    registration.refresh_from_db()
    assert registration.phone == "06 12 34 56 78"
    change.returns_on = today + timedelta(days=20)
    registration_change(registration=registration, change=change)
    registration.refresh_from_db()
    assert (registration.returns_on, registration.phone) == (today + timedelta(days=20), "0611111111")
