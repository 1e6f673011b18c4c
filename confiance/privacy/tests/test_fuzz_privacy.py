"""Generated input over every page of the DPO, the RSSI and the public transparency page: never a 5xx.

Seeded and bounded like tests/test_fuzz_interfaces.py (FUZZ_EXAMPLES examples per page)."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.privacy.services.breaches import breach_record
from confiance.privacy.services.rights import rights_request_create
from confiance.privacy.tests.governance_factories import make_gov_world

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
NASTY = st.sampled_from(["0001-01-01T00:00:00", "9999-12-31", "2026-02-30", "²", "١٢", "999999999999999999",
                         str(2**63), "-1", "0", "nan", "a\x00b", "", " ", "%00", "[" * 50, "2026-05-01T10:00"])
VALUES = st.one_of(NASTY, st.text(max_size=30), st.integers().map(str))
GET_KEYS = ["commune", "agent", "target_type", "motive", "start", "end", "signalees", "page"]
POST_KEYS = ["commune", "kind", "requester_name", "requester_email", "requester_phone", "details", "received_at",
             "reason", "refused", "note", "discovered_at", "occurred_at", "description", "persons_count", "risk",
             "notification_text", "notified_at", "text", "adopted_on", "controller", "dpo_email"]


@pytest.fixture
def world(settings):
    settings.CONFIANCE_2FA_RELAXED = True
    world = make_gov_world()
    world.request = rights_request_create(actor=world.dpo, commune_id=world.commune.pk, kind="erasure",
                                          requester_email="jeanne.martin@example.org")
    from django.utils import timezone
    world.breach = breach_record(actor=world.dpo, commune_id=world.commune.pk, description="Clé perdue",
                                 discovered_at=timezone.now())
    return world


def _urls(world):
    return [reverse("privacy:home"), reverse("privacy:register"), reverse("privacy:register-csv"),
            reverse("privacy:register-pdf"), reverse("privacy:dpia", args=["reports.citizen_reports"]),
            reverse("privacy:dpia-download", args=["accounts.agents"]), reverse("privacy:requests"),
            reverse("privacy:request", args=[world.request.pk]), reverse("privacy:access-review"),
            reverse("privacy:access-review-csv"), reverse("privacy:access-review-pdf"), reverse("privacy:retention"),
            reverse("privacy:breaches"), reverse("privacy:breach", args=[world.breach.pk]),
            reverse("privacy:charter"), reverse("privacy:security"),
            reverse("privacy:transparency", args=[world.commune.insee_code])]


def _posts(world):
    return [reverse("privacy:register"), reverse("privacy:requests"),
            reverse("privacy:request", args=[world.request.pk]),
            reverse("privacy:request-extend", args=[world.request.pk]),
            reverse("privacy:request-close", args=[world.request.pk]),
            reverse("privacy:request-export", args=[world.request.pk, "json"]),
            reverse("privacy:request-export", args=[world.request.pk, "xml"]),
            reverse("privacy:breaches"), reverse("privacy:breach", args=[world.breach.pk]),
            reverse("privacy:charter")]


def test_every_page_answers_the_dpo_rssi_and_anonymous_without_5xx(client, world):
    for agent in (world.dpo.agent, world.rssi.agent, world.other_dpo.agent, None):
        client.logout()
        if agent is not None:
            client.force_login(agent)
        for url in _urls(world):
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)


def test_generated_query_strings_never_give_a_5xx(client, world):
    client.force_login(world.dpo.agent)
    urls = _urls(world)

    @FUZZ
    @given(index=st.integers(0, len(urls) - 1), params=st.dictionaries(st.sampled_from(GET_KEYS), VALUES,
                                                                       max_size=5))
    def check(index, params):
        response = client.get(urls[index], params)
        assert response.status_code < 500, (urls[index], params, response.content[:300])

    check()


def test_generated_forms_never_give_a_5xx(client, world):
    client.force_login(world.dpo.agent)
    posts = _posts(world)

    @FUZZ
    @given(index=st.integers(0, len(posts) - 1), data=st.dictionaries(st.sampled_from(POST_KEYS), VALUES,
                                                                      max_size=8))
    def check(index, data):
        response = client.post(posts[index], data)
        assert response.status_code < 500, (posts[index], data, response.content[:300])

    check()
    response = client.get(reverse("privacy:transparency", args=["x" * 300]))
    assert response.status_code == 404
