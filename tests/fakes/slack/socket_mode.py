"""The fake's Socket Mode: apps.connections.open tickets, websockets, envelopes, acks, redelivery, and the
network's bad days (disconnects, drops, silent sockets) with per-connection delivery."""
from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import secrets
import time
import uuid
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.slack.records import Ack, Conn, Envelope, ResponseHook, suppress
from tests.fakes.slack.web_api import TEAM_DOMAIN

_MAX_REDELIVERIES = 3


class SocketModeMixin:
    """Envelopes in, acks out; state lives on the FakeSlack that mixes this in."""

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
            self._hooks[hook_id] = ResponseHook(channel, user, message_ts, thread_ts, ephemeral)
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
        to: int | None = None,
    ) -> str:
        """Send a ``slash_commands`` envelope (response_url points at this fake); returns envelope_id.

        ``to``: the connection to deliver on (default: the newest).
        """
        payload = self.slash_command_payload(
            text, command=command, user_id=user_id, channel_id=channel_id, trigger_id=trigger_id
        )
        frame = {
            "envelope_id": str(uuid.uuid4()),
            "payload": payload,
            "type": "slash_commands",
            "accepts_response_payload": True,
        }
        return self._push(frame, to=to)

    def push_interactive(self, payload: dict[str, Any], *, to: int | None = None) -> str:
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
        return self._push(frame, to=to)

    def push_frame(self, frame: dict[str, Any], *, to: int | None = None) -> str:
        """Send a raw envelope (any type/payload, for odd envelopes); returns its envelope_id."""
        frame = {"envelope_id": str(uuid.uuid4()), "accepts_response_payload": False, **frame}
        return self._push(frame, to=to)

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

    def silence(self) -> None:
        """A silent TCP drop: the open sockets stay open but nothing goes either way (no pong, no frames).

        New envelopes wait for the next connection; the client must notice on its own.
        """
        self._call_in_loop(self._silence_all())

    def _push(self, frame: dict[str, Any], to: int | None = None) -> str:
        eid = frame["envelope_id"]
        with self._cond:
            self._envelopes[eid] = Envelope(frame=frame, root=eid, pushed_at=time.monotonic())
        if self._loop is None:
            raise RuntimeError("FakeSlack is not started")
        self._loop.call_soon_threadsafe(self._dispatch, json.dumps(frame, ensure_ascii=False), to)
        return eid

    def _target(self, to: int | None = None) -> Conn | None:
        for conn in reversed(self._conns):
            if conn.live and not conn.draining and (to is None or conn.id == to):
                return conn
        return None if to is None else self._target()

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
        conn = Conn(id=conn_id, ws=ws, queue=asyncio.Queue(), opened_at=time.monotonic(), transport=request.transport)
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
            with suppress():
                await sender
            with self._cond:
                if conn in self._conns:
                    self._conns.remove(conn)
                self._cond.notify_all()
            # Frames this connection never wrote go to the next connection.
            while not conn.queue.empty():
                self._dispatch(conn.queue.get_nowait())
        return ws

    async def _sender(self, conn: Conn) -> None:
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
            self._envelopes[frame["envelope_id"]] = Envelope(frame=frame, root=env.root, pushed_at=time.monotonic())
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
            with suppress():
                await conn.ws.send_str(frame)
            while not conn.queue.empty():
                self._dispatch(conn.queue.get_nowait())

        async def close_later() -> None:
            assert self._new_conn_event is not None
            with suppress():
                await asyncio.wait_for(self._new_conn_event.wait(), close_after)
            for conn in targets:
                with suppress():
                    await conn.ws.close(code=1000, message=reason.encode())

        asyncio.get_running_loop().create_task(close_later())

    async def _drop_all(self, code: int) -> None:
        for conn in list(self._conns):
            conn.draining = True
            with suppress():
                await conn.ws.close(code=code, message=b"dropped")

    async def _silence_all(self) -> None:
        for conn in list(self._conns):
            if conn.live and not conn.draining:
                conn.live = False
                if conn.transport is not None:
                    conn.transport.pause_reading()  # no pongs, no acks: the peer hears nothing
                while not conn.queue.empty():
                    self._dispatch(conn.queue.get_nowait())

