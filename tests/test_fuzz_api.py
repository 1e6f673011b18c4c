"""Schemathesis over /api/v1/openapi.json, in process (WSGI), bounded and seeded: no input gets a 5xx.

Every operation of the schema is driven twice: with a bearer token holding every permission on every commune, and
with the session of an administrator (CSRF cookie and header sent, second factor relaxed). Any answer of 500 or more
fails the test with the request that caused it. FUZZ_EXAMPLES raises the number of examples per operation.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import time
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.overrides import Override

from confiance.accounts.choices import Permission, Role
from confiance.accounts.services import api_token_create, membership_grant
from confiance.accounts.tests.factories import make_agent
from confiance.territory.demo_data import load as load_territory
from confiance.territory.models import Commune

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
COVERAGE_CAP = int(os.environ.get("FUZZ_COVERAGE_CAP", "25"))  # coverage cases per operation (token mode)
BOTH = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
CSRF = "f" * 32


@pytest.fixture
def api_world(settings):
    settings.CONFIANCE_2FA_RELAXED = True
    load_territory(actor=None, stdout=io.StringIO())
    communes = list(Commune.objects.all())
    agent = make_agent(username="fuzz-admin", superuser=True, password=None)
    for commune in communes:
        membership_grant(actor=None, agent=agent, commune=commune, role=Role.ADMINISTRATOR)
    issued = api_token_create(actor=None, agent=agent, name="fuzz", communes=communes,
                              permissions=[p.value for p in Permission])
    return agent, issued.secret


def _session_cookie(client, agent) -> str:
    client.force_login(agent)
    return client.cookies["sessionid"].value


def _drive(schema, label: str, headers: dict[str, str], cookies: dict[str, str],
           coverage: list[GenerationMode]) -> tuple[list[str], Counter]:
    """Every operation: schemathesis' coverage cases (boundaries, out-of-range and wrongly typed values, in a
    fixed order; at most COVERAGE_CAP, token mode only), then EXAMPLES seeded random cases, valid and invalid."""
    failures: list[str] = []
    statuses: Counter = Counter()

    def call(operation, case) -> None:
        case.headers = {key: value for key, value in (case.headers or {}).items() if key.lower() != "authorization"}
        case.cookies = {**(case.cookies or {}), **cookies}
        response = case.call(headers=headers)
        statuses[response.status_code // 100] += 1
        if response.status_code >= 500:
            failures.append(f"{label} {operation.method.upper()} {operation.path} -> {response.status_code}: "
                            f"{case.as_curl_command()}")

    for result in schema.get_all_operations():
        operation = result.ok()
        if coverage:
            for case in itertools.islice(CoverageGenerator(
                    operation=operation, generation_modes=coverage, auth_storage=None, override=Override(),
                    generation_config=schema.config.generation_for(operation=operation, phase="coverage"),
                    feedback=FeedbackSources()), COVERAGE_CAP):
                call(operation, case)
        _fuzz(operation, call)
    return failures, statuses


def _fuzz(operation, call) -> None:
    cases = st.one_of(*(operation.as_strategy(mode) for mode in BOTH))

    @given(case=cases)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case):
        call(operation, case)

    run()


@pytest.fixture
def keep_connection():
    """Requests go through the WSGI handler directly: keep it from closing the test's database connection at the
    start and end of each request, as Django's test client does. (On PostgreSQL the connection inside the test's
    transaction is not in autocommit, so `close_old_connections` would close it at the next request; SQLite's
    in-memory test database ignores a close, which is why only PostgreSQL saw "the connection is closed".)"""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_input_gets_a_server_error_from_the_api(api_world, client, keep_connection):
    agent, secret = api_world
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    started = time.monotonic()
    failures, by_token = _drive(schema, "token", {"Authorization": f"Bearer {secret}"}, {}, BOTH)
    session = _session_cookie(client, agent)
    more, by_session = _drive(schema, "session", {"X-CSRFToken": CSRF}, {"sessionid": session, "csrftoken": CSRF},
                              [])
    print(f"schemathesis: coverage cases and {EXAMPLES} examples per operation and mode in "
          f"{time.monotonic() - started:.1f} s; token {dict(by_token)}, session {dict(by_session)}")
    assert not failures + more, "\n".join(dict.fromkeys(failures + more))
    # Both modes got through authentication: some answers are successes, not every one a 401/403.
    assert by_token[2] > 20 and by_session[2] > 20


def test_the_api_examples_of_the_issue_are_refused_not_server_errors(api_world, client):
    _agent, secret = api_world
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    deep = "[" * 5000 + "]" * 5000
    posts = [("/api/v1/reports", {"lat": 48.55, "lon": 2.40, "service_code": "voirie", "description": "a\x00b"}),
             ("/api/v1/reports", deep),
             ("/api/v1/operations/log-entries", {"commune": "91386", "nature_id": 1, "source": "appel",
                                                 "text": "x", "occurred_at": "0001-01-01T00:00:00"}),
             ("/api/v1/operations/log-entries", {"commune": "91386", "nature_id": 2**63, "source": "appel",
                                                 "text": "x"}),
             ("/api/v1/operations/interventions/1/engage", {"unit_id": 1, "recommended_rank": 2**63})]
    for path, body in posts:
        payload = body if isinstance(body, str) else json.dumps(body)
        response = client.post(path, payload, content_type="application/json", **auth)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.content[:300])
    for path in ["/api/v1/privacy/audit?page=999999999999999999", "/api/v1/reports?page=85737988758521593856",
                 "/api/v1/reports/99999999999999999999", "/api/v1/territory/zones/9223372036854775808"]:
        response = client.get(path, **auth)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.content[:300])
