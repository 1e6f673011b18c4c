"""The legal bases of video analytics, recorded without the Django admin by those who manage the cameras: the list,
a basis recorded (then events are accepted on its cameras), and bad input answered in French with nothing stored."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from confiance.accounts.tests.factories import make_agent
from confiance.devices.models import VideoAnalyticsBasis
from confiance.devices.tests.video_support import make_video_world
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db
PAGE = "/agents/video-analyse/cadres-legaux/"
FORMAT = "%Y-%m-%dT%H:%M"


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True


@pytest.fixture
def bases(world):
    video = make_video_world(world)
    video.chief = make_agent(communes=[world.commune], role="shift_supervisor", password=None)
    video.operator = make_agent(communes=[world.commune], role="csu_operator", password=None)
    return video


def client_for(agent) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    return client


def posted(video, **changes):
    now = timezone.localtime()
    data = {"commune": video.commune.pk, "legal_text": "Arrêté préfectoral n° 2026-VA-12 (loi 2023-380, art. 10).",
            "starts_at": now.strftime(FORMAT), "ends_at": (now + timedelta(days=90)).strftime(FORMAT),
            "cameras": [video.uncovered.pk]}
    data.update(changes)
    return data


def test_a_camera_manager_lists_the_bases_of_their_communes_and_records_one(bases):
    client = client_for(bases.chief)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert [basis.commune_id for basis in page.context["bases"]] == [bases.commune.pk]
    assert {pk for pk, _label in page.context["form"].fields["cameras"].choices} == {bases.camera.pk,
                                                                                    bases.uncovered.pk}
    response = client.post(PAGE, posted(bases))
    assert response.status_code == 302
    basis = VideoAnalyticsBasis.objects.get(legal_text__startswith="Arrêté préfectoral n° 2026-VA-12")
    assert list(basis.cameras.values_list("pk", flat=True)) == [bases.uncovered.pk]
    assert basis.recorded_by == bases.chief
    assert AuditEntry.objects.filter(action="devices.video_basis_record").count() == 1
    assert "2026-VA-12" in client.get(PAGE).content.decode()


def test_an_operator_without_the_camera_management_is_refused(bases):
    client = client_for(bases.operator)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, posted(bases)).status_code == 403
    assert VideoAnalyticsBasis.objects.count() == 2


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"legal_text": "   "}, "legal_text", "Ce champ est obligatoire."),
    ({"legal_text": "x" * 2001}, "legal_text", "au plus 2000 caractères"),
    ({"ends_at": "hier"}, "ends_at", "Saisissez une date et une heure valides."),
    ({"starts_at": "2026-03-01T10:00", "ends_at": "2026-03-01T09:00"}, "ends_at", "doit suivre son début"),
    ({"cameras": []}, "cameras", "Ce champ est obligatoire."),
    ({"cameras": ["999999"]}, "cameras", "Sélectionnez un choix valide."),
    ({"cameras": ["abc"]}, "cameras", "Sélectionnez un choix valide."),
    ({"commune": "0"}, "commune", "Sélectionnez un choix valide."),
    ({"starts_at": "9999-12-31T23:59"}, "starts_at", ""),
])
def test_bad_input_is_answered_in_french_and_nothing_is_stored(bases, changes, field, message):
    response = client_for(bases.chief).post(PAGE, posted(bases, **changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert VideoAnalyticsBasis.objects.count() == 2


def test_another_communes_camera_is_refused(bases):
    """The other commune's camera is not offered; posting it anyway is refused by the form's choices."""
    response = client_for(bases.chief).post(PAGE, posted(bases, cameras=[bases.other_camera.pk]))
    assert response.status_code == 400 and "cameras" in response.context["form"].errors
    assert VideoAnalyticsBasis.objects.count() == 2
