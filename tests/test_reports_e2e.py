"""Citizen reports through a real server process: e-mails leave from the mail thread after commit."""

import time
from concurrent.futures import ThreadPoolExecutor
from email import message_from_string, policy

import httpx

from confiance.core.testing import server_process, throwaway_database


def _mails(folder) -> list:
    """Every message the file backend wrote (one file per connection, messages separated by a line of dashes)."""
    messages = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(message_from_string(chunk.strip(), policy=policy.default))
    return messages


def test_submissions_mail_their_reporters_once_each_from_the_mail_thread(tmp_path):
    with throwaway_database(tmp_path) as env, server_process(env) as base:
        def post(index: int) -> int:
            form = {"api_key": "demo-open311-key", "service_code": "eclairage", "lat": 48.5671 + index * 1e-4,
                    "long": 2.4364, "description": f"Lampadaire éteint n° {index}",
                    "email": f"habitant{index}@example.org"}
            return httpx.post(f"{base}/open311/v2/requests.json", data=form, timeout=30).status_code

        with ThreadPoolExecutor(6) as pool:
            assert list(pool.map(post, range(12))) == [201] * 12
        wanted = {f"habitant{index}@example.org" for index in range(12)}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            messages = _mails(tmp_path / "mail")
            received = [message["To"] for message in messages if message["To"] in wanted]
            if set(received) == wanted:
                break
            time.sleep(0.2)
        assert sorted(received) == sorted(wanted)  # each reporter once, none lost, none twice
        files = list((tmp_path / "mail").glob("*.log"))
        assert len(files) <= len(messages)  # a connection carries one message or more, never none
        receipts = [message for message in messages if message["To"] in wanted]
        assert all(str(message["Subject"]).strip().startswith("Signalement n° ") and "reçu" in message["Subject"]
                   for message in receipts)
