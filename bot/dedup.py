"""Bounded, thread-safe "have we seen this?" sets for exactly-once answering.

Slack redelivers events (HTTP retries with `x-slack-retry-num`, Socket Mode
envelopes with `retry_attempt`) and one message can arrive as both an
`app_mention` and a `message` event. Each is claimed once here; the sets are
bounded by size and age so a long-running worker does not grow.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SeenSet:
    """Remembers keys for `ttl` seconds, at most `capacity` of them (oldest dropped first)."""

    def __init__(self, capacity: int = 20_000, ttl: float = 3600.0, clock: Callable[[], float] = time.monotonic):
        self._capacity = capacity
        self._ttl = ttl
        self._clock = clock
        self._items: OrderedDict[Hashable, float] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, key: Hashable) -> bool:
        """True the first time `key` is seen (and remembers it), False for a repeat."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            if key in self._items:
                return False
            self._items[key] = now
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
            return True

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            self._expire(self._clock())
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def _expire(self, now: float) -> None:
        while self._items:
            seen_at = next(iter(self._items.values()))
            if now - seen_at <= self._ttl:
                break
            self._items.popitem(last=False)


class LruCache(Generic[K, V]):
    """A small thread-safe LRU map (answers kept for the share button, thread memberships)."""

    def __init__(self, capacity: int = 1000):
        self._capacity = capacity
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
