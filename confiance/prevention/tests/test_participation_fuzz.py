"""Generated input over every page and public form of Participation citoyenne and the réserve: never a 5xx, and a
refused input changes nothing it should not. Seeded and bounded like tests/test_fuzz_interfaces.py."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.prevention.drafts import MissionDraft, MobilisationDraft, VolunteerDraft
from confiance.prevention.links import answer_token
from confiance.prevention.models import MobilisationAnswer, Observation, Referent
from confiance.prevention.services.reserve import mission_assign, mission_create, mobilisation_start, volunteer_enrol
from confiance.prevention.tests.participation_world import make_world

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
NASTY = st.sampled_from([
    "0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00", "²", "١٢", "999999999999999999", str(2**63), "-1",
    "0", "1e308", "nan", "inf", "-inf", "a\x00b", "", " ", "%00", "[" * 50, "x" * 5000, "48.555", "2.405",
])
VALUES = st.one_of(NASTY, st.text(max_size=30), st.integers().map(str), st.floats().map(str))
OBSERVATION_KEYS = ["kind", "occurred_at", "lat", "lon", "address", "vehicle_type", "vehicle_colour", "direction",
                    "text", "confirm_text"]
AGENT_FORMS = {
    "prevention:protocol_create": ["commune", "signed_on", "mayor", "prefect", "force", "commander", "contact_email",
                                   "share_referent_contact"],
    "prevention:referent_create": ["sector", "first_name", "last_name", "email", "phone"],
    "prevention:message_send": ["target", "subject", "body"],
    "prevention:volunteer_create": ["commune", "first_name", "last_name", "email", "phone", "skills", "availability"],
    "prevention:mobilisation_create": ["commune", "title", "message", "crisis", "skills"],
    "prevention:mission_create": ["commune", "title", "place", "starts_at", "ends_at", "mobilisation"],
}


def form(keys):
    return st.dictionaries(st.sampled_from(keys), VALUES, max_size=len(keys))


@pytest.fixture
def fresh_world():
    """One world per test (the generated cases of a test share it)."""
    world = make_world()
    volunteer = volunteer_enrol(actor=world.elected, commune_id=world.commune.pk, draft=VolunteerDraft(
        first_name="Marc", last_name="Durand", email="marc@example.test"))
    world.mobilisation = mobilisation_start(actor=world.elected, commune_id=world.commune.pk,
                                            draft=MobilisationDraft(title="Crue", message="Venez."))
    world.mission = mission_create(actor=world.elected, commune_id=world.commune.pk, draft=MissionDraft(
        title="Accueil", starts_at=world.mobilisation.created_at))
    world.assignment = mission_assign(actor=world.elected, mission=world.mission, volunteer_id=volunteer.pk)
    world.answer = answer_token(world.mobilisation.pk, volunteer.pk)
    return world


@FUZZ
@given(data=form(OBSERVATION_KEYS))
def test_referent_page_never_fails(client, fresh_world, data):
    response = client.post(reverse("prevention:referent_page", args=[fresh_world.token]), data)
    assert response.status_code < 500, response.content[:300]
    # whatever was accepted is a fact of the referent's own sector, with values from the closed lists
    for observation in Observation.objects.filter(referent=fresh_world.referent):
        assert observation.sector_id == fresh_world.sector_a.pk and observation.kind


@FUZZ
@given(token=VALUES, answer=VALUES)
def test_public_links_never_fail(client, fresh_world, token, answer):
    for name in ("prevention:referent_page", "prevention:reserve_answer"):
        path = "/participation/r/" if name == "prevention:referent_page" else "/reserve/reponse/"
        url = path + token.replace("/", "_").replace("?", "_").replace("#", "_") + "/"
        assert client.get(url).status_code < 500
    response = client.post(reverse("prevention:reserve_answer", args=[fresh_world.answer]), {"answer": answer})
    assert response.status_code < 500
    assert not MobilisationAnswer.objects.exclude(answer__in=["disponible", "indisponible"]).exists()


@FUZZ
@given(name=st.sampled_from(sorted(AGENT_FORMS)), data=st.data())
def test_agents_forms_never_fail(client, fresh_world, name, data):
    payload = data.draw(form(AGENT_FORMS[name]))
    for actor in (fresh_world.elected, fresh_world.agent, fresh_world.technician):
        client.force_login(actor.agent)
        assert client.post(reverse(name), payload).status_code < 500


@FUZZ
@given(number=st.one_of(st.integers(min_value=0, max_value=2**70), st.sampled_from([0, 1, 2**63, 2**63 - 1])),
       data=form(["reason", "status", "note", "action", "type", "volunteer", "hours"]))
def test_pages_with_ids_never_fail(client, fresh_world, number, data):
    client.force_login(fresh_world.elected.agent if number % 2 else fresh_world.agent.agent)
    for name in ("prevention:referent_revoke", "prevention:referent_renew", "prevention:observation",
                 "prevention:volunteer_leave", "prevention:mobilisation", "prevention:mission_assign",
                 "prevention:assignment_hours"):
        url = reverse(name, args=[number])
        assert client.post(url, data).status_code < 500
        if name in ("prevention:observation", "prevention:mobilisation"):
            assert client.get(url).status_code < 500
    assert Referent.objects.filter(pk=fresh_world.referent.pk).exists()
