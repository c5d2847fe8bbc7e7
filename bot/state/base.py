"""The `Store` protocol: what several workers must share to answer each question exactly once.

Claims: an event (event_id / trigger_id) or a message (channel:ts) is claimed
by one owner for a short lease. The owner renews the lease while it answers
and marks the claim done at the end; a worker that dies stops renewing, so its
claim expires and the worker that receives Slack's retry can take over.
Thread memory says in which threads the bot answered (follow-ups need no new
mention); the answer store keeps private answers for the Share button.
"""
from __future__ import annotations

import dataclasses
import json
from enum import Enum
from typing import Any, Protocol

from knowledge.models import Answer, Quote

# Done claims are remembered this long: Slack retries for about 5 minutes, redeliveries within the hour.
DONE_TTL_SECONDS = 3600
THREAD_TTL_SECONDS = 7 * 24 * 3600
ANSWER_TTL_SECONDS = 24 * 3600


class Claim(str, Enum):
    """Result of trying to claim a key."""

    CLAIMED = "claimed"  # ours now: go ahead
    BUSY = "busy"  # another owner holds a live lease: it is answering
    DONE = "done"  # already answered (or deliberately ignored)


class Store(Protocol):
    """Shared state; every method is safe to call from many threads."""

    name: str

    def claim(self, key: str, owner: str, lease: float) -> Claim: ...

    def peek(self, key: str) -> Claim | None:
        """The key's state without claiming it (None: free)."""
        ...

    def renew(self, keys: list[str], owner: str, lease: float) -> list[str]:
        """Extend our leases; returns the keys no longer ours (expired and taken, or done)."""
        ...

    def finish(self, key: str, owner: str) -> None:
        """Mark our claim done (kept DONE_TTL_SECONDS)."""
        ...

    def release(self, key: str, owner: str) -> None:
        """Give our claim up so another worker may take it."""
        ...

    def set_thread(self, channel: str, thread_ts: str, member: bool) -> None: ...

    def get_thread(self, channel: str, thread_ts: str) -> bool | None: ...

    def put_answer(self, answer_id: str, answer: Answer) -> None: ...

    def get_answer(self, answer_id: str) -> Answer | None: ...

    def close(self) -> None: ...


def encode_answer(answer: Answer) -> str:
    """JSON for the shared answer store (meta values that are not JSON become strings)."""
    return json.dumps(dataclasses.asdict(answer), ensure_ascii=False, default=str)


def decode_answer(raw: str | bytes) -> Answer:
    data: dict[str, Any] = json.loads(raw)
    quotes = tuple(Quote(**q) for q in data.pop("quotes", ()))
    fields = {f.name for f in dataclasses.fields(Answer)}
    return Answer(quotes=quotes, **{k: v for k, v in data.items() if k in fields})
