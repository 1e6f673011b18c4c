"""Live events through real server processes: in-process wake-up, resume, tenancy, Redis fan-out."""

import threading
import time

import httpx

from confiance.core.testing import login_client, parse_sse, server_process, throwaway_database
from conftest import require_service

PASSWORD = "confiance-demo"
SLOW_POLL = {"CONFIANCE_SSE_POLL_SECONDS": "60"}  # delivery within seconds then proves the wake-up worked


class StreamReader:
    """Reads an SSE stream in a thread and keeps the messages."""

    def __init__(self, client: httpx.Client, headers: dict | None = None):
        self.client, self.headers = client, headers or {}
        self.text, self.status = "", None
        self.opened = threading.Event()
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.opened.wait(10), "stream did not open"

    def _run(self):
        try:
            with self.client.stream("GET", "/live/events", headers=self.headers, timeout=30) as response:
                self.status = response.status_code
                for chunk in response.iter_text():
                    self.text += chunk
                    self.opened.set()
                    if self._stop:
                        return
        except httpx.HTTPError:
            pass  # the server stopped at the end of the test
        finally:
            self.opened.set()

    def messages(self):
        return parse_sse(self.text)

    def wait_for(self, event_type: str, timeout: float = 8.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages() if m.get("event") == event_type]
            if found:
                return found
            time.sleep(0.05)
        return []

    def stop(self):
        self._stop = True


def zone_payload(insee: str, name: str, lon: float, lat: float) -> dict:
    ring = [[lon, lat], [lon + 0.001, lat], [lon + 0.001, lat + 0.001], [lon, lat + 0.001], [lon, lat]]
    geometry = {"type": "Polygon", "coordinates": [ring]}
    return {"commune_insee": insee, "name": name, "kind": "autre", "geometry": geometry}


def create_zone(client: httpx.Client, insee: str, name: str) -> dict:
    lon, lat = {"91386": (2.44, 48.57), "91204": (2.40, 48.575)}[insee]
    response = client.post("/api/v1/territory/zones", json=zone_payload(insee, name, lon, lat),
                           headers={"X-CSRFToken": client.cookies["csrftoken"]})
    assert response.status_code == 201, response.text
    return response.json()


def test_stream_in_one_process_wakes_filters_and_resumes(tmp_path):
    with throwaway_database(tmp_path, SLOW_POLL) as env, server_process(env) as base:
        refused = httpx.get(f"{base}/live/events", timeout=5)
        assert refused.status_code == 401 and refused.json()["code"] == "not_authenticated"
        forged = httpx.get(f"{base}/live/events", headers={"Authorization": "Bearer cft_0000_nope"}, timeout=5)
        assert forged.status_code == 401 and forged.json()["code"] == "token_invalid"
        chief = login_client(base, "chef", PASSWORD)
        operator_stream = StreamReader(login_client(base, "operateur", PASSWORD))
        police_stream = StreamReader(login_client(base, "policier", PASSWORD))  # Mennecy and Ormoy only
        started = time.monotonic()
        create_zone(chief, "91386", "Parvis de la mairie")
        create_zone(chief, "91204", "Berges")
        created = operator_stream.wait_for("territory.zone_created")
        assert time.monotonic() - started < 5
        assert len(operator_stream.wait_for("territory.zone_created")) >= 1
        time.sleep(0.5)
        names_seen_by_police = [m["data"]["payload"]["name"] for m in police_stream.messages()]
        assert names_seen_by_police == ["Parvis de la mairie"]  # not the Echarcon zone
        first_id = created[0]["id"]
        operator_stream.stop()
        police_stream.stop()
        # Resume: a reconnection with Last-Event-ID gets what came after, and nothing before.
        resumed = StreamReader(login_client(base, "operateur", PASSWORD), {"Last-Event-ID": first_id})
        backlog = resumed.wait_for("territory.zone_created", timeout=3)
        assert [m["data"]["payload"]["name"] for m in backlog] == ["Berges"]
        resumed.stop()


def test_redis_wakes_the_streams_of_another_server_process(tmp_path, redis_url):
    require_service("redis")
    env_extra = {**SLOW_POLL, "REDIS_URL": redis_url}
    with throwaway_database(tmp_path, env_extra) as env, server_process(env) as first, server_process(env) as second:
        stream = StreamReader(login_client(first, "operateur", PASSWORD))
        chief_on_second = login_client(second, "chef", PASSWORD)
        started = time.monotonic()
        create_zone(chief_on_second, "91386", "Place du marché")
        received = stream.wait_for("territory.zone_created", timeout=10)
        elapsed = time.monotonic() - started
        stream.stop()
        assert [m["data"]["payload"]["name"] for m in received] == ["Place du marché"]
        assert elapsed < 5, f"took {elapsed:.1f} s: the Redis wake-up did not reach the other process"


def run_confiance(env: dict, *args: str) -> str:
    import subprocess

    from confiance.core.testing import CONFIANCE, PROJECT_ROOT

    return subprocess.run([CONFIANCE, *args], env=env, check=True, capture_output=True, text=True,
                          cwd=PROJECT_ROOT).stdout.strip()


def test_a_stream_ends_at_the_next_heartbeat_once_its_rights_change(tmp_path):
    """Token revoked, agent deactivated, membership changed: each stream says reset and delivers nothing new."""
    fast = {**SLOW_POLL, "CONFIANCE_SSE_HEARTBEAT_SECONDS": "1"}
    with throwaway_database(tmp_path, fast) as env, server_process(env) as base:
        secret = run_confiance(env, "token_create", "operateur", "--name", "console murale", "--commune", "91386",
                               "--permission", "live.view", "--permission", "territory.view")
        token_stream = StreamReader(httpx.Client(base_url=base), {"Authorization": f"Bearer {secret}"})
        deactivated = StreamReader(login_client(base, "technicien", PASSWORD))
        moved = StreamReader(login_client(base, "policier", PASSWORD))
        logged_out_client = login_client(base, "elu", PASSWORD)
        logged_out = StreamReader(logged_out_client)
        control = StreamReader(login_client(base, "operateur", PASSWORD))
        time.sleep(1.5)  # a heartbeat passes: nothing has changed, every stream stays open
        streams = (token_stream, deactivated, moved, logged_out)
        assert all(not stream.wait_for("reset", timeout=0.1) for stream in (*streams, control))

        run_confiance(env, "token_revoke", secret.split("_")[1])
        run_confiance(env, "shell", "-c", (
            "from confiance.accounts.models import Agent, Membership; "
            "a = Agent.objects.get(username='technicien'); a.is_active = False; a.save(); "
            "Membership.objects.filter(agent__username='policier', commune__insee_code='91468').delete()"))
        logged_out_client.post("/comptes/deconnexion/",
                               data={"csrfmiddlewaretoken": logged_out_client.cookies["csrftoken"]})
        resets = [stream.wait_for("reset", timeout=5) for stream in streams]
        assert [[m["data"]["reason"] for m in found] for found in resets] == [["access_changed"]] * 4
        create_zone(login_client(base, "chef", PASSWORD), "91386", "Après la révocation")
        assert control.wait_for("territory.zone_created")  # the unchanged stream still delivers
        for stream in streams:
            assert not [m for m in stream.messages() if m.get("event") == "territory.zone_created"]
        control.stop()
        # The revoked token cannot open a new stream either.
        again = httpx.get(f"{base}/live/events", headers={"Authorization": f"Bearer {secret}"}, timeout=5)
        assert again.status_code == 401 and again.json()["code"] == "token_revoked"
