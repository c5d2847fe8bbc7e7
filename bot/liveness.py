"""Liveness of the Socket Mode worker, for the platform to check.

A Socket Mode worker has no inbound traffic, so a hung or disconnected worker
looks the same as an idle one. This reports the websocket's state two ways:

* `GET /healthz` on PORT (when PORT is set): 200 `{"state": "connected", ...}`
  while the socket is up, or was within LIVENESS_GRACE_SECONDS (auto-reconnect
  after Slack's periodic refresh takes a moment); 503 while starting, after
  losing the socket for longer, and while shutting down.
* HEARTBEAT_FILE (when set): rewritten every HEARTBEAT_INTERVAL_SECONDS while
  the socket is up, so its age is the health signal (e.g. a check command
  `test $(( $(date +%s) - $(stat -c %Y "$HEARTBEAT_FILE") )) -lt 30`).

The state comes from a `connected()` callable (the Socket Mode client's
`is_connected`), polled by one daemon thread.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bot.settings import SettingsError

log = logging.getLogger("bot.liveness")


@dataclass(frozen=True)
class LivenessSettings:
    port: int | None = None  # None: no /healthz server
    host: str = "0.0.0.0"
    heartbeat_file: Path | None = None
    interval: float = 5.0
    grace: float = 30.0

    @property
    def enabled(self) -> bool:
        return self.port is not None or self.heartbeat_file is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "LivenessSettings":
        """PORT, HOST, HEARTBEAT_FILE, HEARTBEAT_INTERVAL_SECONDS, LIVENESS_GRACE_SECONDS; SettingsError names a bad one."""

        def get(name: str) -> str:
            return environ.get(name, "").strip()

        def number(name: str, default: float) -> float:
            raw = get(name)
            try:
                value = float(raw) if raw else default
            except ValueError:
                raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
            if value <= 0:
                raise SettingsError(f"{name} must be positive, got {raw!r}")
            return value

        port = None
        if get("PORT"):
            try:
                port = int(get("PORT"))
            except ValueError:
                raise SettingsError(f"PORT must be an integer, got {get('PORT')!r}") from None
        return cls(
            port=port,
            host=get("HOST") or "0.0.0.0",
            heartbeat_file=Path(get("HEARTBEAT_FILE")).expanduser() if get("HEARTBEAT_FILE") else None,
            interval=number("HEARTBEAT_INTERVAL_SECONDS", 5.0),
            grace=number("LIVENESS_GRACE_SECONDS", 30.0),
        )


class Liveness:
    """Polls `connected()` and publishes the result on /healthz and in the heartbeat file."""

    def __init__(self, settings: LivenessSettings, connected: Callable[[], bool], *, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._connected = connected
        self._clock = clock
        self._lock = threading.Lock()
        self._state = "starting"
        self._last_connected: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._server: ThreadingHTTPServer | None = None

    # -- state ---------------------------------------------------------------------------
    def check(self) -> dict[str, Any]:
        """Poll the socket once; returns the report /healthz serves."""
        try:
            up = bool(self._connected())
        except Exception:  # a client mid-reconnect may raise; that is "not connected"
            up = False
        now = self._clock()
        with self._lock:
            if self._state != "stopping":
                if up:
                    self._state, self._last_connected = "connected", now
                elif self._last_connected is not None:
                    self._state = "reconnecting"
            return self._report(now)

    def _report(self, now: float) -> dict[str, Any]:
        since = None if self._last_connected is None else round(now - self._last_connected, 1)
        healthy = self._state == "connected" or (
            self._state == "reconnecting" and since is not None and since <= self.settings.grace
        )
        return {"state": self._state, "healthy": healthy, "seconds_since_connected": since}

    def stopping(self) -> None:
        """Shutdown began: report unhealthy from now on (the socket is being closed on purpose)."""
        with self._lock:
            self._state = "stopping"

    # -- publishing ----------------------------------------------------------------------
    def start(self) -> "Liveness":
        if self.settings.port is not None:
            self._server = _make_server(self, self.settings.host, self.settings.port)
            threading.Thread(target=self._server.serve_forever, name="liveness-http", daemon=True).start()
            log.info("liveness: GET /healthz on %s:%d", self.settings.host, self._server.server_address[1])
        self._thread = threading.Thread(target=self._run, name="liveness", daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int | None:
        return self._server.server_address[1] if self._server else None

    def _run(self) -> None:
        was_healthy = None
        while not self._stop.is_set():
            report = self.check()
            if report["state"] == "connected":
                self._beat(report)
            if report["healthy"] != was_healthy:
                (log.info if report["healthy"] else log.warning)("liveness: %s", report["state"])
                was_healthy = report["healthy"]
            self._stop.wait(self.settings.interval)

    def _beat(self, report: dict[str, Any]) -> None:
        path = self.settings.heartbeat_file
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(json.dumps({**report, "at": time.time(), "pid": os.getpid()}) + "\n", encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("liveness: cannot write %s (%s)", path, exc)

    def stop(self) -> None:
        self.stopping()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.interval + 1)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _make_server(liveness: Liveness, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path.split("?", 1)[0] not in ("/healthz", "/"):
                self.send_error(404)
                return
            report = liveness.check()
            body = json.dumps(report).encode()
            self.send_response(200 if report["healthy"] else 503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # platform probes every few seconds: not worth a line
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def start_liveness(environ: Mapping[str, str], connected: Callable[[], bool]) -> Liveness | None:
    """The hook for the Socket Mode entry: start publishing when PORT or HEARTBEAT_FILE is set."""
    settings = LivenessSettings.from_env(environ)
    return Liveness(settings, connected).start() if settings.enabled else None
