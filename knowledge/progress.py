"""Progress of long jobs (indexing, eval): a tqdm bar on a terminal, plain log lines otherwise.

A release step or a worker's log is not a terminal: a bar there is a mess of
carriage returns, so it gets one log line per tenth of the work (at most eleven
lines) instead. tqdm is imported only when a bar is actually drawn.
"""
from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from typing import IO, Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class Progress:
    """Counts units of work done out of `total`; use as a context manager."""

    def __init__(self, total: int, desc: str, *, unit: str = "it", stream: IO[str] | None = None) -> None:
        self.total = max(0, int(total))
        self.desc = desc
        self.unit = unit
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._bar = None
        self._started = time.perf_counter()
        self._logged_tenths = 0
        if self.total and _is_terminal(self._stream):
            from tqdm import tqdm

            self._bar = tqdm(total=self.total, desc=desc, unit=unit, file=self._stream, leave=False, dynamic_ncols=True)
        elif self.total:
            log.info("%s: %d %s to do", desc, self.total, unit)

    def update(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        if not self.total:
            return
        tenths = min(10, self.done * 10 // self.total)
        if tenths > self._logged_tenths:
            self._logged_tenths = tenths
            log.info("%s: %d/%d %s (%d%%, %.1fs)", self.desc, self.done, self.total, self.unit,
                     100 * self.done // self.total, time.perf_counter() - self._started)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class Tracked(Generic[T]):
    """`items` with progress reported as they are iterated; keeps `len()`."""

    def __init__(self, items: Iterable[T], desc: str, *, unit: str = "it", stream: IO[str] | None = None) -> None:
        self._items = list(items)
        self._desc, self._unit, self._stream = desc, unit, stream

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        with Progress(len(self._items), self._desc, unit=self._unit, stream=self._stream) as progress:
            for item in self._items:
                yield item
                progress.update()


def track(items: Iterable[T], desc: str, *, unit: str = "it", stream: IO[str] | None = None) -> Tracked[T]:
    return Tracked(items, desc, unit=unit, stream=stream)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
