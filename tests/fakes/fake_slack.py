"""A faithful fake of Slack's Web API, Socket Mode and response_urls on 127.0.0.1.

Why a fake server rather than mocks: the bot must work with the *real*
``slack_sdk.WebClient``, the real Socket Mode clients and ``slack_bolt``.  So the
fake speaks Slack's wire protocol — form/JSON request bodies, ``Authorization:
Bearer`` tokens, HTTP 429 + ``Retry-After``, ``ok:false`` errors, the
``apps.connections.open`` ticket dance, websocket ``hello``/``disconnect``
frames, envelopes and acks — and the code under test runs unchanged, pointed at
``FakeSlack.base_url`` (for example through ``SLACK_API_BASE_URL``).

The server is aiohttp on its own event loop in a daemon thread, bound to port 0.
All state lives behind one ``threading.Condition`` so test code can block on it
(``wait_for_call``, ``wait_for_ack``, ``wait_for_connection``) without polling
or fixed sleeps.

Usage::

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.base_url)
        client.chat_postMessage(channel="C1", text="hi")
        fake.wait_for_call("chat.postMessage")
"""
from __future__ import annotations

import asyncio
import base64
import collections
import copy
import dataclasses
import itertools
import json
import logging
import secrets
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from aiohttp import WSMsgType, web

__all__ = ["Ack", "Call", "FakeSlack"]

log = logging.getLogger(__name__)

APP_ID = "A1"
TEAM_DOMAIN = "fake-workspace"
# Fields Slack accepts as JSON-encoded strings in form bodies; decoded so tests
# see the same structure whether the client sent form or JSON.
_JSON_FIELDS = ("blocks", "attachments", "metadata", "prompts", "chunks", "view", "user_auth_blocks")
_MAX_TEXT = 40_000
_APP_TOKEN_METHODS = frozenset({"apps.connections.open", "auth.test", "apps.event.authorizations.list", "api.test"})
_MAX_REDELIVERIES = 3


# --------------------------------------------------------------------------- records


