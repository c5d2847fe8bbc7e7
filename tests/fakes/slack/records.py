"""What the fake Slack records and keeps: calls, acks, envelopes, connections, faults; small helpers."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Iterable

from aiohttp import web

class Headers(dict):
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
class Fault:
    status: int
    error: str | None
    retry_after: int | None
    remaining: int



@dataclass
class Envelope:
    frame: dict[str, Any]
    root: str
    pushed_at: float
    sent_at: float | None = None



@dataclass
class Conn:
    id: int
    ws: web.WebSocketResponse
    queue: "asyncio.Queue[str]"
    opened_at: float
    live: bool = True
    draining: bool = False
    transport: Any = None



@dataclass
class ResponseHook:
    channel: str
    user: str
    message_ts: str | None = None
    thread_ts: str | None = None
    ephemeral: bool = False
    uses: int = 0



class SlackError(Exception):
    """Raised by a method implementation to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra



def truthy(value: Any) -> bool:
    return value in (True, 1) or (isinstance(value, str) and value.lower() in ("1", "true", "yes"))



class suppress:
    """``contextlib.suppress(Exception)`` that also swallows cancellation noise on shutdown."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: object) -> bool:
        return exc_type is not None and issubclass(exc_type, (Exception, asyncio.CancelledError))


