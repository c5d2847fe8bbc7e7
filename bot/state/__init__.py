"""Shared state behind one `Store` interface: in memory (one worker) or Redis (several).

`make_store(settings)` picks one. With Redis, a `FallbackStore` keeps the
worker answering when Redis goes away: one clear log line, in-memory dedup
until Redis answers again (checked every few seconds), one line when it does.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from bot.state.base import Claim, Store
from bot.state.memory import MemoryStore
from knowledge.models import Answer

__all__ = ["Claim", "FallbackStore", "MemoryStore", "Store", "make_store"]

log = logging.getLogger("bot.state")
T = TypeVar("T")


def describe_url(url: str) -> str:
    """host:port/db without credentials, for log lines."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}:{parts.port or 6379}{parts.path or ''}"


class FallbackStore:
    """Redis first; while it is unreachable, this worker's own memory (and say so once)."""

    def __init__(self, primary: Any, where: str, retry_after: float = 5.0, clock: Callable[[], float] = time.monotonic):
        import redis

        self.primary = primary
        self.memory = MemoryStore()
        self.where = where
        self._errors = (redis.ConnectionError, redis.TimeoutError, OSError)
        self._retry_after = retry_after
        self._clock = clock
        self._down_until: float | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "memory (Redis down)" if self.degraded else "redis"

    @property
    def degraded(self) -> bool:
        return self._down_until is not None

    def _call(self, op: str, *args: Any) -> Any:
        with self._lock:
            down_until = self._down_until
        if down_until is not None and self._clock() < down_until:
            return getattr(self.memory, op)(*args)
        try:
            result = getattr(self.primary, op)(*args)
        except self._errors as exc:
            with self._lock:
                first = self._down_until is None
                self._down_until = self._clock() + self._retry_after
            if first:
                log.error(
                    "Redis at %s is unreachable (%s): this worker keeps answering with in-memory dedup; "
                    "questions may be answered twice across workers until Redis is back",
                    self.where, type(exc).__name__,
                )
            return getattr(self.memory, op)(*args)
        if down_until is not None:
            with self._lock:
                self._down_until = None
            log.warning("Redis at %s is reachable again: shared dedup restored", self.where)
        return result

    def claim(self, key: str, owner: str, lease: float) -> Claim:
        if self.memory.peek(key) is not None:
            # Claimed here while Redis was down: Redis does not know it, this worker does.
            return self.memory.claim(key, owner, lease)
        return self._call("claim", key, owner, lease)

    def peek(self, key: str) -> Claim | None:
        return self._call("peek", key)

    def renew(self, keys: list[str], owner: str, lease: float) -> list[str]:
        lost = self._call("renew", keys, owner, lease)
        # Claims taken in memory while Redis was down are not in Redis: they are still ours.
        return [k for k in lost if self.memory.renew([k], owner, lease)]

    def finish(self, key: str, owner: str) -> None:
        if self.memory.peek(key) is not None:  # claimed here while Redis was down
            self.memory.finish(key, owner)
        self._call("finish", key, owner)

    def release(self, key: str, owner: str) -> None:
        self.memory.release(key, owner)
        self._call("release", key, owner)

    def set_thread(self, channel: str, thread_ts: str, member: bool) -> None:
        self._call("set_thread", channel, thread_ts, member)

    def get_thread(self, channel: str, thread_ts: str) -> bool | None:
        return self._call("get_thread", channel, thread_ts)

    def put_answer(self, answer_id: str, answer: Answer) -> None:
        self._call("put_answer", answer_id, answer)

    def get_answer(self, answer_id: str) -> Answer | None:
        return self._call("get_answer", answer_id)

    def close(self) -> None:
        try:
            self.primary.close()
        except Exception:  # closing a dead connection is not worth a traceback
            pass


def make_store(redis_url: str | None) -> Store:
    """In-memory without a URL; Redis (with the in-memory fallback) with one."""
    if not redis_url:
        return MemoryStore()
    from bot.state.redis_store import RedisStore, make_redis_client

    where = describe_url(redis_url)
    store = FallbackStore(RedisStore(make_redis_client(redis_url)), where)
    try:
        store.primary.client.ping()
        log.info("shared state in Redis at %s", where)
    except store._errors as exc:
        log.error("Redis at %s is unreachable at start-up (%s): answering with in-memory dedup until it is back",
                  where, type(exc).__name__)
        store._down_until = time.monotonic() + 5.0
    return store
