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
import collections
import copy
import json
import itertools
import socket
import threading
import time
from typing import Any, Callable

from aiohttp import web

from tests.fakes.slack.blocks import rich_text
from tests.fakes.slack.records import Ack, Call, Conn, Envelope, Fault, ResponseHook, suppress
from tests.fakes.slack.socket_mode import SocketModeMixin
from tests.fakes.slack.web_api import APP_ID, WebApiMixin

__all__ = ["Ack", "Call", "FakeSlack"]


class FakeSlack(WebApiMixin, SocketModeMixin):
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
        self.assistant_threads: dict[tuple[str, str], dict[str, Any]] = {}

        self._faults: dict[str, collections.deque[Fault]] = collections.defaultdict(collections.deque)
        self._delays: dict[str, collections.deque[list[float]]] = collections.defaultdict(collections.deque)
        self.stalled: list[Call] = []  # calls held by delay_next right now
        self._outage_until = 0.0
        self._channels: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
        self._ephemeral: list[dict[str, Any]] = []
        self._streams: dict[tuple[str, str], str] = {}
        self._hooks: dict[str, ResponseHook] = {}
        self._tickets: set[str] = set()
        self._envelopes: dict[str, Envelope] = {}
        self._acked_roots: set[str] = set()
        self._connections_opened = 0
        self._ts_micros = 1_700_000_000_000_000
        self._ids = itertools.count(1)

        # Loop-thread-only state.
        self._conns: list[Conn] = []
        self._outbox: collections.deque[str] = collections.deque()
        self._new_conn_event: asyncio.Event | None = None

        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

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
            with suppress():
                await conn.ws.close(code=1001, message=b"server shutdown")
        if self._runner is not None:
            await self._runner.cleanup()
        pending = [t for t in asyncio.all_tasks(self._loop) if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

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
            self._faults[method].append(Fault(status, error, retry_after, times))

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
                "blocks": rich_text(text),
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

    def _take_fault(self, method: str) -> Fault | None:
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
                        stored.setdefault("blocks", rich_text(ev.get("text", "")))
                        self._store(channel, copy.deepcopy(stored))
        else:
            ev.setdefault("event_ts", self._next_ts())
        return ev

    def _call_in_loop(self, coro: Any, timeout: float = 10.0) -> Any:
        if self._loop is None:
            coro.close()
            raise RuntimeError("FakeSlack is not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

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

