"""Socket Mode entry: the runtime's app fed by slack_sdk's built-in Socket Mode client.

Why not Bolt's SocketModeHandler: it leaves envelopes no listener handles
unacked (Slack then redelivers them), and its default ping interval notices a
dead socket only after about a minute. Here every envelope is acked (except
while draining, so Slack redelivers it to another worker), and a socket silent
for four ping intervals (SLACK_SOCKET_PING_INTERVAL, default 1.5 s) is replaced.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from typing import Any, Mapping

from slack_bolt import BoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.liveness import start_liveness
from bot.runtime import StartupError, settle_unhandled, start_app, tune_process
from bot.settings import BotSettings

log = logging.getLogger("bot.socket")


def make_listener(app: Any) -> Any:
    runtime = app.runtime

    def on_request(client: SocketModeClient, req: SocketModeRequest) -> None:
        headers = {}
        if req.retry_attempt is not None:
            headers["x-slack-retry-num"] = str(req.retry_attempt)
        if req.retry_reason is not None:
            headers["x-slack-retry-reason"] = req.retry_reason
        payload = req.payload if isinstance(req.payload, dict) else {}
        try:
            response = app.dispatch(BoltRequest(mode="socket_mode", body=payload, headers=headers or None))
        except Exception:
            log.exception("dispatching envelope %s (%s) failed", req.envelope_id, req.type)
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        if response.status == 503:
            return  # draining: unacked, so Slack redelivers it to another worker
        if response.status != 200:
            # No listener (unknown event type, missing event...): acked all the same, or Slack resends it.
            log.info("acked envelope %s (%s) that no listener handles (status %s)", req.envelope_id, req.type, response.status)
            settle_unhandled(runtime, payload)
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        body = response.body
        content_type = (response.headers.get("content-type") or [""])[0]
        if body and content_type.startswith("application/json"):
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id, payload=json.loads(body)))
        elif body:
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id, payload={"text": body}))
        else:
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))

    return on_request


def run(settings: BotSettings, environ: Mapping[str, str]) -> int:
    tune_process()
    app = start_app(settings, environ)
    runtime = app.runtime
    client = SocketModeClient(
        app_token=settings.app_token,
        web_client=runtime.client,
        logger=logging.getLogger("bot.socket.client"),
        ping_interval=settings.socket_ping_interval,
        auto_reconnect_enabled=True,
        concurrency=max(4, settings.answer_workers),
    )
    client.socket_mode_request_listeners.append(make_listener(app))
    liveness = start_liveness(environ, client.is_connected)  # /healthz on PORT, HEARTBEAT_FILE: bot/liveness.py

    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("received %s: finishing in-flight answers", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        client.connect()
    except SlackApiError as exc:
        raise StartupError(
            f"Slack rejected SLACK_APP_TOKEN (apps.connections.open: {exc.response.get('error')}). "
            "Create an app-level token with the connections:write scope."
        ) from None
    log.info("connected in Socket Mode (store: %s); answering questions", runtime.store.name)
    while not stop.wait(1.0):
        pass
    started = time.monotonic()
    if liveness is not None:
        liveness.stop()  # unhealthy from here on: the socket closes on purpose
    try:
        client.close()  # no new envelopes; unacked ones are redelivered elsewhere by Slack
    except Exception:
        log.exception("error while closing the Socket Mode connection")
    finished = runtime.drain(settings.shutdown_grace_seconds)
    runtime.close()
    log.info("shutdown %s after %.1fs; outcomes %s", "clean" if finished else "with answers still running",
             time.monotonic() - started, dict(runtime.outcomes))
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # Unfinished answer threads must not keep the process alive past the grace period.
    os._exit(0)
