"""Stream links and individual authorisations: only the agents individually authorised on a camera get its VMS
link, and only after the view (or export) went to the access log with its motive; anyone else gets no link, and
nothing is logged as viewed. Pages and the console layer never carry the link."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.tests.factories import make_agent
from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.devices.errors import DevicesError, DevicesErrorCode
from confiance.devices.models import CameraAuthorisation
from confiance.devices.services.cameras import (
    camera_authorisation_grant,
    camera_authorisation_revoke,
    camera_stream_open,
)
from confiance.devices.tests.camera_factories import make_camera
from confiance.privacy.choices import JournalKind
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True


@pytest.fixture
def setup(world):
    camera = make_camera(world.commune)
    chief = make_agent(communes=[world.commune], role="shift_supervisor", password=None)
    police = make_agent(communes=[world.commune], role="police_agent", password=None)
    operator = make_agent(communes=[world.commune], role="csu_operator", password=None)
    camera_authorisation_grant(actor=Actor(agent=chief), camera_id=camera.pk, agent=operator)
    return camera, chief, police, operator


def _views(camera):
    return AuditEntry.objects.filter(kind=JournalKind.ACCESS, target_type="devices.Camera", target_id=str(camera.pk))


def test_an_authorised_agent_gets_the_link_after_the_motive_is_logged(setup):
    camera, _chief, _police, operator = setup
    link = camera_stream_open(actor=Actor(agent=operator), camera_id=camera.pk, motive="Rixe signalée place Leclerc")
    assert link == camera.vms_url
    entry = _views(camera).get()
    assert entry.motive == "Rixe signalée place Leclerc" and entry.actor_id == operator.pk
    assert entry.commune_id == camera.device.commune_id and entry.extra["what"] == "view"


def test_an_agent_not_authorised_gets_no_link_and_nothing_is_logged_as_viewed(setup):
    camera, chief, police, _operator = setup
    for agent in (police, chief):  # even the chef de poste needs an individual authorisation
        with pytest.raises(DevicesError) as raised:
            camera_stream_open(actor=Actor(agent=agent), camera_id=camera.pk, motive="Simple curiosité")
        assert raised.value.code == DevicesErrorCode.CAMERA_NOT_AUTHORISED
    assert not _views(camera).exists()


def test_a_motive_is_required_and_without_it_nothing_is_logged(setup):
    camera, _chief, _police, operator = setup
    with pytest.raises(Exception):  # noqa: B017 - the access log's own refusal
        camera_stream_open(actor=Actor(agent=operator), camera_id=camera.pk, motive="  ")
    assert not _views(camera).exists()


def test_revoked_or_expired_authorisations_give_no_link(setup):
    camera, chief, _police, operator = setup
    grant = CameraAuthorisation.objects.get(agent=operator)
    camera_authorisation_revoke(actor=Actor(agent=chief), authorisation_id=grant.pk)
    with pytest.raises(DevicesError):
        camera_stream_open(actor=Actor(agent=operator), camera_id=camera.pk, motive="Après le retrait")
    camera_authorisation_grant(actor=Actor(agent=chief), camera_id=camera.pk, agent=operator,
                               valid_from=timezone.now() - timedelta(days=3),
                               valid_until=timezone.now() - timedelta(days=1))
    with pytest.raises(DevicesError):
        camera_stream_open(actor=Actor(agent=operator), camera_id=camera.pk, motive="Habilitation échue")
    assert not _views(camera).exists()


def test_another_communes_agent_does_not_even_find_the_camera(world, setup):
    camera, *_ = setup
    stranger = make_agent(communes=[world.other], role="shift_supervisor", password=None)
    with pytest.raises(NotFoundError):
        camera_stream_open(actor=Actor(agent=stranger), camera_id=camera.pk, motive="Hors de ma commune")
    with pytest.raises(NotFoundError):
        camera_authorisation_grant(actor=Actor(agent=stranger), camera_id=camera.pk, agent=stranger)
    assert not _views(camera).exists()


def test_only_a_manager_grants_and_only_to_an_agent_of_the_registry(world, setup):
    camera, chief, police, operator = setup
    with pytest.raises(PermissionDeniedError):
        camera_authorisation_grant(actor=Actor(agent=operator), camera_id=camera.pk, agent=police)
    technician = make_agent(communes=[world.commune], role="technical_agent", password=None)
    with pytest.raises(DevicesError):
        camera_authorisation_grant(actor=Actor(agent=chief), camera_id=camera.pk, agent=technician)
    assert AuditEntry.objects.filter(action="cameras.authorisation_grant").count() == 1


def _client(agent):
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    return client


def test_pages_never_show_the_link_and_the_stream_post_redirects_only_the_authorised(setup):
    camera, _chief, police, operator = setup
    for agent in (police, operator):
        page = _client(agent).get(f"/agents/cameras/{camera.pk}/").content.decode()
        assert camera.vms_url not in page
        state = _client(agent).get("/agents/cameras/console.json").content.decode()
        assert camera.vms_url not in state and "vms" not in state
    response = _client(operator).post(f"/agents/cameras/{camera.pk}/flux", {"motive": "Appel 17 : vol à l'arraché"})
    assert response.status_code == 302 and response["Location"] == camera.vms_url
    refused = _client(police).post(f"/agents/cameras/{camera.pk}/flux", {"motive": "Appel 17 : vol à l'arraché"},
                                   HTTP_ACCEPT="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == DevicesErrorCode.CAMERA_NOT_AUTHORISED
    assert _views(camera).count() == 1


def test_the_detail_page_says_who_is_authorised_to_a_manager(setup):
    camera, chief, _police, operator = setup
    page = _client(chief).get(f"/agents/cameras/{camera.pk}/").content.decode()
    assert operator.username in page and "Habilitations individuelles" in page
    assert "Ouvrir le flux" not in page  # the chef de poste is not authorised on it himself