class _Headers(dict):
    """A plain ``dict`` of request headers whose lookups ignore case (HTTP semantics)."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__((k.lower(), v) for k, v in items)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)


@dataclass
class Call:
    """One request the fake received (Web API method or ``response_url`` POST).

    ``params`` merges query, form and JSON arguments (JSON-string fields such as
    ``blocks`` are decoded) without ``token``; ``status``/``error`` describe what
    the fake answered, so injected failures are visible too.
    """

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    time: float
    status: int = 200
    error: str | None = None
    token: str | None = None
    verb: str = "POST"


@dataclass
class Ack:
    """A Socket Mode acknowledgement.

    ``time`` is when the ack arrived, ``pushed_at`` when the test pushed the
    envelope, ``sent_at`` when it was written to a websocket (``None`` if never).
    ``envelope_id`` is the id actually acked: for a redelivered event it is the
    redelivery's id, also reachable under the original id.
    """

    envelope_id: str
    payload: dict[str, Any] | None
    time: float
    pushed_at: float
    sent_at: float | None = None
    retry_attempt: int = 0
    type: str = ""

    @property
    def latency(self) -> float:
        """Seconds from push to ack (what Slack's 3-second limit measures)."""
        return self.time - self.pushed_at


@dataclass
class _Fault:
    status: int
    error: str | None
    retry_after: int | None
    remaining: int


@dataclass
class _Envelope:
    frame: dict[str, Any]
    root: str
    pushed_at: float
    sent_at: float | None = None


@dataclass
class _Conn:
    id: int
    ws: web.WebSocketResponse
    queue: "asyncio.Queue[str]"
    opened_at: float
    live: bool = True
    draining: bool = False
    transport: Any = None


@dataclass
class _ResponseHook:
    channel: str
    user: str
    message_ts: str | None = None
    thread_ts: str | None = None
    ephemeral: bool = False
    uses: int = 0


class _SlackError(Exception):
    """Raised by a method implementation to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


# --------------------------------------------------------------------------- helpers


def _truthy(value: Any) -> bool:
    return value in (True, 1) or (isinstance(value, str) and value.lower() in ("1", "true", "yes"))


def _rich_text(text: str) -> list[dict[str, Any]]:
    """The rich_text block Slack attaches to text-only messages (Bolt's assistant store reads ``blocks``)."""
    return [
        {
            "type": "rich_text",
            "block_id": secrets.token_hex(3),
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
        }
    ]


def _text_object_errors(obj: Any, max_len: int, pointer: str, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict):
        return [f"must be an object [json-pointer:{pointer}]"]
    errors = []
    kind = obj.get("type")
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if kind not in allowed:
        errors.append(f"must be one of {list(allowed)} [json-pointer:{pointer}/type]")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        errors.append(f"must be more than 0 characters [json-pointer:{pointer}/text]")
    elif len(text) > max_len:
        errors.append(f"must be less than {max_len + 1} characters [json-pointer:{pointer}/text]")
    return errors


def _element_errors(el: Any, pointer: str) -> list[str]:
    if not isinstance(el, dict) or "type" not in el:
        return [f"missing required field: type [json-pointer:{pointer}]"]
    errors: list[str] = []
    if len(str(el.get("action_id", ""))) > 255:
        errors.append(f"must be less than 256 characters [json-pointer:{pointer}/action_id]")
    if el["type"] == "button":
        errors += _text_object_errors(el.get("text"), 75, f"{pointer}/text", plain_only=True)
        if len(str(el.get("value", ""))) > 2000:
            errors.append(f"must be less than 2001 characters [json-pointer:{pointer}/value]")
        if len(str(el.get("url", ""))) > 3000:
            errors.append(f"must be less than 3001 characters [json-pointer:{pointer}/url]")
        if "style" in el and el["style"] not in ("primary", "danger"):
            errors.append(f"must be one of [primary, danger] [json-pointer:{pointer}/style]")
    return errors


def block_errors(blocks: Any) -> list[str]:
    """Validate Block Kit the way Slack does for the limits the bot must respect.

    Covers 50 blocks per message, 3,000 characters per section text, 2,000 per
    field (max 10), 150 per header, 10 context elements, 25 actions elements,
    75-character button labels, unique ``block_id``s and non-empty texts.
    Unknown block types are accepted (Slack adds new ones over time).
    """
    if not isinstance(blocks, list):
        return ["must be an array [json-pointer:/blocks]"]
    errors: list[str] = []
    if len(blocks) > 50:
        errors.append("no more than 50 items allowed [json-pointer:/blocks]")
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        p = f"/blocks/{i}"
        if not isinstance(block, dict) or "type" not in block:
            errors.append(f"missing required field: type [json-pointer:{p}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if len(str(block_id)) > 255:
                errors.append(f"must be less than 256 characters [json-pointer:{p}/block_id]")
            if block_id in seen_ids:
                errors.append(f"duplicate block_id {block_id!r} [json-pointer:{p}/block_id]")
            seen_ids.add(block_id)
        kind = block["type"]
        if kind == "section":
            text, fields = block.get("text"), block.get("fields")
            if text is None and not fields:
                errors.append(f"must provide either text or fields [json-pointer:{p}]")
            if text is not None:
                errors += _text_object_errors(text, 3000, f"{p}/text")
            if fields is not None:
                if not isinstance(fields, list) or len(fields) > 10:
                    errors.append(f"no more than 10 items allowed [json-pointer:{p}/fields]")
                else:
                    for j, f in enumerate(fields):
                        errors += _text_object_errors(f, 2000, f"{p}/fields/{j}")
            if "accessory" in block:
                errors += _element_errors(block["accessory"], f"{p}/accessory")
        elif kind == "header":
            errors += _text_object_errors(block.get("text"), 150, f"{p}/text", plain_only=True)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                errors.append(f"must have 1 to 10 items [json-pointer:{p}/elements]")
            else:
                for j, el in enumerate(elements):
                    if isinstance(el, dict) and el.get("type") == "image":
                        continue
                    errors += _text_object_errors(el, 3000, f"{p}/elements/{j}")
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
                errors.append(f"must have 1 to 25 items [json-pointer:{p}/elements]")
            else:
                for j, el in enumerate(elements):
                    errors += _element_errors(el, f"{p}/elements/{j}")
        elif kind == "markdown":
            text = block.get("text")
            if not isinstance(text, str) or not text or len(text) > 12_000:
                errors.append(f"must be 1 to 12000 characters [json-pointer:{p}/text]")
    return errors


# --------------------------------------------------------------------------- the fake


class FakeSlack:
    """Slack Web API + Socket Mode + response_url server for tests (see module docstring)."""

    def __init__(
        self,
        *,
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        team_id: str = "T1",
        redeliver_after: float | None = None,
        valid_tokens: set[str] | None = None,
    ) -> None:
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.team_id = team_id
        self.app_id = APP_ID
        self.redeliver_after = redeliver_after
        self.valid_tokens = set(valid_tokens) if valid_tokens is not None else None

        self.url = ""
        self.base_url = ""
        self.port = 0

        self._cond = threading.Condition(threading.RLock())
        self.calls: list[Call] = []
        self.acks: dict[str, Ack] = {}
        self.deliveries: list[dict[str, Any]] = []  # every envelope frame written to a socket, in order
        self.unexpected_frames: list[str] = []  # client frames that were not acks
        self.refused_handshakes: list[str] = []  # /link/ tickets refused (unknown or reused)
        self.users: dict[str, dict[str, Any]] = {}  # overrides for users.info
        self.assistant_threads: dict[tuple[str, str], dict[str, Any]] = {}

        self._faults: dict[str, collections.deque[_Fault]] = collections.defaultdict(collections.deque)
        self._delays: dict[str, collections.deque[list[float]]] = collections.defaultdict(collections.deque)
        self.stalled: list[Call] = []  # calls held by delay_next right now
        self._outage_until = 0.0
        self._channels: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
        self._ephemeral: list[dict[str, Any]] = []
        self._streams: dict[tuple[str, str], str] = {}
        self._hooks: dict[str, _ResponseHook] = {}
        self._tickets: set[str] = set()
        self._envelopes: dict[str, _Envelope] = {}
        self._acked_roots: set[str] = set()
        self._connections_opened = 0
        self._ts_micros = 1_700_000_000_000_000
        self._ids = itertools.count(1)

        # Loop-thread-only state.
        self._conns: list[_Conn] = []
        self._outbox: collections.deque[str] = collections.deque()
        self._new_conn_event: asyncio.Event | None = None

        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "FakeSlack":
        """Start the server thread and block until it is listening; returns ``self``."""
        if self._thread is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.base_url = f"{self.url}/api/"
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self._serve(sock))
            except BaseException as exc:  # surface start-up errors to start()
                failure.append(exc)
                ready.set()
                return
            ready.set()
            try:
                self._loop.run_forever()
            finally:
                self._loop.run_until_complete(self._cleanup())
                self._loop.close()

        self._thread = threading.Thread(target=run, name=f"fake-slack-{self.port}", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise RuntimeError("fake Slack failed to start") from failure[0]
        return self

    def stop(self) -> None:
        """Close websockets, stop the server and join its thread (idempotent)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> "FakeSlack":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _serve(self, sock: socket.socket) -> None:
        self._new_conn_event = asyncio.Event()
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_get("/link/", self._handle_link)
        app.router.add_get("/link", self._handle_link)
        app.router.add_post("/response/{hook_id}", self._handle_response_url)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def _cleanup(self) -> None:
        for conn in list(self._conns):
            conn.live = False
            with _suppress():
                await conn.ws.close(code=1001, message=b"server shutdown")
        if self._runner is not None:
            await self._runner.cleanup()
        pending = [t for t in asyncio.all_tasks(self._loop) if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    # ------------------------------------------------------------------ test-side API: Web API

    def calls_to(self, method: str) -> list[Call]:
        """All recorded calls of ``method`` (including injected failures), oldest first."""
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
        count: int = 1,
    ) -> Call:
        """Block until ``count`` calls of ``method`` match ``predicate``; return the ``count``-th.

        Injected failures count too (filter with ``lambda c: c.status == 200``).
        A predicate that raises (e.g. ``KeyError`` on a missing param) counts as
        no match, so predicates can index ``c.params`` freely.
        """

        def matching() -> list[Call]:
            out = []
            for c in self.calls:
                if c.method != method:
                    continue
                try:
                    if predicate is None or predicate(c):
                        out.append(c)
                except Exception:
                    continue
            return out

        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = matching()
                if len(found) >= count:
                    return found[count - 1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for {count} call(s) to {method!r}"
                        f"{' matching the predicate' if predicate else ''}; {len(found)} matched.\n"
                        + self._describe_calls()
                    )
                self._cond.wait(remaining)

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (and have no side effects).

        ``status=429`` (or just ``retry_after=N``) → HTTP 429 with ``Retry-After``
        and ``{"ok":false,"error":"ratelimited"}``; ``status=200, error="x"`` →
        ``{"ok":false,"error":"x"}``; ``status>=500`` → that status with a JSON
        error body.  ``method`` may also be ``"response_url"``.
        """
        if retry_after is not None and status == 200 and error is None:
            status = 429
        if status == 429 and retry_after is None:
            retry_after = 1
        if error is None:
            error = "ratelimited" if status == 429 else ("internal_error" if status >= 400 else "fatal_error")
        with self._cond:
            self._faults[method].append(_Fault(status, error, retry_after, times))

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Hold the next ``times`` calls of ``method`` for ``seconds``, then process them normally.

        A client that times out meanwhile still gets its message posted: that is
        what a stalled Slack does.
        """
        with self._cond:
            self._delays[method].append([seconds, times])

    def outage(self, seconds: float) -> None:
        """Slack goes away for ``seconds``: sockets dropped, every Web API call (incl. apps.connections.open) 503."""
        with self._cond:
            self._outage_until = time.monotonic() + seconds
        self.drop_connections(code=1011)

    @property
    def outage_ended_at(self) -> float:
        return self._outage_until

    def connection_ids(self) -> list[int]:
        """Ids of the open, usable websocket connections, oldest first (targets for ``push_event(to=...)``)."""
        with self._cond:
            return [c.id for c in self._conns if c.live and not c.draining]

    def wait_for_connections(self, count: int, timeout: float = 10.0) -> list[int]:
        """Block until ``count`` connections are open at once; returns their ids."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.connection_ids()) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out waiting for {count} live connections; have {self.connection_ids()}")
                self._cond.wait(remaining)
            return self.connection_ids()

    def silence(self) -> None:
        """A silent TCP drop: the open sockets stay open but nothing goes either way (no pong, no frames).

        New envelopes wait for the next connection; the client must notice on its own.
        """
        self._call_in_loop(self._silence_all())

    def push_frame(self, frame: dict[str, Any], *, to: int | None = None) -> str:
        """Send a raw envelope (any type/payload, for odd envelopes); returns its envelope_id."""
        frame = {"envelope_id": str(uuid.uuid4()), "accepts_response_payload": False, **frame}
        return self._push(frame, to=to)

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str = "U1",
        thread_ts: str | None = None,
        bot_id: str | None = None,
    ) -> str:
        """Seed channel history (visible to conversations.history/replies); returns the new ts."""
        with self._cond:
            ts = self._next_ts()
            msg: dict[str, Any] = {
                "type": "message",
                "user": user,
                "text": text,
                "ts": ts,
                "team": self.team_id,
                "blocks": _rich_text(text),
            }
            if bot_id:
                msg["bot_id"] = bot_id
            if thread_ts:
                msg["thread_ts"] = thread_ts
            self._store(channel, msg)
            return ts

    def messages(self, channel: str | None = None, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """Stored (public) messages, oldest first, each with a ``channel`` key added.

        With ``thread_ts``: the thread's parent and its replies.  Ephemeral
        messages are not history; see :meth:`ephemeral_messages`.
        """
        with self._cond:
            out = []
            for ch, msgs in self._channels.items():
                if channel is not None and ch != channel:
                    continue
                for m in msgs:
                    if thread_ts is not None and m["ts"] != thread_ts and m.get("thread_ts") != thread_ts:
                        continue
                    out.append({**copy.deepcopy(m), "channel": ch})
            out.sort(key=lambda m: m["ts"])
            return out

    def ephemeral_messages(self, channel: str | None = None, user: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages (chat.postEphemeral and ephemeral response_url replies), oldest first."""
        with self._cond:
            return [
                copy.deepcopy(m)
                for m in self._ephemeral
                if (channel is None or m["channel"] == channel) and (user is None or m["user"] == user)
            ]

    def assistant_thread(self, channel_id: str, thread_ts: str) -> dict[str, Any]:
        """What assistant.threads.* set for a thread: status, status_history, title, prompts."""
        with self._cond:
            return copy.deepcopy(self.assistant_threads.get((channel_id, thread_ts), {}))

    # ------------------------------------------------------------------ test-side API: Socket Mode

    @property
    def live_connections(self) -> int:
        """Websocket connections currently open (and not asked to disconnect)."""
        with self._cond:
            return sum(1 for c in self._conns if c.live and not c.draining)

    @property
    def connections_opened(self) -> int:
        with self._cond:
            return self._connections_opened

    def wait_for_connection(self, timeout: float = 10.0, count: int = 1) -> None:
        """Block until ``count`` websocket connections have been opened in total (hello sent)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._connections_opened < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for {count} Socket Mode connection(s); "
                        f"{self._connections_opened} opened, {len(self.refused_handshakes)} handshake(s) refused "
                        "for an unknown or reused ticket.\n" + self._describe_calls()
                    )
                self._cond.wait(remaining)

    def event_payload(self, event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        """The ``event_callback`` body Slack would send for ``event`` (also usable for HTTP mode)."""
        return {
            "token": "fake-verification-token",
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):010d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_hex(8)}",
        }

    def push_event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
        to: int | None = None,
    ) -> str:
        """Send an ``events_api`` envelope; returns its envelope_id.

        ``to`` picks the connection (an id from ``connection_ids()``), as Slack
        does when several workers are connected; default: the newest one.

        ``message``/``app_mention`` events get Slack's defaults filled in (``ts``,
        ``event_ts``, ``team``, ``channel_type``) and the message is stored in
        history, as it would be in Slack, so conversations.replies/reactions see it.
        To simulate a Slack retry, push again with the same ``event_id`` and
        ``retry_attempt>=1``.
        """
        ev = self._prepare_event(event)
        payload = self.event_payload(ev, event_id=event_id)
        frame = {
            "envelope_id": str(uuid.uuid4()),
            "payload": payload,
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        return self._push(frame, to=to)

    def new_response_url(
        self,
        channel: str,
        user: str = "U1",
        *,
        message_ts: str | None = None,
        thread_ts: str | None = None,
        ephemeral: bool = False,
    ) -> str:
        """A response_url on this fake bound to a channel/user (and optionally an original message)."""
        hook_id = secrets.token_hex(8)
        with self._cond:
            self._hooks[hook_id] = _ResponseHook(channel, user, message_ts, thread_ts, ephemeral)
        return f"{self.url}/response/{hook_id}"

    def slash_command_payload(
        self,
        text: str = "",
        *,
        command: str = "/lg-ai",
        user_id: str = "U1",
        channel_id: str = "C1",
        trigger_id: str | None = None,
    ) -> dict[str, str]:
        """The slash-command body (all strings, as Slack sends it) with a fresh response_url."""
        return {
            "token": "fake-verification-token",
            "team_id": self.team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": "directmessage" if channel_id.startswith("D") else f"channel-{channel_id.lower()}",
            "user_id": user_id,
            "user_name": f"user-{user_id.lower()}",
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": self.new_response_url(channel_id, user_id),
            "trigger_id": trigger_id or f"{next(self._ids)}.{secrets.token_hex(6)}",
        }

    def push_slash_command(
        self,
        text: str = "",
        *,
        command: str = "/lg-ai",
        user_id: str = "U1",
        channel_id: str = "C1",
        trigger_id: str | None = None,
    ) -> str:
        """Send a ``slash_commands`` envelope (response_url points at this fake); returns envelope_id."""
        payload = self.slash_command_payload(
            text, command=command, user_id=user_id, channel_id=channel_id, trigger_id=trigger_id
        )
        frame = {
            "envelope_id": str(uuid.uuid4()),
            "payload": payload,
            "type": "slash_commands",
            "accepts_response_payload": True,
        }
        return self._push(frame)

    def push_interactive(self, payload: dict[str, Any]) -> str:
        """Send an ``interactive`` envelope (block_actions, view_submission, ...); returns envelope_id.

        Fills in ``response_url`` (bound to the payload's channel, user and
        container message), ``api_app_id``, ``team``, ``token`` and ``trigger_id``
        when missing.
        """
        p = copy.deepcopy(payload)
        p.setdefault("api_app_id", self.app_id)
        p.setdefault("team", {"id": self.team_id, "domain": TEAM_DOMAIN})
        p.setdefault("token", "fake-verification-token")
        p.setdefault("trigger_id", f"{next(self._ids)}.{secrets.token_hex(6)}")
        user = (p.get("user") or {}).get("id", "U1")
        container = p.get("container") or {}
        channel = (p.get("channel") or {}).get("id") or container.get("channel_id")
        if "response_url" not in p and channel and p.get("type") != "view_submission":
            message_ts = container.get("message_ts") or (p.get("message") or {}).get("ts")
            p["response_url"] = self.new_response_url(
                channel,
                user,
                message_ts=message_ts,
                thread_ts=container.get("thread_ts"),
                ephemeral=bool(container.get("is_ephemeral")),
            )
        frame = {
            "envelope_id": str(uuid.uuid4()),
            "payload": p,
            "type": "interactive",
            "accepts_response_payload": p.get("type") in ("view_submission", "block_suggestion"),
        }
        return self._push(frame)

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> Ack:
        """Block until ``envelope_id`` (or any redelivery of it) is acked; return the Ack."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while envelope_id not in self.acks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    env = self._envelopes.get(envelope_id)
                    state = "unknown envelope" if env is None else (
                        f"type={env.frame['type']}, sent={'yes' if env.sent_at else 'no (no live connection?)'}"
                    )
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for the ack of {envelope_id} ({state}); "
                        f"connections opened={self._connections_opened}, acks so far={len(self.acks)}.\n"
                        + self._describe_calls()
                    )
                self._cond.wait(remaining)
            return self.acks[envelope_id]

    def disconnect(self, reason: str = "refresh_requested", *, close_after: float = 2.0) -> None:
        """Send ``{"type":"disconnect"}`` to the open socket(s), then close them.

        Like Slack, the old socket stays open until the client has opened a new
        one (or ``close_after`` seconds pass), and no new envelopes are routed to
        it after the disconnect; they wait for the new connection.
        """
        self._call_in_loop(self._disconnect(reason, close_after))

    def drop_connections(self, code: int = 1011) -> None:
        """Close every socket without a disconnect frame (default code 1011, a server error).

        The client must notice and reconnect on its own.  Tests also use it with
        ``code=1000`` to let a client's close() return at once.
        """
        self._call_in_loop(self._drop_all(code))

    # ------------------------------------------------------------------ internals: shared

    def _next_ts(self) -> str:
        with self._cond:
            self._ts_micros += 100
            return f"{self._ts_micros // 1_000_000}.{self._ts_micros % 1_000_000:06d}"

    def _note_ts(self, ts: str) -> None:
        """Keep generated ts values greater than any ts a test supplied."""
        try:
            sec, _, frac = ts.partition(".")
            micros = int(sec) * 1_000_000 + int((frac + "000000")[:6])
        except ValueError:
            return
        with self._cond:
            self._ts_micros = max(self._ts_micros, micros)

    def _describe_calls(self, last: int = 30) -> str:
        with self._cond:
            recent = self.calls[-last:]
            if not recent:
                return "No calls were recorded."
            lines = [f"Last {len(recent)} of {len(self.calls)} recorded calls:"]
            for c in recent:
                params = json.dumps(c.params, ensure_ascii=False, default=str)
                if len(params) > 200:
                    params = params[:200] + "…"
                outcome = "ok" if c.error is None else f"{c.status} {c.error}"
                lines.append(f"  {c.method} [{outcome}] {params}")
            return "\n".join(lines)

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def _take_fault(self, method: str) -> _Fault | None:
        with self._cond:
            queue = self._faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.popleft()
            return fault

    def _find(self, channel: str, ts: str) -> dict[str, Any] | None:
        for m in self._channels.get(channel, []):
            if m["ts"] == ts:
                return m
        return None

    def _store(self, channel: str, msg: dict[str, Any]) -> None:
        """Insert a message in ts order and keep the thread parent's reply bookkeeping."""
        self._note_ts(msg["ts"])
        msgs = self._channels[channel]
        msgs.append(msg)
        msgs.sort(key=lambda m: m["ts"])
        thread_ts = msg.get("thread_ts")
        if thread_ts and thread_ts != msg["ts"]:
            parent = self._find(channel, thread_ts)
            if parent is not None:
                parent["thread_ts"] = thread_ts
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                users = parent.setdefault("reply_users", [])
                author = msg.get("user") or msg.get("bot_id")
                if author and author not in users:
                    users.append(author)
                parent["reply_users_count"] = len(users)
                parent["latest_reply"] = max(parent.get("latest_reply", ""), msg["ts"])
                msg.setdefault("parent_user_id", parent.get("user"))
        self._cond.notify_all()

    def _bot_message(self, text: str, ts: str) -> dict[str, Any]:
        return {
            "type": "message",
            "text": text,
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "ts": ts,
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": "LG AI",
                "team_id": self.team_id,
                "deleted": False,
            },
        }

    def _prepare_event(self, event: dict[str, Any]) -> dict[str, Any]:
        ev = copy.deepcopy(event)
        kind = ev.get("type")
        if kind in ("message", "app_mention"):
            if "ts" not in ev:
                ev["ts"] = self._next_ts()
            else:
                self._note_ts(ev["ts"])
            ev.setdefault("event_ts", ev["ts"])
            ev.setdefault("team", self.team_id)
            channel = ev.get("channel")
            if kind == "message" and channel and "channel_type" not in ev:
                ev["channel_type"] = {"D": "im", "G": "group"}.get(channel[:1], "channel")
            subtype = ev.get("subtype")
            if channel and subtype in (None, "file_share", "thread_broadcast", "bot_message"):
                with self._cond:
                    if self._find(channel, ev["ts"]) is None:
                        stored = {k: v for k, v in ev.items() if k not in ("channel", "event_ts", "channel_type")}
                        stored.setdefault("blocks", _rich_text(ev.get("text", "")))
                        self._store(channel, copy.deepcopy(stored))
        else:
            ev.setdefault("event_ts", self._next_ts())
        return ev

    # ------------------------------------------------------------------ internals: HTTP Web API

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        data = value.file.read()
                        params[key] = {"filename": value.filename, "size": len(data)}
                    else:
                        params[key] = value
            else:
                raw = await request.text()
                try:
                    body = json.loads(raw) if raw else {}
                    if isinstance(body, dict):
                        params.update(body)
                except ValueError:
                    params["_raw_body"] = raw
        for key in _JSON_FIELDS:
            value = params.get(key)
            if isinstance(value, str) and value[:1] in ("[", "{"):
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    pass
        return params

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        headers = _Headers(request.headers.items())
        try:
            params = await self._read_params(request)
        except Exception:
            params = {}
            bad_body = True
        else:
            bad_body = False
        token = params.pop("token", None)
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        call = Call(method=method, params=params, headers=headers, time=time.monotonic(), token=token, verb=request.method)

        if time.monotonic() < self._outage_until:
            return self._error_response(call, "service_unavailable", status=503)
        delay = self._take_delay(method)
        if delay:
            with self._cond:
                self.stalled.append(call)
                self._cond.notify_all()
            await asyncio.sleep(delay)  # Slack stalls, then does the work all the same
            with self._cond:
                self.stalled.remove(call)
        fault = self._take_fault(method)
        if fault is not None:
            return self._fault_response(call, fault)
        if bad_body:
            return self._error_response(call, "invalid_form_data")
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return self._error_response(call, "unknown_method")
        if not token:
            return self._error_response(call, "not_authed")
        if self.valid_tokens is not None and token not in self.valid_tokens:
            return self._error_response(call, "invalid_auth")
        # App-level (xapp-) tokens open sockets and little else; bot tokens cannot open sockets.
        is_app_token = token.startswith("xapp-")
        if (method == "apps.connections.open" and not is_app_token) or (
            is_app_token and method not in _APP_TOKEN_METHODS
        ):
            return self._error_response(call, "not_allowed_token_type")
        try:
            with self._cond:
                body = handler(params)
                body = {"ok": True, **body}
                self.calls.append(call)
                self._cond.notify_all()
        except _SlackError as exc:
            return self._error_response(call, exc.error, **exc.extra)
        except Exception:
            log.exception("fake Slack: %s crashed", method)
            return self._error_response(call, "internal_error", status=500)
        return self._json(body)

    def _json(self, body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        hdrs = {"X-Slack-Req-Id": secrets.token_hex(16)}
        hdrs.update(headers or {})
        return web.json_response(body, status=status, headers=hdrs, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    def _error_response(self, call: Call, error: str, *, status: int = 200, **extra: Any) -> web.Response:
        call.status, call.error = status, error
        self._record(call)
        return self._json({"ok": False, "error": error, **extra}, status=status)

    def _fault_response(self, call: Call, fault: _Fault) -> web.Response:
        call.status, call.error = fault.status, fault.error
        self._record(call)
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
        if call.method == "response_url":
            return web.Response(status=fault.status, text=fault.error or "", headers=headers)
        return self._json({"ok": False, "error": fault.error}, status=fault.status, headers=headers)

    # -- message validation shared by postMessage / update / postEphemeral / response_url

    @staticmethod
    def _check_content(params: dict[str, Any], *, require: bool = True) -> None:
        text = params.get("text")
        blocks = params.get("blocks")
        attachments = params.get("attachments")
        if require and not text and not blocks and not attachments:
            raise _SlackError("no_text")
        if isinstance(text, str) and len(text) > _MAX_TEXT:
            raise _SlackError("msg_too_long")
        if blocks is not None and blocks != []:
            errors = block_errors(blocks)
            if errors:
                raise _SlackError(
                    "invalid_blocks",
                    errors=errors,
                    response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
                )

    @staticmethod
    def _channel(params: dict[str, Any], key: str = "channel") -> str:
        channel = params.get(key)
        if not channel or not isinstance(channel, str):
            raise _SlackError("channel_not_found")
        return channel

    def _require_message(self, channel: str, ts: Any) -> dict[str, Any]:
        msg = self._find(channel, ts) if isinstance(ts, str) else None
        if msg is None:
            raise _SlackError("message_not_found")
        return msg

    @staticmethod
    def _public(msg: dict[str, Any], include_metadata: bool = True) -> dict[str, Any]:
        out = {k: copy.deepcopy(v) for k, v in msg.items() if v is not None}
        if not include_metadata:
            out.pop("metadata", None)
        return out

    # -- methods (each runs under self._cond and returns the body without "ok")

    def _api_api_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"args": params}

    def _api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Fake Workspace",
            "user": "lg-ai",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _api_apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        ticket = str(uuid.uuid4())
        self._tickets.add(ticket)
        return {"url": f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"}

    def _api_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        self._check_content(params)
        ts = self._next_ts()
        msg = self._bot_message(params.get("text") or "", ts)
        msg["blocks"] = params.get("blocks") or _rich_text(params.get("text") or "")
        for key in ("attachments", "metadata"):
            if params.get(key):
                msg[key] = params[key]
        if params.get("thread_ts"):
            msg["thread_ts"] = str(params["thread_ts"])
            if _truthy(params.get("reply_broadcast")):
                msg["subtype"] = "thread_broadcast"
        self._store(channel, msg)
        return {"channel": channel, "ts": ts, "message": self._public(msg)}

    def _api_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        user = params.get("user")
        if not user:
            raise _SlackError("user_not_in_channel")
        self._check_content(params)
        ts = self._next_ts()
        self._ephemeral.append(
            {
                "channel": channel,
                "user": user,
                "text": params.get("text") or "",
                "blocks": params.get("blocks"),
                "thread_ts": params.get("thread_ts"),
                "ts": ts,
                "source": "chat.postEphemeral",
            }
        )
        self._cond.notify_all()
        return {"message_ts": ts}

    def _api_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        msg = self._require_message(channel, params.get("ts"))
        if msg.get("user") != self.bot_user_id:
            raise _SlackError("cant_update_message")
        self._check_content(params, require=False)
        if "text" in params:
            msg["text"] = params["text"] or ""
        if params.get("blocks") is not None:
            msg["blocks"] = params["blocks"] or _rich_text(msg["text"])
        elif "text" in params:
            msg["blocks"] = _rich_text(msg["text"])
        for key in ("attachments", "metadata"):
            if params.get(key) is not None:
                msg[key] = params[key]
        msg["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        self._cond.notify_all()
        return {"channel": channel, "ts": msg["ts"], "text": msg["text"], "message": self._public(msg)}

    def _api_chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        msg = self._require_message(channel, params.get("ts"))
        if msg.get("user") != self.bot_user_id:
            raise _SlackError("cant_delete_message")
        self._channels[channel].remove(msg)
        self._cond.notify_all()
        return {"channel": channel, "ts": msg["ts"]}

    def _api_chat_getPermalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        msg = self._require_message(channel, params.get("message_ts"))
        link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{msg['ts'].replace('.', '')}"
        return {"channel": channel, "permalink": link}

    def _api_chat_startStream(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        if not params.get("thread_ts"):
            raise _SlackError("invalid_arguments")
        ts = self._next_ts()
        msg = self._bot_message("", ts)
        msg["thread_ts"] = str(params["thread_ts"])
        msg["streaming"] = True
        self._append_stream(msg, params)
        self._streams[(channel, ts)] = "in_progress"
        self._store(channel, msg)
        return {"channel": channel, "ts": ts}

    def _stream_message(self, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        channel = self._channel(params)
        msg = self._require_message(channel, params.get("ts"))
        if self._streams.get((channel, msg["ts"])) != "in_progress":
            raise _SlackError("message_not_in_streaming_state")
        return channel, msg

    @staticmethod
    def _append_stream(msg: dict[str, Any], params: dict[str, Any]) -> None:
        text = params.get("markdown_text") or ""
        for chunk in params.get("chunks") or []:
            if isinstance(chunk, dict) and chunk.get("type") == "markdown_text":
                text += chunk.get("text", "")
            elif isinstance(chunk, dict):
                msg.setdefault("chunks", []).append(chunk)
        if len(text) > 12_000:
            raise _SlackError("msg_too_long")
        msg["text"] = msg.get("text", "") + text
        msg["blocks"] = [{"type": "markdown", "text": msg["text"]}] if msg["text"] else []

    def _api_chat_appendStream(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, msg = self._stream_message(params)
        self._append_stream(msg, params)
        self._cond.notify_all()
        return {"channel": channel, "ts": msg["ts"]}

    def _api_chat_stopStream(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, msg = self._stream_message(params)
        if params.get("blocks"):
            self._check_content({"blocks": params["blocks"]}, require=False)
        self._append_stream(msg, params)
        if params.get("blocks"):
            msg["blocks"] = msg["blocks"] + list(params["blocks"])
        if params.get("metadata"):
            msg["metadata"] = params["metadata"]
        msg.pop("streaming", None)
        self._streams[(channel, msg["ts"])] = "completed"
        self._cond.notify_all()
        return {"channel": channel, "ts": msg["ts"], "message": self._public(msg)}

    def _api_reactions_add(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        msg = self._require_message(channel, params.get("timestamp"))
        name = params.get("name")
        if not name:
            raise _SlackError("invalid_name")
        reactions = msg.setdefault("reactions", [])
        for r in reactions:
            if r["name"] == name:
                if self.bot_user_id in r["users"]:
                    raise _SlackError("already_reacted")
                r["users"].append(self.bot_user_id)
                r["count"] += 1
                break
        else:
            reactions.append({"name": name, "users": [self.bot_user_id], "count": 1})
        self._cond.notify_all()
        return {}

    def _api_reactions_remove(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        msg = self._require_message(channel, params.get("timestamp"))
        name = params.get("name")
        for r in msg.get("reactions", []):
            if r["name"] == name and self.bot_user_id in r["users"]:
                r["users"].remove(self.bot_user_id)
                r["count"] -= 1
                if r["count"] == 0:
                    msg["reactions"].remove(r)
                if not msg["reactions"]:
                    del msg["reactions"]
                self._cond.notify_all()
                return {}
        raise _SlackError("no_reaction")

    def _api_reactions_get(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        msg = self._require_message(channel, params.get("timestamp"))
        return {"type": "message", "channel": channel, "message": self._public(msg)}

    @staticmethod
    def _page(items: list[dict[str, Any]], params: dict[str, Any], default_limit: int) -> tuple[list, dict]:
        try:
            limit = int(params.get("limit") or default_limit)
        except ValueError:
            raise _SlackError("invalid_limit")
        limit = max(1, min(limit, 1000))
        offset = 0
        cursor = params.get("cursor")
        if cursor:
            try:
                offset = int(base64.b64decode(cursor).decode().partition(":")[2])
            except Exception:
                raise _SlackError("invalid_cursor")
        page = items[offset : offset + limit]
        more = offset + limit < len(items)
        next_cursor = base64.b64encode(f"offset:{offset + limit}".encode()).decode() if more else ""
        return page, {"has_more": more, "response_metadata": {"next_cursor": next_cursor}}

    @staticmethod
    def _in_range(ts: str, params: dict[str, Any]) -> bool:
        inclusive = _truthy(params.get("inclusive"))
        oldest, latest = params.get("oldest"), params.get("latest")
        if oldest and (ts < oldest or (ts == oldest and not inclusive)):
            return False
        if latest and (ts > latest or (ts == latest and not inclusive)):
            return False
        return True

    def _api_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        msg = self._find(channel, params.get("ts") or "")
        if msg is None:
            raise _SlackError("thread_not_found")
        root_ts = msg.get("thread_ts") or msg["ts"]
        parent = self._find(channel, root_ts) or msg
        with_meta = _truthy(params.get("include_all_metadata"))
        replies = [
            m
            for m in self._channels[channel]
            if m.get("thread_ts") == root_ts and m["ts"] != root_ts and self._in_range(m["ts"], params)
        ]
        items = [self._public(m, with_meta) for m in [parent, *replies]]
        page, meta = self._page(items, params, 1000)
        return {"messages": page, **meta}

    def _api_conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        with_meta = _truthy(params.get("include_all_metadata"))
        top = [
            m
            for m in self._channels.get(channel, [])
            if (not m.get("thread_ts") or m["thread_ts"] == m["ts"] or m.get("subtype") == "thread_broadcast")
            and self._in_range(m["ts"], params)
        ]
        items = [self._public(m, with_meta) for m in reversed(top)]
        page, meta = self._page(items, params, 100)
        return {"messages": page, "pin_count": 0, **meta}

    def _api_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        is_im = channel.startswith("D")
        info: dict[str, Any] = {
            "id": channel,
            "is_channel": not is_im,
            "is_im": is_im,
            "is_private": channel.startswith("G"),
            "is_member": True,
            "created": 1_600_000_000,
        }
        if is_im:
            info["user"] = "U1"
        else:
            info["name"] = f"channel-{channel.lower()}"
        return {"channel": info}

    def _api_conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = params.get("users") or ""
        if not users and not params.get("channel"):
            raise _SlackError("users_list_not_supplied")
        channel = params.get("channel") or "D" + users.split(",")[0].lstrip("UW")
        return {"channel": {"id": channel}}

    def _thread_state(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = params.get("channel_id")
        thread_ts = params.get("thread_ts")
        if not channel_id or not thread_ts:
            raise _SlackError("invalid_arguments")
        return self.assistant_threads.setdefault((channel_id, str(thread_ts)), {"status_history": []})

    def _api_assistant_threads_setStatus(self, params: dict[str, Any]) -> dict[str, Any]:
        state = self._thread_state(params)
        if "status" not in params:
            raise _SlackError("invalid_arguments")
        state["status"] = params["status"]
        state["status_history"].append(params["status"])
        if params.get("loading_messages"):
            state["loading_messages"] = params["loading_messages"]
        self._cond.notify_all()
        return {}

    def _api_assistant_threads_setSuggestedPrompts(self, params: dict[str, Any]) -> dict[str, Any]:
        state = self._thread_state(params)
        prompts = params.get("prompts")
        if not isinstance(prompts, list) or not prompts or len(prompts) > 4:
            raise _SlackError("invalid_arguments")
        for p in prompts:
            if not isinstance(p, dict) or not p.get("title") or not p.get("message"):
                raise _SlackError("invalid_arguments")
        state["prompts"] = prompts
        if params.get("title"):
            state["prompts_title"] = params["title"]
        self._cond.notify_all()
        return {}

    def _api_assistant_threads_setTitle(self, params: dict[str, Any]) -> dict[str, Any]:
        state = self._thread_state(params)
        if not params.get("title"):
            raise _SlackError("invalid_arguments")
        state["title"] = params["title"]
        self._cond.notify_all()
        return {}

    def _api_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user")
        if not user_id:
            raise _SlackError("user_not_found")
        is_bot = user_id == self.bot_user_id
        name = "lg-ai" if is_bot else f"user-{user_id.lower()}"
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": False,
            "real_name": "LG AI" if is_bot else f"User {user_id}",
            "tz": "Asia/Seoul",
            "tz_label": "Korea Standard Time",
            "tz_offset": 32400,
            "is_bot": is_bot,
            "is_admin": False,
            "is_app_user": False,
            "profile": {
                "real_name": "LG AI" if is_bot else f"User {user_id}",
                "display_name": name,
                "team": self.team_id,
            },
        }
        if is_bot:
            user["profile"]["bot_id"] = self.bot_id
        user.update(copy.deepcopy(self.users.get(user_id, {})))
        return {"user": user}

    def _api_bots_info(self, params: dict[str, Any]) -> dict[str, Any]:
        bot = params.get("bot")
        if not bot:
            raise _SlackError("bot_not_found")
        info: dict[str, Any] = {
            "id": bot,
            "deleted": False,
            "name": "LG AI" if bot == self.bot_id else f"bot-{bot.lower()}",
            "updated": 1_700_000_000,
            "app_id": self.app_id if bot == self.bot_id else f"A{bot}",
            "icons": {},
        }
        if bot == self.bot_id:
            info["user_id"] = self.bot_user_id
        return {"bot": info}

    def _api_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            raise _SlackError("invalid_arguments")
        if "blocks" in view and block_errors(view["blocks"]):
            raise _SlackError("invalid_arguments", response_metadata={"messages": block_errors(view["blocks"])})
        return {"view": {**view, "id": f"V{next(self._ids):08d}", "team_id": self.team_id}}

    _api_views_publish = _api_views_open
    _api_views_update = _api_views_open
    _api_views_push = _api_views_open

    # ------------------------------------------------------------------ internals: response_url

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        hook_id = request.match_info["hook_id"]
        headers = _Headers(request.headers.items())
        raw = await request.text()
        try:
            body = json.loads(raw) if raw else {}
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            body = None
        params = dict(body or {})
        params["_response_id"] = hook_id
        call = Call(method="response_url", params=params, headers=headers, time=time.monotonic())

        fault = self._take_fault("response_url")
        if fault is not None:
            return self._fault_response(call, fault)

        def fail(status: int, error: str) -> web.Response:
            call.status, call.error = status, error
            self._record(call)
            return web.Response(status=status, text=error)

        if body is None:
            return fail(400, "invalid_payload")
        with self._cond:
            hook = self._hooks.get(hook_id)
            if hook is None:
                return fail(404, "no_active_hooks")
            if hook.uses >= 5:  # Slack allows five responses per response_url
                return fail(404, "used_url")
            try:
                self._apply_response(hook, body)
            except _SlackError as exc:
                return fail(400, exc.error)
            hook.uses += 1
            self.calls.append(call)
            self._cond.notify_all()
        return web.Response(text="ok")

    def _apply_response(self, hook: _ResponseHook, body: dict[str, Any]) -> None:
        """Apply response_url semantics: delete/replace the original, or post a new message."""
        has_content = bool(body.get("text") or body.get("blocks") or body.get("attachments"))
        if body.get("blocks") is not None:
            self._check_content(body, require=False)
        if _truthy(body.get("delete_original")):
            if hook.ephemeral:
                self._ephemeral = [
                    m for m in self._ephemeral if not (m["channel"] == hook.channel and m["ts"] == hook.message_ts)
                ]
            elif hook.message_ts:
                msg = self._find(hook.channel, hook.message_ts)
                if msg is not None:
                    self._channels[hook.channel].remove(msg)
            if not has_content:
                return
        if _truthy(body.get("replace_original")) and hook.message_ts:
            if not has_content:
                raise _SlackError("no_text")
            if hook.ephemeral:
                for m in self._ephemeral:
                    if m["channel"] == hook.channel and m["ts"] == hook.message_ts:
                        m.update(text=body.get("text") or "", blocks=body.get("blocks"))
            else:
                msg = self._find(hook.channel, hook.message_ts)
                if msg is not None:
                    msg["text"] = body.get("text") or ""
                    msg["blocks"] = body.get("blocks") or _rich_text(msg["text"])
            return
        if not has_content:
            raise _SlackError("no_text")
        thread_ts = body.get("thread_ts") or hook.thread_ts
        if body.get("response_type") == "in_channel":
            msg = self._bot_message(body.get("text") or "", self._next_ts())
            msg["blocks"] = body.get("blocks") or _rich_text(msg["text"])
            if thread_ts:
                msg["thread_ts"] = thread_ts
            self._store(hook.channel, msg)
        else:
            self._ephemeral.append(
                {
                    "channel": hook.channel,
                    "user": hook.user,
                    "text": body.get("text") or "",
                    "blocks": body.get("blocks"),
                    "thread_ts": thread_ts,
                    "ts": self._next_ts(),
                    "source": "response_url",
                }
            )

    # ------------------------------------------------------------------ internals: Socket Mode

    def _call_in_loop(self, coro: Any, timeout: float = 10.0) -> Any:
        if self._loop is None:
            coro.close()
            raise RuntimeError("FakeSlack is not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _push(self, frame: dict[str, Any], to: int | None = None) -> str:
        eid = frame["envelope_id"]
        with self._cond:
            self._envelopes[eid] = _Envelope(frame=frame, root=eid, pushed_at=time.monotonic())
        if self._loop is None:
            raise RuntimeError("FakeSlack is not started")
        self._loop.call_soon_threadsafe(self._dispatch, json.dumps(frame, ensure_ascii=False), to)
        return eid

    def _target(self, to: int | None = None) -> _Conn | None:
        for conn in reversed(self._conns):
            if conn.live and not conn.draining and (to is None or conn.id == to):
                return conn
        return None if to is None else self._target()

    def _take_delay(self, method: str) -> float:
        with self._cond:
            queue = self._delays.get(method)
            if not queue:
                return 0.0
            entry = queue[0]
            entry[1] -= 1
            if entry[1] <= 0:
                queue.popleft()
            return entry[0]

    async def _silence_all(self) -> None:
        for conn in list(self._conns):
            if conn.live and not conn.draining:
                conn.live = False
                if conn.transport is not None:
                    conn.transport.pause_reading()  # no pongs, no acks: the peer hears nothing
                while not conn.queue.empty():
                    self._dispatch(conn.queue.get_nowait())

    def _dispatch(self, raw: str, to: int | None = None) -> None:
        """Route a frame to the chosen (or newest) usable connection, or hold it until one opens (loop thread)."""
        conn = self._target(to)
        if conn is None:
            self._outbox.append(raw)
        else:
            conn.queue.put_nowait(raw)

    async def _handle_link(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        with self._cond:
            valid = ticket in self._tickets
            self._tickets.discard(ticket)  # tickets are single use, like Slack's
        if not valid:
            with self._cond:
                self.refused_handshakes.append(ticket)
                self._cond.notify_all()
            return web.Response(status=401, text="invalid or already used ticket")
        # timeout bounds the close handshake so a hung client cannot stall stop()/disconnect().
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0, timeout=2.0)
        await ws.prepare(request)
        with self._cond:
            conn_id = self._connections_opened + 1
            num = sum(1 for c in self._conns if c.live) + 1
        hello = {
            "type": "hello",
            "num_connections": num,
            "debug_info": {
                "host": "applink-fake-1",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }
        await ws.send_str(json.dumps(hello))
        conn = _Conn(id=conn_id, ws=ws, queue=asyncio.Queue(), opened_at=time.monotonic(), transport=request.transport)
        with self._cond:
            self._conns.append(conn)
            self._connections_opened += 1
            self._cond.notify_all()
        while self._outbox:
            conn.queue.put_nowait(self._outbox.popleft())
        assert self._new_conn_event is not None
        self._new_conn_event.set()
        sender = asyncio.create_task(self._sender(conn))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_client_frame(msg.data)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            conn.live = False
            sender.cancel()
            with _suppress():
                await sender
            with self._cond:
                if conn in self._conns:
                    self._conns.remove(conn)
                self._cond.notify_all()
            # Frames this connection never wrote go to the next connection.
            while not conn.queue.empty():
                self._dispatch(conn.queue.get_nowait())
        return ws

    async def _sender(self, conn: _Conn) -> None:
        while True:
            raw = await conn.queue.get()
            if not conn.live or conn.ws.closed:
                self._dispatch(raw)
                continue
            try:
                await conn.ws.send_str(raw)
            except Exception:
                self._dispatch(raw)
                return
            frame = json.loads(raw)
            eid = frame.get("envelope_id")
            now = time.monotonic()
            with self._cond:
                self.deliveries.append(frame)
                env = self._envelopes.get(eid) if eid else None
                if env is not None and env.sent_at is None:
                    env.sent_at = now
                self._cond.notify_all()
            if env is not None and self.redeliver_after is not None and frame.get("type") == "events_api":
                asyncio.get_running_loop().call_later(self.redeliver_after, self._maybe_redeliver, eid)

    def _maybe_redeliver(self, eid: str) -> None:
        """Slack retries an unacked event with a new envelope, retry_attempt+1, reason "timeout"."""
        with self._cond:
            env = self._envelopes.get(eid)
            if env is None or env.root in self._acked_roots:
                return
            attempt = int(env.frame.get("retry_attempt") or 0)
            if attempt >= _MAX_REDELIVERIES:
                return
            frame = dict(env.frame)
            frame.update(envelope_id=str(uuid.uuid4()), retry_attempt=attempt + 1, retry_reason="timeout")
            self._envelopes[frame["envelope_id"]] = _Envelope(frame=frame, root=env.root, pushed_at=time.monotonic())
        self._dispatch(json.dumps(frame, ensure_ascii=False))

    def _on_client_frame(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            message = None
        if not isinstance(message, dict) or "envelope_id" not in message:
            with self._cond:
                self.unexpected_frames.append(data)
            return
        eid = str(message["envelope_id"])
        now = time.monotonic()
        with self._cond:
            env = self._envelopes.get(eid)
            ack = Ack(
                envelope_id=eid,
                payload=message.get("payload"),
                time=now,
                pushed_at=env.pushed_at if env else now,
                sent_at=env.sent_at if env else None,
                retry_attempt=int(env.frame.get("retry_attempt") or 0) if env else 0,
                type=env.frame.get("type", "") if env else "",
            )
            self.acks.setdefault(eid, ack)
            if env is not None:
                self._acked_roots.add(env.root)
                if env.root != eid and env.root not in self.acks:
                    root = self._envelopes[env.root]
                    self.acks[env.root] = dataclasses.replace(ack, pushed_at=root.pushed_at)
            self._cond.notify_all()

    async def _disconnect(self, reason: str, close_after: float) -> None:
        targets = [c for c in self._conns if c.live and not c.draining]
        frame = json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake-1"}})
        assert self._new_conn_event is not None
        self._new_conn_event.clear()
        for conn in targets:
            conn.draining = True
            with _suppress():
                await conn.ws.send_str(frame)
            while not conn.queue.empty():
                self._dispatch(conn.queue.get_nowait())

        async def close_later() -> None:
            assert self._new_conn_event is not None
            with _suppress():
                await asyncio.wait_for(self._new_conn_event.wait(), close_after)
            for conn in targets:
                with _suppress():
                    await conn.ws.close(code=1000, message=reason.encode())

        asyncio.get_running_loop().create_task(close_later())

    async def _drop_all(self, code: int) -> None:
        for conn in list(self._conns):
            conn.draining = True
            with _suppress():
                await conn.ws.close(code=code, message=b"dropped")


class _suppress:
    """``contextlib.suppress(Exception)`` that also swallows cancellation noise on shutdown."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: object) -> bool:
        return exc_type is not None and issubclass(exc_type, (Exception, asyncio.CancelledError))
