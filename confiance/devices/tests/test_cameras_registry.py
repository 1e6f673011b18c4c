"""The camera registry's legal checks (CSI L.251-2, L.252-4, L.252-5): purposes from the closed list, retention
of 1 to 30 days never above the authorisation's, an authorisation in the past refused when lapsed or in the future,
masks as polygons; the authorisation's state (valid, to renew within 3 months, expired)."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from confiance.accounts.tests.factories import make_actor
from confiance.core.errors import PermissionDeniedError
from confiance.devices.choices import AuthorisationState, DeviceKind
from confiance.devices.errors import DevicesError, DevicesErrorCode
from confiance.devices.models import Camera, Device
from confiance.devices.selectors.cameras import authorisation_expiry, authorisation_state
from confiance.devices.services.cameras import camera_register, camera_update
from confiance.devices.tests.camera_factories import camera_draft, make_camera
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def _refused(commune, code, **changes):
    before = (Device.objects.count(), Camera.objects.count())
    with pytest.raises(DevicesError) as raised:
        camera_register(actor=None, commune=commune, draft=camera_draft(commune, **changes))
    assert raised.value.code == code
    assert (Device.objects.count(), Camera.objects.count()) == before
    return raised.value


def test_a_camera_is_a_device_of_kind_camera_with_its_legal_record(world):
    camera = make_camera(world.commune)
    assert camera.device.kind == DeviceKind.CAMERA and camera.device.commune == world.commune
    assert camera.purposes == ["public_buildings", "persons_property"]  # in the order of the law
    assert AuditEntry.objects.filter(action="cameras.register").count() == 1


@pytest.mark.parametrize("purposes", [(), ("surveillance_generale",), ("persons_property", "reconnaissance")])
def test_refuses_a_purpose_outside_the_list_of_l251_2_or_none(world, purposes):
    error = _refused(world.commune, DevicesErrorCode.CAMERA_PURPOSE_INVALID, purposes=purposes)
    assert error.details == {"field": "purposes"}


@pytest.mark.parametrize(("retention", "authorised"), [(31, 30), (45, 30), (0, 30), (20, 15), (10, 31)])
def test_refuses_a_retention_over_30_days_or_over_the_authorisation(world, retention, authorised):
    _refused(world.commune, DevicesErrorCode.CAMERA_RETENTION_INVALID, retention_days=retention,
             authorisation_retention_days=authorised)


def test_the_database_refuses_a_retention_over_the_authorisation_whatever_the_path(world):
    camera = make_camera(world.commune)
    with pytest.raises(IntegrityError), transaction.atomic():
        Camera.objects.filter(pk=camera.pk).update(retention_days=31, authorisation_retention_days=31)
    with pytest.raises(IntegrityError), transaction.atomic():
        Camera.objects.filter(pk=camera.pk).update(retention_days=25, authorisation_retention_days=20)


def test_refuses_an_authorisation_whose_five_years_are_over(world):
    lapsed = timezone.localdate() - timedelta(days=5 * 366)
    _refused(world.commune, DevicesErrorCode.CAMERA_AUTHORISATION_EXPIRED, authorisation_date=lapsed)


def test_refuses_an_authorisation_dated_in_the_future(world):
    _refused(world.commune, DevicesErrorCode.CAMERA_AUTHORISATION_FUTURE,
             authorisation_date=timezone.localdate() + timedelta(days=1))


@pytest.mark.parametrize("masks", [
    ({"type": "Point", "coordinates": [2.4, 48.55]},),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},),  # self-intersecting
    ({"type": "Polygon", "coordinates": "x"},),
    ("not a geometry",),
])
def test_refuses_masks_that_are_not_polygons(world, masks):
    _refused(world.commune, DevicesErrorCode.CAMERA_MASK_INVALID, privacy_masks=masks)


def test_refuses_a_location_outside_the_commune(world):
    with pytest.raises(DevicesError):
        camera_register(actor=None, commune=world.commune, draft=camera_draft(world.commune, lat=45.0, lon=5.0))
    assert not Camera.objects.exists()


def test_only_a_manager_of_the_commune_registers_a_camera(world):
    police = make_actor(communes=[world.commune], role="police_agent", password=None)
    with pytest.raises(PermissionDeniedError):
        camera_register(actor=police, commune=world.commune, draft=camera_draft(world.commune))
    chief = make_actor(communes=[world.commune], role="shift_supervisor", password=None)
    assert camera_register(actor=chief, commune=world.commune, draft=camera_draft(world.commune)).pk


def test_an_update_renews_the_authorisation_and_is_checked_the_same_way(world):
    camera = make_camera(world.commune, authorised_on=timezone.localdate() - timedelta(days=5 * 365 + 10))
    assert authorisation_state(camera) == AuthorisationState.EXPIRED
    draft = camera_draft(world.commune, identifier=camera.device.identifier)
    with pytest.raises(DevicesError):
        camera_update(actor=None, camera_id=camera.pk, draft=replace(draft, retention_days=40))
    renewed = camera_update(actor=None, camera_id=camera.pk,
                            draft=replace(draft, authorisation_date=timezone.localdate(),
                                          authorisation_reference="AP-2026-RENOUV"))
    assert authorisation_state(renewed) == AuthorisationState.VALID
    assert renewed.authorisation_reference == "AP-2026-RENOUV"


def test_states_valid_to_renew_within_three_months_and_expired(world):
    today = date(2026, 6, 1)
    camera = make_camera(world.commune)
    for authorised_on, state in [(date(2022, 1, 1), AuthorisationState.VALID),
                                 (date(2021, 8, 1), AuthorisationState.EXPIRING),
                                 (date(2021, 6, 1), AuthorisationState.EXPIRED),
                                 (date(2021, 5, 1), AuthorisationState.EXPIRED)]:
        camera.authorisation_date = authorised_on
        assert authorisation_state(camera, today) == state, authorised_on


def test_the_expiry_of_a_29_february_authorisation():
    assert authorisation_expiry(date(2024, 2, 29)) == date(2029, 2, 28)
