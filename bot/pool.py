"""The thread pool that answers questions, apart from Bolt's listener threads.

Listeners only ack and enqueue, so an ack never waits behind a slow answer
(50 questions at once are all acked in milliseconds). The pool also counts
in-flight answers so SIGTERM can stop new work and wait, bounded, for them.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

log = logging.getLogger(__name__)


class AnswerPool:
    def __init__(self, workers: int = 8):
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="answer")
        self._inflight = 0
        self._draining = False
        self._cond = threading.Condition()

    @property
    def draining(self) -> bool:
        return self._draining

    @property
    def inflight(self) -> int:
        with self._cond:
            return self._inflight

    def submit(self, job: Callable[[], None]) -> Future | None:
        """Run `job` in the pool; None (job dropped) once draining has begun."""
        with self._cond:
            if self._draining:
                return None
            self._inflight += 1

        def run() -> None:
            try:
                job()
            except Exception:  # jobs log their own failures; this is the last net
                log.exception("answer job failed")
            finally:
                with self._cond:
                    self._inflight -= 1
                    self._cond.notify_all()

        return self._executor.submit(run)

    def drain(self, timeout: float) -> bool:
        """Refuse new jobs and wait up to `timeout` s for running ones; True if all finished."""
        with self._cond:
            self._draining = True
            finished = self._cond.wait_for(lambda: self._inflight == 0, timeout=timeout)
        self._executor.shutdown(wait=False, cancel_futures=True)
        return finished
