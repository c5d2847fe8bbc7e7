"""HTTP mode entry: an ASGI front for the runtime's app, served by gunicorn's asyncio worker.

Procfile: `web: gunicorn --config python:bot.gunicorn_conf --bind 0.0.0.0:$PORT 'bot.http_mode:create_asgi_app()'`.
A slow or idle client costs a coroutine, not a thread, so it cannot starve
/healthz or Slack's own POSTs. Before Bolt sees a request, this front checks
its size (413, before reading more than the limit), its signature (401) and
that it parses (400); logs carry the size and a hash of a rejected body,
never the body. Bolt runs in a thread pool once the whole body is here.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest

from bot.runtime import StartupError, settle_unhandled, start_app, tune_process
from bot.settings import BotSettings

log = logging.getLogger("bot.http")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Rejected(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _fingerprint(body: bytes) -> str:
    return f"{len(body)} bytes, sha256 {hashlib.sha256(body).hexdigest()[:12]}"


def valid_signature(secret: bytes, body: bytes, timestamp: str, signature: str, now: float | None = None) -> bool:
    """Slack's v0 HMAC over the raw bytes (any bytes, so junk is refused as 401 or 400, never a crash)."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - stamp) > 60 * 5:
        return False  # a replay of an old request
    expected = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def check_body(body: bytes, content_type: str) -> str:
    """The body as text if Slack could have sent it (JSON object or form); Rejected(400) otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(400, "body is not UTF-8") from None
    try:
        if content_type.startswith("application/json"):
            if not isinstance(json.loads(text), dict):
                raise Rejected(400, "JSON body is not an object")
        else:
            form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict", max_num_fields=200)
            if "payload" in form and not isinstance(json.loads(form["payload"][0]), dict):
                raise Rejected(400, "payload is not a JSON object")
    except Rejected:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise Rejected(400, f"malformed body ({type(exc).__name__})") from None
    return text


class SlackASGI:
    """GET /healthz, POST (any path) to Bolt; `drain()` for gunicorn's worker_exit hook."""

    def __init__(self, app: App, settings: BotSettings):
        self.app = app
        self.runtime = app.runtime  # type: ignore[attr-defined]
        self.settings = settings
        self.secret = settings.signing_secret.encode()
        self.pool = ThreadPoolExecutor(max_workers=max(4, settings.answer_workers), thread_name_prefix="http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        method, path = scope.get("method", "GET"), scope.get("path", "/")
        if path in ("/healthz", "/health") and method in ("GET", "HEAD"):
            await self._reply(send, 200, b"ok")
            return
        if method != "POST":
            await self._reply(send, 405, b"method not allowed")
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        body = b""
        try:
            body = await self._read_body(headers, receive)
            self._verify(headers, body)
            text = check_body(body, headers.get("content-type", ""))
        except Rejected as exc:
            log.info("rejected POST %s with %d: %s (%s)", path, exc.status, exc.reason, _fingerprint(body))
            await self._reply(send, exc.status, exc.reason.encode())
            return
        request = BoltRequest(body=text, query=scope.get("query_string", b"").decode("latin-1"),
                              headers={k: [v] for k, v in headers.items()}, mode="http")
        try:
            response = await asyncio.get_running_loop().run_in_executor(self.pool, self.app.dispatch, request)
        except Exception:
            log.exception("Bolt failed on a verified request (%s)", _fingerprint(body))
            await self._reply(send, 500, b"internal error")
            return
        if response.status == 404:
            # No listener for this event: acknowledge it, or Slack keeps retrying.
            settle_unhandled(self.runtime, request.body)
            await self._reply(send, 200, b"")
            return
        out_headers = [(k.encode(), v.encode()) for k, values in response.headers.items() for v in values
                       if k.lower() != "content-length"]
        await self._reply(send, response.status, (response.body or "").encode(), out_headers)

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> bytes:
        limit = self.settings.max_body_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise Rejected(413, f"body larger than {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + self.settings.body_timeout_seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Rejected(408, "body not received in time")
            try:
                message = await asyncio.wait_for(receive(), timeout=left)
            except asyncio.TimeoutError:
                raise Rejected(408, "body not received in time") from None
            if message["type"] == "http.disconnect":
                raise Rejected(400, "client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise Rejected(413, f"body larger than {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    def _verify(self, headers: dict[str, str], body: bytes) -> None:
        timestamp = headers.get("x-slack-request-timestamp", "")
        signature = headers.get("x-slack-signature", "")
        if not timestamp or not signature:
            raise Rejected(401, "missing signature")
        if not valid_signature(self.secret, body, timestamp, signature):
            raise Rejected(401, "invalid signature or stale timestamp")

    @staticmethod
    async def _reply(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        hdrs = headers or [(b"content-type", b"text/plain; charset=utf-8")]
        hdrs = [*hdrs, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": hdrs})
        await send({"type": "http.response.body", "body": body})

    def drain(self) -> bool:
        """SIGTERM: gunicorn stopped taking requests; let in-flight answers finish (bounded)."""
        finished = self.runtime.drain(self.settings.shutdown_grace_seconds)
        log.info("answers drained %s; outcomes %s", "cleanly" if finished else "with answers still running",
                 dict(self.runtime.outcomes))
        self.pool.shutdown(wait=False)
        self.runtime.close()
        return finished


def create_asgi_app() -> SlackASGI:
    """gunicorn's app factory (runs in the worker process): settings, auth.test, chain, runtime."""
    from dotenv import load_dotenv

    from bot.logs import configure_logging

    load_dotenv()
    settings = BotSettings.from_env(os.environ)
    configure_logging(settings.log_level)
    tune_process()
    try:
        if not settings.signing_secret:
            raise StartupError("HTTP mode needs SLACK_SIGNING_SECRET (Basic Information > App Credentials)")
        app = start_app(settings, os.environ)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        # Exit code 3 is gunicorn's "worker failed to boot": the master stops instead of respawning forever.
        raise SystemExit(3) from None
    log.info("HTTP mode ready: POST /slack/events, GET /healthz (store: %s)", app.runtime.store.name)  # type: ignore[attr-defined]
    return SlackASGI(app, settings)


def run(settings: BotSettings) -> int:
    """Serve `create_asgi_app()` with gunicorn on $HOST:$PORT, configured like the Procfile's web line."""
    from gunicorn.app.base import BaseApplication

    from bot import gunicorn_conf
    from bot.runtime import check_auth, make_web_client

    check_auth(make_web_client(settings), settings)

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key in gunicorn_conf.SETTINGS:
                self.cfg.set(key, getattr(gunicorn_conf, key))
            self.cfg.set("bind", f"{settings.host}:{settings.port}")

        def load(self) -> SlackASGI:
            return create_asgi_app()

    master = os.getpid()
    try:
        Server().run()
    except SystemExit as exc:
        # In the master, 3 is gunicorn's "worker failed to boot" (the worker printed the one-line reason);
        # a forked worker's own exit must pass through untouched.
        if exc.code == 3 and os.getpid() == master:
            return 2
        raise
    return 0
