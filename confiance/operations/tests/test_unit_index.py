"""The per-process dispatch index: built once, then kept current by the units' live events, so a recommendation
reads no unit rows; rebuilt when its position in the outbox is lost."""

import pytest
from django.utils import timezone

from confiance.core.models import OutboxEvent
from confiance.operations.access import intervention_get_for_actor
from confiance.operations.dispatch import recommend
from confiance.operations.drafts import PositionFix
from confiance.operations.models import Unit
from confiance.operations.services.interventions import intervention_close, intervention_create, intervention_step_skip
from confiance.operations.services.positions import positions_store
from confiance.operations.services.units import assignment_engage, unit_set_status
from confiance.operations.tests.factories import call
from confiance.operations.unit_index import unit_index

pytestmark = pytest.mark.django_db


def _call(world):
    created = intervention_create(actor=world.operator, commune_id=world.commune.pk,
                                  draft=call(world, point=(48.5605, 2.4105)))
    return intervention_get_for_actor(actor=world.operator, intervention_id=created.pk)


def test_a_recommendation_reads_no_unit_rows(world, django_assert_num_queries):
    intervention = _call(world)
    first = recommend(intervention=intervention)
    # the active crisis sharings, the pooling agreements in force and the latest road import
    with django_assert_num_queries(3) as context:
        again = recommend(intervention=intervention)
    statements = " ".join(query["sql"] for query in context.captured_queries)
    assert Unit._meta.db_table not in statements and "operations_assignment" not in statements
    assert [c.name for c in again.candidates] == [c.name for c in first.candidates] == ["PM 1", "PM 2"]
    assert again.excluded == first.excluded and unit_index.rebuilds == 1


def test_the_index_follows_engagements_statuses_and_positions(world):
    intervention = _call(world)
    assert [c.name for c in recommend(intervention=intervention).candidates] == ["PM 1", "PM 2"]
    assignment_engage(actor=world.operator, intervention=intervention, unit=world.units[0])
    result = recommend(intervention=intervention)
    assert [c.name for c in result.candidates] == ["PM 2"]
    assert any(e["name"] == "PM 1" and e["reason"].startswith("engagée sur INT-") for e in result.excluded)
    positions_store([(world.units[2].pk, PositionFix(48.5606, 2.4106, timezone.now()), "osmand")])
    assert [c.name for c in recommend(intervention=intervention).candidates] == ["PM 3", "PM 2"]
    unit_set_status(actor=world.operator, unit=world.units[1], status_code="9")
    result = recommend(intervention=intervention)
    assert [c.name for c in result.candidates] == ["PM 3"]
    assert {"unit_id": world.units[1].pk, "name": "PM 2", "reason": "hors service", "reassignable": False,
            "engaged_here": False} in result.excluded
    steps = list(intervention.steps.filter(mandatory=True))
    for step in steps:
        intervention_step_skip(actor=world.operator, intervention=intervention, step_id=step.pk, reason="Sans objet")
    intervention_close(actor=world.operator, intervention=intervention, reason="traite")
    assert "PM 1" in {c.name for c in recommend(intervention=_call(world)).candidates}
    assert unit_index.rebuilds == 1


def test_the_index_is_rebuilt_when_its_position_is_lost(world):
    intervention = _call(world)
    recommend(intervention=intervention)
    Unit.objects.filter(pk=world.units[0].pk).update(lat=48.5, lon=2.2)  # a change without its event
    last = OutboxEvent.objects.order_by("-id").first().pk
    positions_store([(world.units[1].pk, PositionFix(48.556, 2.418, timezone.now()), "osmand")])
    positions_store([(world.units[1].pk, PositionFix(48.557, 2.418, timezone.now()), "osmand")])
    OutboxEvent.objects.filter(id__lte=last + 1).delete()  # purged past the index's position
    result = recommend(intervention=intervention)
    assert unit_index.rebuilds == 2
    assert [c.name for c in result.candidates] == ["PM 2", "PM 1"]  # PM 1 read again from the database
