"""The thinking indicator (⏳ reaction, or the assistant pane's status), fire-and-forget.

Showing it never delays the answer: the calls run on a small pool of their own
with a short timeout. Clearing it is queued behind showing it, and retried
on connection errors and 5xx for as long as answers are, so it never stays.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Iterator

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.jobs import Job

log = logging.getLogger("bot.indicator")
THINKING_STATUS = "is reading the article… / 기사를 읽는 중…"


class Indicator:
    def __init__(self, client: WebClient, reaction: str, *, retry_for: float = 60.0, workers: int = 4):
        self.client = client  # short timeout, no retry handlers: see make_indicator_client
        self.reaction = reaction
        self.retry_for = retry_for
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="indicator")

    @contextmanager
    def showing(self, job: Job) -> Iterator[None]:
        shown = self._pool.submit(self._show, job)
        try:
            yield
        finally:
            self._pool.submit(self._clear, job, shown)

    def title(self, job: Job, title: str) -> None:
        if job.assistant_thread:
            self._pool.submit(self._call, "assistant.threads.setTitle",
                              dict(channel_id=job.channel, thread_ts=job.thread_ts, title=title))

    def _call(self, method: str, params: dict, *, retry: bool = False, wait_for_reaction: bool = False) -> bool | None:
        """True done, False refused by Slack, None unknown (timed out: it may have happened).

        `wait_for_reaction`: the ⏳ add timed out and may still land, so a
        `no_reaction` answer to its removal is retried too.
        """
        deadline = time.monotonic() + (self.retry_for if retry else 0)
        delay = 0.5
        while True:
            try:
                self.client.api_call(method, json=params)
                return True
            except SlackApiError as exc:
                error = exc.response.get("error")
                if error == "already_reacted":
                    return True
                if error == "no_reaction":
                    if not (wait_for_reaction and time.monotonic() + delay <= deadline):
                        return False
                elif exc.response.status_code < 500 or time.monotonic() + delay > deadline:
                    log.warning("%s refused: %s", method, error)
                    return False
            except Exception as exc:  # timeouts and connection errors
                if time.monotonic() + delay > deadline:
                    log.warning("%s failed: %s", method, type(exc).__name__)
                    return None
            time.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _show(self, job: Job) -> bool | None:
        if job.assistant_thread:
            return self._call("assistant.threads.setStatus",
                              dict(channel_id=job.channel, thread_ts=job.thread_ts, status=THINKING_STATUS))
        return self._call("reactions.add", dict(channel=job.channel, timestamp=job.message_ts, name=self.reaction))

    def _clear(self, job: Job, shown: Future) -> None:
        result: bool | None = None
        try:
            result = shown.result(timeout=self.retry_for + 30)
        except Exception:
            log.exception("thinking indicator failed")
        if result is False:
            return  # Slack refused it: nothing to clear
        if job.assistant_thread:
            self._call("assistant.threads.setStatus", dict(channel_id=job.channel, thread_ts=job.thread_ts, status=""), retry=True)
        else:
            self._call("reactions.remove", dict(channel=job.channel, timestamp=job.message_ts, name=self.reaction),
                       retry=True, wait_for_reaction=result is None)

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=False)
