"""`make demo` stops on Ctrl-C with every process gone and no crash (it ended on a segmentation fault of its shell)."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from confiance.core.testing import CONFIANCE, PROJECT_ROOT, free_port, service_reachable, throwaway_database


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    with throwaway_database(tmp_path_factory.mktemp("demo-run")) as env:
        yield env


def test_ctrl_c_stops_every_demo_process_cleanly(demo_env):
    port, folder = free_port(), Path(demo_env["CONFIANCE_DATA_DIR"])
    output = open(folder / "demo.out", "w")  # noqa: SIM115
    # A session of its own, as a terminal gives `make demo`: the Ctrl-C goes to the whole foreground group.
    demo = subprocess.Popen([CONFIANCE, "demo", "run", "--port", str(port)], env=demo_env, cwd=PROJECT_ROOT,
                            stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not service_reachable("127.0.0.1", port, 0.2):
            assert demo.poll() is None, (folder / "demo.out").read_text()
            assert time.monotonic() < deadline, "the demo server did not start"
            time.sleep(0.2)
        time.sleep(2)  # the simulator takes its first step
        children = _children_of(demo.pid)
        assert len(children) >= 4  # simulator, two sweeps, server
        os.killpg(demo.pid, signal.SIGINT)
        assert demo.wait(timeout=30) == 0
    finally:
        if demo.poll() is None:
            demo.kill()
        output.close()
    text = (folder / "demo.out").read_text()
    assert not [pid for pid in children if _alive(pid)]
    assert not service_reachable("127.0.0.1", port, 0.2)
    assert "Segmentation" not in text and "Traceback" not in text
    assert "Démo arrêtée." in text
    log = folder / "simulation.log"
    assert f"Journal du simulateur : {log}" in text
    assert "Simulateur :" in log.read_text()  # its output in its own log, not mixed with the server's
    assert "Simulateur :" not in text


def test_a_child_that_dies_stops_the_others_and_the_demo_fails(demo_env, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        demo = subprocess.run([CONFIANCE, "demo", "run", "--port", str(port), "--log", str(tmp_path / "sim.log")],
                              env=demo_env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=90)
    assert demo.returncode != 0
    assert "Arrêt de la démo : serveur s'est arrêté." in demo.stderr


def test_makefile_demo_runs_the_supervisor_without_a_self_signalling_trap():
    recipe = (PROJECT_ROOT / "Makefile").read_text().split("\ndemo: install", 1)[1].split("\n\n", 1)[0]
    assert "confiance demo run" in recipe
    assert "kill 0" not in recipe
