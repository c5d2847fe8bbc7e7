"""Claims on events and messages: held with a lease renewed while answering, settled at the end.

`Leases` renews every claim this worker holds from one thread, so a claim
outlives a slow answer but not a dead worker. `Watcher` handles the other
side: an event another worker is answering is not dropped but watched; if
that worker dies (its lease expires without the claim being settled) the
event is dispatched again here, so a retry that reached this worker is
answered instead of lost.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from bot.state import Claim, Store

log = logging.getLogger("bot.claims")


class Leases:
    """The claims this worker holds, renewed every lease/3 seconds until finished or released."""

    def __init__(self, store: Store, owner: str, lease: float):
        self.store = store
        self.owner = owner
        self.lease = lease
        self._held: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="claim-leases", daemon=True)
        self._thread.start()

    def claim(self, key: str) -> Claim:
        result = self.store.claim(key, self.owner, self.lease)
        if result is Claim.CLAIMED:
            with self._lock:
                self._held.add(key)
        return result

    def finish(self, keys: list[str]) -> None:
        """Answered (or deliberately ignored): a retry of these keys is a repeat."""
        for key in keys:
            with self._lock:
                self._held.discard(key)
            try:
                self.store.finish(key, self.owner)
            except Exception:
                log.exception("could not mark %s done", key)

    def release(self, keys: list[str]) -> None:
        """Not answered here (shutting down): another worker may take these keys at once."""
        for key in keys:
            with self._lock:
                self._held.discard(key)
            try:
                self.store.release(key, self.owner)
            except Exception:
                log.exception("could not release %s", key)

    @property
    def held(self) -> list[str]:
        with self._lock:
            return sorted(self._held)

    def renew_now(self) -> None:
        keys = self.held
        if not keys:
            return
        try:
            lost = self.store.renew(keys, self.owner, self.lease)
        except Exception:
            log.exception("could not renew %d claim(s)", len(keys))
            return
        for key in lost:
            with self._lock:
                still_held = key in self._held
                self._held.discard(key)
            if still_held:
                log.warning("claim %s was lost while answering (lease expired); another worker may answer too", key)

    def _run(self) -> None:
        while not self._stop.wait(self.lease / 3):
            self.renew_now()

    def stop(self) -> None:
        self._stop.set()


@dataclass
class _Watched:
    key: str
    body: dict[str, Any]
    headers: dict[str, Any]
    until: float


class Watcher:
    """Events another worker holds: re-dispatched here if its claim expires unsettled."""

    def __init__(self, store: Store, dispatch: Callable[[dict[str, Any], dict[str, Any]], Any], *,
                 max_wait: float, interval: float = 0.5, capacity: int = 1000):
        self.store = store
        self.dispatch = dispatch
        self.max_wait = max_wait
        self.interval = interval
        self.capacity = capacity
        self._watched: dict[str, _Watched] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="claim-watcher", daemon=True)
        self._thread.start()

    def watch(self, key: str, body: dict[str, Any], headers: dict[str, Any]) -> bool:
        with self._lock:
            if key in self._watched:
                return True
            if len(self._watched) >= self.capacity:
                log.warning("not watching %s: %d events already watched", key, len(self._watched))
                return False
            self._watched[key] = _Watched(key, body, headers, time.monotonic() + self.max_wait)
        return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._watched)

    def check(self) -> None:
        with self._lock:
            items = list(self._watched.values())
        for item in items:
            try:
                state = self.store.peek(item.key)
            except Exception:
                log.exception("could not check claim %s", item.key)
                continue
            if state is Claim.BUSY and time.monotonic() < item.until:
                continue
            with self._lock:
                self._watched.pop(item.key, None)
            if state is None:
                log.info("claim %s expired without an answer: answering it here", item.key)
                try:
                    self.dispatch(item.body, item.headers)
                except Exception:
                    log.exception("re-dispatch of %s failed", item.key)
            elif state is Claim.BUSY:
                log.warning("stopped watching %s after %.0fs (still held elsewhere)", item.key, self.max_wait)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self._watched:
                self.check()

    def stop(self) -> None:
        self._stop.set()
