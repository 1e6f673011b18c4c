"""Pages of Participation citoyenne and of the réserve: the referent's phone page, the agents' pages by role."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from confiance.prevention.drafts import MobilisationDraft, VolunteerDraft
from confiance.prevention.links import answer_token
from confiance.prevention.models import MobilisationAnswer, Observation
from confiance.prevention.services.participation import observation_submit
from confiance.prevention.services.reserve import mobilisation_start, volunteer_enrol
from confiance.prevention.tests.participation_world import IN_A, IN_B, make_world, observation_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def post_observation(client, token, **changes):
    data = {"kind": "vehicule_reperage", "lat": IN_A[0], "lon": IN_A[1], "address": "Rue de la Poste",
            "vehicle_type": "voiture", "vehicle_colour": "gris", "direction": "sud",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "text": ""} | changes
    return client.post(reverse("prevention:referent_page", args=[token]), data)


def test_referent_posts_an_observation_from_their_page(client, world):
    page = client.get(reverse("prevention:referent_page", args=[world.token]))
    assert page.status_code == 200 and "Secteur A" in page.content.decode()
    # no field about a person on the form
    names = set(re.findall(r'name="([a-z_]+)"', page.content.decode()))
    assert names >= {"kind", "lat", "lon", "vehicle_type", "vehicle_colour", "direction", "text"}
    assert not names & {"name", "age", "gender", "sexe", "origin", "clothing", "height", "description_person"}
    response = post_observation(client, world.token)
    assert response.status_code == 302 and Observation.objects.count() == 1
    assert "Reçue" in client.get(response["Location"]).content.decode()


def test_referent_is_warned_about_a_name_and_may_confirm(client, world):
    response = post_observation(client, world.token, text="J'ai reconnu M. Bernard au volant.")
    assert response.status_code == 422 and "nom d&#x27;une personne" in response.content.decode()
    assert 'name="confirm_text"' in response.content.decode() and not Observation.objects.exists()
    response = post_observation(client, world.token, text="J'ai reconnu M. Bernard au volant.", confirm_text="on")
    assert response.status_code == 302 and Observation.objects.get().sensitive_confirmed == ["nom"]


def test_referent_outside_their_sector_is_refused_on_the_page(client, world):
    response = post_observation(client, world.token, lat=IN_B[0], lon=IN_B[1])
    assert response.status_code == 200 and "pas dans votre secteur" in response.content.decode()
    assert not Observation.objects.exists()


def test_a_changed_link_shows_nothing(client, world):
    response = client.get(reverse("prevention:referent_page", args=[world.token[:-2] + "xx"]))
    assert response.status_code == 404 and "Claire" not in response.content.decode()


def test_the_police_page_shows_observations_the_elected_page_does_not(client, world):
    observation_submit(referent=world.referent, draft=observation_draft())
    client.force_login(world.agent.agent)
    page = client.get(reverse("prevention:participation")).content.decode()
    assert "Véhicule qui semble faire des repérages" in page and "obs-map" in page
    detail = client.get(reverse("prevention:observation", args=[Observation.objects.get().pk]))
    assert detail.status_code == 200
    client.force_login(world.elected.agent)
    page = client.get(reverse("prevention:participation")).content.decode()
    assert "Claire" in page and "Véhicule qui semble faire des repérages" not in page
    assert client.get(reverse("prevention:observation", args=[Observation.objects.get().pk])).status_code == 403


def test_the_console_panel_lists_the_observations_to_handle_for_the_police_only(client, world):
    observation_submit(referent=world.referent, draft=observation_draft())
    client.force_login(world.agent.agent)
    state = client.get(reverse("prevention:observations-console"))
    assert state.status_code == 200
    body = state.json()
    assert body["waiting"] == 1 and body["observations"][0]["kind"] == "Véhicule qui semble faire des repérages"
    assert "Claire" not in state.content.decode()  # nothing of the referent
    client.force_login(world.operator.agent)
    console = client.get(reverse("operations:console")).content.decode()
    assert 'id="observations-console"' in console and "console-observations.js" in console
    client.force_login(world.elected.agent)
    assert client.get(reverse("prevention:observations-console")).status_code == 403


def test_technicians_are_refused_every_page(client, world):
    client.force_login(world.technician.agent)
    for name in ("prevention:participation", "prevention:reserve"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("prevention:referent_create"), {}).status_code == 403
    assert client.post(reverse("prevention:referent_revoke", args=[world.referent.pk])).status_code == 404


def test_elected_names_a_referent_and_sees_the_link_once(client, world):
    client.force_login(world.elected.agent)
    response = client.post(reverse("prevention:referent_create"), {
        "sector": world.sector_b.pk, "first_name": "Paul", "last_name": "Durand", "email": "paul@example.test"})
    assert response.status_code == 302
    page = client.get(reverse("prevention:participation")).content.decode()
    assert "/participation/r/" in page
    assert "/participation/r/" not in client.get(reverse("prevention:participation")).content.decode()


def test_reserve_pages_and_the_answer_link(client, world):
    volunteer = volunteer_enrol(actor=world.elected, commune_id=world.commune.pk, draft=VolunteerDraft(
        first_name="Marc", last_name="Durand", email="marc@example.test"))
    mobilisation = mobilisation_start(actor=world.elected, commune_id=world.commune.pk,
                                      draft=MobilisationDraft(title="Crue", message="Venez au gymnase."))
    url = reverse("prevention:reserve_answer", args=[answer_token(mobilisation.pk, volunteer.pk)])
    assert "Venez au gymnase" in client.get(url).content.decode()
    assert client.post(url, {"answer": "disponible"}).status_code == 302
    assert MobilisationAnswer.objects.get().answer == "disponible"
    client.force_login(world.elected.agent)
    assert "Durand" in client.get(reverse("prevention:reserve")).content.decode()
    page = client.get(reverse("prevention:mobilisation", args=[mobilisation.pk])).content.decode()
    assert 'id="count-available">1<' in page
    client.force_login(world.other_elected.agent)
    assert client.get(reverse("prevention:mobilisation", args=[mobilisation.pk])).status_code == 404


def test_home_reminds_the_elected_of_the_protocols_renewal(client, world):
    from datetime import timedelta

    from confiance.prevention.models import ParticipationProtocol

    ParticipationProtocol.objects.update(signed_on=timezone.localdate() - timedelta(days=3 * 365 - 20))
    client.force_login(world.elected.agent)
    page = client.get(reverse("console:home")).content.decode()
    assert 'data-role-block="participation"' in page and "prend fin" in page
    client.force_login(world.technician.agent)
    assert 'data-role-block="participation"' not in client.get(reverse("console:home")).content.decode()


def test_list_pages_query_counts_do_not_grow_with_rows(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(name, who):
        client.force_login(who.agent)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200
        return len(queries)

    for _ in range(2):
        observation_submit(referent=world.referent, draft=observation_draft())
    volunteer_enrol(actor=world.elected, commune_id=world.commune.pk, draft=VolunteerDraft(
        first_name="A", last_name="B", email="a@example.test"))
    few = count("prevention:participation", world.agent), count("prevention:reserve", world.elected)
    for index in range(6):
        observation_submit(referent=world.referent, draft=observation_draft())
        volunteer_enrol(actor=world.elected, commune_id=world.commune.pk, draft=VolunteerDraft(
            first_name="A", last_name=f"B{index}", email=f"a{index}@example.test", skills=["radio"]))
    many = count("prevention:participation", world.agent), count("prevention:reserve", world.elected)
    assert many == few


def test_the_referent_page_and_the_answer_link_are_rate_limited(client, world, settings):
    settings.CONFIANCE_RATE_LIMITS = {**settings.CONFIANCE_RATE_LIMITS, "referent_page": {"ip": "", "account": "2/h"},
                                      "reserve_answer": {"ip": "1/m"}}
    assert [post_observation(client, world.token).status_code for _ in range(3)] == [302, 302, 429]
    assert Observation.objects.count() == 2
    volunteer = volunteer_enrol(actor=world.elected, commune_id=world.commune.pk, draft=VolunteerDraft(
        first_name="Marc", last_name="Durand", email="marc@example.test"))
    mobilisation = mobilisation_start(actor=world.elected, commune_id=world.commune.pk,
                                      draft=MobilisationDraft(title="Crue", message="Venez."))
    url = reverse("prevention:reserve_answer", args=[answer_token(mobilisation.pk, volunteer.pk)])
    assert [client.post(url, {"answer": "disponible"}).status_code for _ in range(2)] == [302, 429]
    assert MobilisationAnswer.objects.count() == 1
