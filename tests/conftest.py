"""Browser fixtures: one demo server and one Chromium for every browser test of the run."""

from pathlib import Path

import pytest

from confiance.core.testing import PROJECT_ROOT, server_process, throwaway_database

OUTPUT = PROJECT_ROOT / "test-output"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    # This server lives the whole run (the best part of an hour on CI) without the simulator: the units' positions
    # loaded with the demo must not turn stale under the tests that dispatch them (staleness has its own tests).
    with throwaway_database(folder, {"CONFIANCE_POSITION_STALE_SECONDS": "86400"}) as env, \
            server_process(env) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium missing: apt-get install -y chromium (make browser-deps)"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        yield instance
        instance.close()


