"""Query counts of every operations list page and list endpoint, measured and kept as baselines (NetBox's habit):
the count must not grow with the number of rows, so each is measured over several rows of each kind."""

import pytest
from django.test import Client
from django.utils import timezone

from confiance.operations.drafts import PersonDraft
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.logbook import log_entry_create
from confiance.operations.services.units import assignment_engage, assignment_milestone
from confiance.operations.tests.factories import call, entry

pytestmark = pytest.mark.django_db

# (path, query string, baseline) measured on 2026-12-01 with 3 units, 2 engaged interventions and 3 entries (the
# same with 8 entries): the session, the agent and its memberships are counted with the page's own reads.
BASELINES = [
    ("/agents/console/etat.json", {}, 16),
    # HTML pages: + the crisis banner's one read
    ("/agents/main-courante/", {"commune": "91386"}, 16),  # + the day's visa, + the corrections of the entries
    ("/agents/interventions/delais/", {}, 12),
    ("/api/v1/operations/units", {}, 11),
    ("/api/v1/operations/interventions", {}, 9),
    ("/api/v1/operations/log-entries", {}, 9),
]


@pytest.fixture
def busy_world(world):
    for number in range(3):
        log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(
            world, f"Tapage n° {number}.", persons=[PersonDraft(role="temoin", last_name=f"Durand {number}")]))
    for unit in world.units[:2]:
        intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
        assignment = assignment_engage(actor=world.operator, intervention=intervention, unit=unit)
        assignment_milestone(actor=world.operator, assignment=assignment, step="on_scene_at", at=timezone.now())
    return world


@pytest.mark.parametrize("path, query, baseline", BASELINES, ids=[row[0] for row in BASELINES])
def test_list_query_count(busy_world, django_assert_num_queries, path, query, baseline):
    client = Client()
    client.force_login(busy_world.operator.agent)
    with django_assert_num_queries(baseline):
        response = client.get(path, query)
    assert response.status_code == 200
