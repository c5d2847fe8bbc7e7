"""In-memory `Store`: the default for one worker, and the fallback while Redis is down.

Bounded by size and age, so a long-running worker does not grow.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

from bot.state.base import ANSWER_TTL_SECONDS, DONE_TTL_SECONDS, THREAD_TTL_SECONDS, Claim
from knowledge.models import Answer

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_DONE = "\x00done"


class ExpiringMap(Generic[K, V]):
    """A thread-safe map whose entries expire at their own deadline; at most `capacity` (oldest dropped)."""

    def __init__(self, capacity: int, clock: Callable[[], float] = time.monotonic):
        self._capacity = capacity
        self._clock = clock
        self._items: OrderedDict[K, tuple[V, float]] = OrderedDict()
        self.lock = threading.RLock()

    def get(self, key: K) -> V | None:
        with self.lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[1] <= self._clock():
                del self._items[key]
                return None
            return item[0]

    def put(self, key: K, value: V, ttl: float) -> None:
        with self.lock:
            self._items[key] = (value, self._clock() + ttl)
            self._items.move_to_end(key)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def delete(self, key: K) -> None:
        with self.lock:
            self._items.pop(key, None)

    def __len__(self) -> int:
        with self.lock:
            return len(self._items)


class MemoryStore:
    """Claims, thread memory and shareable answers of this process only."""

    name = "memory"

    def __init__(self, capacity: int = 20_000, clock: Callable[[], float] = time.monotonic):
        self.claims: ExpiringMap[str, str] = ExpiringMap(capacity, clock)
        self.threads: ExpiringMap[tuple[str, str], bool] = ExpiringMap(5_000, clock)
        self.answers: ExpiringMap[str, Answer] = ExpiringMap(1_000, clock)

    def claim(self, key: str, owner: str, lease: float) -> Claim:
        with self.claims.lock:
            holder = self.claims.get(key)
            if holder == _DONE:
                return Claim.DONE
            if holder is not None:
                return Claim.BUSY  # even our own: a repeat while we are answering it
            self.claims.put(key, owner, lease)
            return Claim.CLAIMED

    def peek(self, key: str) -> Claim | None:
        holder = self.claims.get(key)
        return None if holder is None else Claim.DONE if holder == _DONE else Claim.BUSY

    def renew(self, keys: list[str], owner: str, lease: float) -> list[str]:
        lost = []
        with self.claims.lock:
            for key in keys:
                if self.claims.get(key) == owner:
                    self.claims.put(key, owner, lease)
                else:
                    lost.append(key)
        return lost

    def finish(self, key: str, owner: str) -> None:
        with self.claims.lock:
            if self.claims.get(key) in (owner, None):
                self.claims.put(key, _DONE, DONE_TTL_SECONDS)

    def release(self, key: str, owner: str) -> None:
        with self.claims.lock:
            if self.claims.get(key) == owner:
                self.claims.delete(key)

    def set_thread(self, channel: str, thread_ts: str, member: bool) -> None:
        self.threads.put((channel, thread_ts), member, THREAD_TTL_SECONDS)

    def get_thread(self, channel: str, thread_ts: str) -> bool | None:
        return self.threads.get((channel, thread_ts))

    def put_answer(self, answer_id: str, answer: Answer) -> None:
        self.answers.put(answer_id, answer, ANSWER_TTL_SECONDS)

    def get_answer(self, answer_id: str) -> Answer | None:
        return self.answers.get(answer_id)

    def close(self) -> None:
        return None
