"""Socket Mode liveness: /healthz and the heartbeat file follow the websocket's state."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.liveness import Liveness, LivenessSettings, start_liveness
from bot.settings import SettingsError


class Socket:
    def __init__(self) -> None:
        self.up = False

    def is_connected(self) -> bool:
        return self.up


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _get(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_states_starting_connected_reconnecting_lost_stopping() -> None:
    socket, clock = Socket(), Clock()
    liveness = Liveness(LivenessSettings(grace=30), socket.is_connected, clock=clock)
    assert liveness.check() == {"state": "starting", "healthy": False, "seconds_since_connected": None}
    socket.up = True
    assert liveness.check()["healthy"]
    socket.up = False
    clock.now += 10  # Slack's periodic refresh: reconnecting within the grace period is fine
    assert liveness.check() == {"state": "reconnecting", "healthy": True, "seconds_since_connected": 10.0}
    clock.now += 25
    assert liveness.check() == {"state": "reconnecting", "healthy": False, "seconds_since_connected": 35.0}
    socket.up = True
    assert liveness.check()["state"] == "connected"
    liveness.stopping()
    assert liveness.check()["state"] == "stopping" and not liveness.check()["healthy"]


def test_a_raising_probe_counts_as_disconnected() -> None:
    def broken() -> bool:
        raise RuntimeError("mid-reconnect")

    assert Liveness(LivenessSettings(), broken).check()["healthy"] is False


def test_healthz_port_and_heartbeat_file(tmp_path: Path) -> None:
    socket = Socket()
    beat = tmp_path / "run" / "heartbeat.json"
    liveness = start_liveness({"PORT": "0", "HOST": "127.0.0.1", "HEARTBEAT_FILE": str(beat),
                               "HEARTBEAT_INTERVAL_SECONDS": "0.05"}, socket.is_connected)
    assert liveness is not None and liveness.port
    try:
        assert _get(liveness.port) == (503, {"state": "starting", "healthy": False, "seconds_since_connected": None})
        assert not beat.exists()  # no heartbeat before the socket is up
        socket.up = True
        status, report = _get(liveness.port)
        assert status == 200 and report["state"] == "connected"
        deadline = time.monotonic() + 5
        while not beat.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        first = json.loads(beat.read_text())
        assert first["state"] == "connected" and first["healthy"]
        time.sleep(0.2)
        assert json.loads(beat.read_text())["at"] > first["at"]  # refreshed while connected
        socket.up = False
        time.sleep(0.2)
        frozen = beat.stat().st_mtime
        time.sleep(0.2)
        assert beat.stat().st_mtime == frozen  # not refreshed while disconnected: its age tells
        status, report = _get(liveness.port)
        assert status == 200 and report["state"] == "reconnecting"  # within the grace period
    finally:
        liveness.stop()
    assert liveness.check()["state"] == "stopping"


def test_nothing_started_without_port_or_file() -> None:
    assert start_liveness({}, lambda: True) is None


@pytest.mark.parametrize("env, name", [({"PORT": "http"}, "PORT"), ({"HEARTBEAT_FILE": "x", "HEARTBEAT_INTERVAL_SECONDS": "0"}, "HEARTBEAT_INTERVAL_SECONDS"),
                                       ({"PORT": "1", "LIVENESS_GRACE_SECONDS": "soon"}, "LIVENESS_GRACE_SECONDS")])
def test_bad_settings_name_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        LivenessSettings.from_env(env)


def _free_port() -> int:
    import socket as sockets

    with sockets.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _poll(port: int, want: int, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    last: tuple[int, dict] | None = None
    while time.monotonic() < deadline:
        try:
            last = _get(port)
            if last[0] == want:
                return last[1]
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"/healthz never answered {want}; last: {last}")


def test_the_worker_reports_its_websocket(tmp_path: Path) -> None:
    """The real worker (Procfile line) against the fake Slack: 200 when connected, 503 during an outage."""
    from tests.bot_fixtures import BotProcess, bot_env, procfile_command
    from tests.fakes.fake_slack import FakeSlack

    port, beat = _free_port(), tmp_path / "heartbeat.json"
    with FakeSlack() as fake:
        env = bot_env(fake.base_url, str(tmp_path / "chroma"), PORT=str(port), HOST="127.0.0.1", HEARTBEAT_FILE=str(beat),
                      HEARTBEAT_INTERVAL_SECONDS="0.2", LIVENESS_GRACE_SECONDS="1")
        process = BotProcess(procfile_command("worker"), env, tmp_path / "bot.log")
        try:
            fake.wait_for_connection(timeout=120)
            assert _poll(port, 200, 30)["state"] == "connected", process.output()[-2000:]
            deadline = time.monotonic() + 5
            while not beat.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert json.loads(beat.read_text())["state"] == "connected"
            fake.outage(4)  # sockets dropped, reconnects refused for 4 s
            assert _poll(port, 503, 15)["state"] == "reconnecting"
            assert _poll(port, 200, 60)["state"] == "connected"  # back after the outage
        finally:
            assert process.terminate() == 0, process.output()[-3000:]
