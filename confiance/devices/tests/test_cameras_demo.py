"""Demo cameras: over every demo commune, through the registry's checks; some near expiry and one lapsed; notices;
the demo operator authorised on some; one requisition pending under hold; loading twice changes nothing."""

import io

import pytest

from confiance.accounts.demo_data import load as load_accounts
from confiance.devices.choices import AuthorisationState
from confiance.devices.demo_data import load
from confiance.devices.models import Camera, CameraAuthorisation, Extraction, VideoProtectionNotice
from confiance.devices.selectors.cameras import authorisation_state, extraction_is_urgent
from confiance.territory.demo_data import load as load_territory
from confiance.territory.models import Commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True
    load_territory(actor=None, stdout=io.StringIO())
    load_accounts(actor=None, stdout=io.StringIO())
    load(actor=None, stdout=io.StringIO())


def test_demo_cameras_cover_every_commune_with_expiring_and_lapsed_ones(demo):
    communes = Commune.objects.count()
    assert set(Camera.objects.values_list("device__commune", flat=True)) == set(
        Commune.objects.values_list("pk", flat=True))
    assert 20 <= Camera.objects.count() <= 40
    states = [authorisation_state(camera) for camera in Camera.objects.all()]
    assert states.count(AuthorisationState.EXPIRED) == 1 and states.count(AuthorisationState.EXPIRING) == 2
    assert VideoProtectionNotice.objects.count() == communes
    assert CameraAuthorisation.objects.filter(agent__username="operateur").count() == 4
    held = Extraction.objects.filter(hold_released_at__isnull=True)
    assert held.count() == 2 and sum(extraction_is_urgent(item) for item in held) == 1


def test_loading_twice_changes_nothing(demo):
    before = (Camera.objects.count(), CameraAuthorisation.objects.count(), Extraction.objects.count(),
              sorted(Camera.objects.values_list("device__identifier", "authorisation_date")))
    load(actor=None, stdout=io.StringIO())
    assert before == (Camera.objects.count(), CameraAuthorisation.objects.count(), Extraction.objects.count(),
                      sorted(Camera.objects.values_list("device__identifier", "authorisation_date")))
