"""The intervention's record: its state follows its engagements, the caller is shown only to those who handle it
(each showing access-logged), the chronology tells everything in order, the sheet prints as PDF; the new endpoints
answer bad input with a French 4xx, never a 5xx."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from confiance.operations.choices import InterventionStatus
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.models import Intervention
from confiance.operations.selectors import intervention_chronology
from confiance.operations.services.interventions import (
    intervention_caller_read,
    intervention_close,
    intervention_create,
    intervention_step_done,
    intervention_step_skip,
)
from confiance.operations.services.logbook import log_entry_create
from confiance.operations.services.units import assignment_engage, assignment_milestone, unit_set_status
from confiance.operations.tests.factories import call, code_of, entry, make_actor, make_ops_world
from confiance.privacy.choices import JournalKind
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def _status(intervention) -> str:
    return Intervention.objects.get(pk=intervention.pk).status


def _with_caller(world):
    return intervention_create(actor=world.operator, commune_id=world.commune.pk,
                               draft=call(world, caller_name="Mme Durand", caller_phone="+33 6 12 34 56 78"))


def test_the_state_follows_the_engagements(world):
    intervention = _with_caller(world)
    assert _status(intervention) == InterventionStatus.OPEN
    first = assignment_engage(actor=world.operator, intervention=intervention, unit=world.units[0])
    assert _status(intervention) == InterventionStatus.IN_PROGRESS
    second = assignment_engage(actor=world.operator, intervention=intervention, unit=world.units[1])
    assignment_milestone(actor=world.operator, assignment=first, step="finished_at")
    assert _status(intervention) == InterventionStatus.IN_PROGRESS  # one unit still on it
    unit_set_status(actor=world.operator, unit=world.units[1], status_code="1")  # "disponible" ends the engagement
    second.refresh_from_db()
    assert second.finished_at is not None and _status(intervention) == InterventionStatus.OPEN


def test_a_unit_reassigned_away_leaves_its_intervention_waiting(world):
    first, other = _with_caller(world), _with_caller(world)
    assignment_engage(actor=world.operator, intervention=first, unit=world.units[0])
    assignment_engage(actor=world.operator, intervention=other, unit=world.units[0], override_reason="Plus urgent")
    assert _status(first) == InterventionStatus.OPEN and _status(other) == InterventionStatus.IN_PROGRESS


def test_closing_ends_the_engagements_and_stays_closed(world):
    intervention = _with_caller(world)
    assignment_engage(actor=world.operator, intervention=intervention, unit=world.units[0])
    for step in intervention.steps.filter(mandatory=True):
        intervention_step_done(actor=world.operator, intervention=intervention, step_id=step.pk)
    intervention_close(actor=world.operator, intervention=intervention, reason="traite")
    assert _status(intervention) == InterventionStatus.CLOSED


def test_the_caller_is_shown_to_its_handlers_only_and_each_showing_is_logged(world):
    intervention = _with_caller(world)
    assert intervention_caller_read(actor=world.operator, intervention=intervention) == {
        "name": "Mme Durand", "phone": "+33 6 12 34 56 78"}
    logged = AuditEntry.objects.filter(kind=JournalKind.ACCESS, target_id=str(intervention.pk))
    assert logged.count() == 1 and "Traitement de l'intervention" in logged.get().motive
    assert intervention_caller_read(actor=world.agent, intervention=intervention) is None  # not on it
    assert intervention_caller_read(actor=world.elected, intervention=intervention) is None
    crisis_partner = make_actor(communes=[world.other], role="csu_operator")
    assert intervention_caller_read(actor=crisis_partner, intervention=intervention) is None
    assignment_engage(actor=world.operator, intervention=intervention, unit=world.units[0])  # PM 1: world.agent
    assert intervention_caller_read(actor=world.agent, intervention=intervention)["name"] == "Mme Durand"
    assert logged.count() == 2


def test_a_wrong_phone_is_refused_in_french(world):
    with pytest.raises(OperationsError) as excinfo:
        intervention_create(actor=world.operator, commune_id=world.commune.pk,
                            draft=call(world, caller_phone="appelez-moi"))
    assert code_of(excinfo) == OperationsErrorCode.PHONE_INVALID and "Téléphone" in str(excinfo.value.message)


def test_the_chronology_tells_everything_in_order(world):
    intervention = _with_caller(world)
    assignment = assignment_engage(actor=world.operator, intervention=intervention, unit=world.units[0])
    assignment_milestone(actor=world.operator, assignment=assignment, step="en_route_at")
    assignment_milestone(actor=world.operator, assignment=assignment, step="on_scene_at")
    mandatory, optional = list(intervention.steps.order_by("id"))
    intervention_step_done(actor=world.operator, intervention=intervention, step_id=mandatory.pk)
    intervention_step_skip(actor=world.operator, intervention=intervention, step_id=optional.pk, reason="Nuit")
    log_entry_create(actor=world.agent, commune_id=world.commune.pk,
                     draft=entry(world, "Musique arrêtée à notre arrivée.", intervention_id=intervention.pk))
    intervention_close(actor=world.operator, intervention=intervention, reason="traite", note="RAS")
    events = intervention_chronology(Intervention.objects.get(pk=intervention.pk))
    kinds = [event["kind"] for event in events]
    assert kinds[0] == "call" and kinds[-1] == "closure"
    assert {"engagement", "milestone", "step", "note"} <= set(kinds)
    times = [event["at"] for event in events]
    assert times == sorted(times)
    texts = " | ".join(event["text"] for event in events)
    assert "PM 1 en route" in texts and "PM 1 sur place" in texts and "Photo des lieux, sautée : Nuit" in texts
    assert "Musique arrêtée" in texts and "Traitée - RAS" in texts and "Origine : Appel" in texts


def test_record_and_sheet_endpoints(world):
    intervention = _with_caller(world)
    operator = Client()
    operator.force_login(world.operator.agent)
    record = operator.get(f"/api/v1/operations/interventions/{intervention.pk}/record").json()
    assert record["caller"] == {"name": "Mme Durand", "phone": "+33 6 12 34 56 78"}
    assert record["chronology"][0]["label"] == "Ouverture" and record["intervention"]["number"] == intervention.number
    assert "caller_name" not in record["intervention"]  # the shared shape (lists, events, console) never has it
    listed = operator.get("/api/v1/operations/interventions").json()
    assert "Mme Durand" not in str(listed)
    sheet = operator.get(f"/api/v1/operations/interventions/{intervention.pk}/sheet.pdf")
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    assert sheet.content.startswith(b"%PDF")
    agent = Client()
    agent.force_login(world.agent.agent)
    assert agent.get(f"/api/v1/operations/interventions/{intervention.pk}/record").json()["caller"] is None
    other = Client()
    other.force_login(world.other_operator.agent)
    response = other.get(f"/api/v1/operations/interventions/{intervention.pk}/record")
    assert response.status_code == 404
    assert other.get(f"/api/v1/operations/interventions/{intervention.pk}/sheet.pdf").status_code == 404


def test_unit_statuses_and_status_change_endpoints(world):
    client = Client()
    client.force_login(world.operator.agent)
    base = f"/api/v1/operations/units/{world.units[1].pk}/"
    options = client.get(base + "statuses").json()
    assert [o["code"] for o in options] == ["1", "2", "3", "4", "6", "9"]
    assert options[0]["milestone_label"] == "Disponible"
    response = client.post(base + "status", {"status_code": "6"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status_label"] == "Indisponible"
    response = client.post(base + "status", {"status_code": "77"}, content_type="application/json")
    assert response.status_code == 400 and "Code de statut inconnu" in response.json()["message"]
    response = client.post(base + "status", {"status_code": "4"}, content_type="application/json")
    assert response.status_code == 409 and "engagement" in response.json()["message"]
    assert client.get(f"/api/v1/operations/units/{world.other_unit.pk}/statuses").status_code == 404
    response = client.post(f"/api/v1/operations/units/{world.other_unit.pk}/status", {"status_code": "1"},
                           content_type="application/json")
    assert response.status_code == 404


def test_bad_intervention_input_gets_french_errors(world):
    client = Client()
    client.force_login(world.operator.agent)
    payload = {"commune": "91386", "type_id": world.noise.pk, "lat": 48.56, "lon": 2.41}
    response = client.post("/api/v1/operations/interventions", {**payload, "caller_phone": "x" * 41},
                           content_type="application/json")
    assert response.status_code == 422
    response = client.post("/api/v1/operations/interventions", {**payload, "caller_phone": "abc"},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "operations_phone_invalid"
    assert client.get("/api/v1/operations/interventions/999999/record").status_code == 404
    assert client.get("/api/v1/operations/interventions/abc/sheet.pdf").status_code in (400, 404, 422)


class TestNewEndpointsNeverFail(HypothesisTestCase):
    """Whatever id or status code arrives, the new endpoints answer below 500, 4xx with a message."""

    @classmethod
    def setUpTestData(cls):
        cls.world = make_ops_world()
        cls.intervention = intervention_create(actor=cls.world.operator, commune_id=cls.world.commune.pk,
                                               draft=call(cls.world))

    def setUp(self):
        self.client = Client()
        self.client.force_login(self.world.operator.agent)

    def _check(self, response):
        assert response.status_code < 500, response.content[:300]
        if response.status_code >= 400:
            assert response.json()["message"]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(identifier=st.one_of(st.integers(min_value=-2**70, max_value=2**70).map(str),
                                st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)))
    def test_ids(self, identifier):
        from urllib.parse import quote

        identifier = quote(identifier, safe="") or "0"
        for path in (f"interventions/{identifier}/record", f"units/{identifier}/statuses"):
            self._check(self.client.get(f"/api/v1/operations/{path}"))

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(code=st.one_of(st.text(max_size=30), st.integers(), st.none(), st.lists(st.integers(), max_size=2)))
    def test_status_codes(self, code):
        unit = self.world.units[1]
        self._check(self.client.post(f"/api/v1/operations/units/{unit.pk}/status", {"status_code": code},
                                     content_type="application/json"))


def test_the_caller_goes_with_the_intervention_at_retention(world, tmp_path, settings):
    from datetime import timedelta

    from django.utils import timezone

    from confiance.privacy.services import retention_run

    settings.CONFIANCE_ARCHIVE_DIR = tmp_path
    old, recent = _with_caller(world), _with_caller(world)
    Intervention.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=365 * 3 + 10))
    retention_run(actor=None)
    assert list(Intervention.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Intervention.objects.filter(caller_name="Mme Durand", pk=old.pk).exists()
