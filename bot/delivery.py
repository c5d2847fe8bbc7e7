"""Putting answers into Slack without losing or doubling them.

A post is retried on connection errors and 5xx with backoff until
SLACK_DELIVERY_DEADLINE_SECONDS. A timed-out post may still land, so before
posting again (or apologising) the thread is checked for the answer, found by
the answer id the message carries in its metadata and buttons.
"""
from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable, Iterator

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import render
from bot.jobs import Job
from knowledge.models import Answer

log = logging.getLogger("bot.delivery")
METADATA_TYPE = "lg_ai_answer"


class DeliveryFailed(RuntimeError):
    """Slack did not take the message before the deadline."""


def _is_timeout(exc: BaseException) -> bool:
    """A read timeout: the request reached Slack and may still be processed."""
    text = f"{type(exc).__name__} {exc}".lower()
    return isinstance(exc, TimeoutError) or "timed out" in text or "timeout" in text


class Delivery:
    def __init__(self, client: WebClient, *, deadline: float, api_timeout: float,
                 sleep: Callable[[float], None] = time.sleep):
        self.client = client
        self.deadline = deadline
        self.api_timeout = api_timeout
        self.sleep = sleep

    # ------------------------------------------------------------------ posts

    def post(self, job: Job, message: render.Message, marker: str) -> str | None:
        """Post once, whatever happens on the way; returns the message ts (None if only found, not known)."""
        kwargs = dict(channel=job.channel, thread_ts=job.thread_ts, unfurl_links=False, unfurl_media=False,
                      metadata={"event_type": METADATA_TYPE, "event_payload": {"answer_id": marker}},
                      **message.as_kwargs())
        give_up = time.monotonic() + self.deadline
        delay = 0.5
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.client.chat_postMessage(**kwargs)
                return response.get("ts")
            except SlackApiError as exc:
                if exc.response.status_code < 500:
                    raise  # ok:false (channel_not_found, ...): retrying cannot help
                reason, wait = f"HTTP {exc.response.status_code}", 0.0
            except Exception as exc:  # connection refused/reset, read timeout
                reason = type(exc).__name__
                # A timed-out post may still land: give Slack as long again (three calls' worth) to show it.
                wait = 3 * self.api_timeout if _is_timeout(exc) else 0.0
                if _refused(exc):
                    wait = -1.0  # never reached Slack: nothing to look for
            if wait >= 0:
                found = self.find(job, marker, wait=min(wait, max(0.0, give_up - time.monotonic())))
                if found:
                    log.info("answer %s reached the thread despite %s: not posting it again", marker, reason)
                    return found
            left = give_up - time.monotonic()
            if left <= 0:
                raise DeliveryFailed(f"chat.postMessage failed {attempt} time(s) in {self.deadline:.0f}s (last: {reason})")
            log.warning("chat.postMessage failed (%s, attempt %d); retrying in %.1fs", reason, attempt, min(delay, left))
            self.sleep(min(delay, left))
            delay = min(delay * 2, 8.0)

    def find(self, job: Job, marker: str, wait: float = 0.0) -> str | None:
        """The ts of a message carrying `marker` in the job's thread (or DM), polling up to `wait` s."""
        until = time.monotonic() + wait
        while True:
            try:
                if job.thread_ts:
                    response = self.client.conversations_replies(channel=job.channel, ts=job.thread_ts, limit=200,
                                                                 include_all_metadata=True)
                else:
                    response = self.client.conversations_history(channel=job.channel, limit=20, include_all_metadata=True)
                for message in response.get("messages", []):
                    if _carries(message, marker):
                        return message.get("ts") or "?"
            except Exception as exc:
                log.warning("could not read the thread to check for answer %s: %s", marker, type(exc).__name__)
            if time.monotonic() >= until:
                return None
            self.sleep(min(1.0, max(0.05, until - time.monotonic())))

    def apologise(self, job: Job, marker: str) -> None:
        """One apology, unless the answer turned out to be there after all."""
        if self.find(job, marker):
            return
        message = render.render_apology(render.guess_language(job.question))
        try:
            self.post(job, message, marker + ":apology")
        except Exception:
            log.exception("could not post the apology in channel=%s", job.channel)

    # ------------------------------------------------------------------ streaming

    def stream(self, job: Job, pieces: Iterator[str | Answer], answer_id: str, chunk_chars: int,
               on_first: Callable[[], None] | None = None) -> Answer:
        """Stream text deltas as they come, then settle on the final Answer (its text wins).

        Falls back to one ordinary post when Slack refuses streaming; completes
        the streamed message with chat.update if streaming breaks half-way.
        """
        streamer = None
        refused = False
        shown: list[str] = []
        pending = ""
        answer: Answer | None = None
        for piece in pieces:
            if isinstance(piece, Answer):
                answer = piece
                continue
            pending += piece
            # Only whole words go out, so "@chan" + "nel" is escaped as one word.
            cut = max(pending.rfind(" "), pending.rfind("\n"))
            if cut < 0 or refused:
                continue
            ready, pending = pending[: cut + 1], pending[cut + 1:]
            try:
                if streamer is None:
                    streamer = self.client.chat_stream(
                        channel=job.channel, thread_ts=job.thread_ts or job.message_ts,
                        recipient_team_id=job.team, recipient_user_id=job.user, buffer_size=chunk_chars,
                    )
                streamer.append(markdown_text=render.escape_markdown(ready))
                if on_first is not None and not shown and streamer.ts:
                    on_first()
                shown.append(ready)
            except SlackApiError as exc:
                log.warning("streaming refused (%s); posting the answer instead", exc.response.get("error"))
                refused = True
        if answer is None:
            raise RuntimeError("the answer stream ended without an Answer")
        full = render.render_answer(answer, answer_id)
        if streamer is None or (refused and not streamer.ts):
            self.post(job, full, answer_id)
            return answer
        try:
            if refused:
                raise SlackApiError("stream broke", {"ok": False, "error": "stream_broken"})
            streamed = "".join(shown) + pending
            if " ".join(streamed.split()) == " ".join(answer.text.split()):
                if pending:
                    streamer.append(markdown_text=render.escape_markdown(pending))
                streamer.stop(blocks=render.render_answer(answer, answer_id, include_text=False).blocks)
                return answer
            streamer.stop()
        except SlackApiError as exc:
            log.warning("stream could not be finished (%s); completing it with chat.update", exc.response.get("error"))
        if streamer.ts:
            # The verified answer replaces what was streamed (it may differ from the draft).
            self.client.chat_update(channel=job.channel, ts=streamer.ts, **full.as_kwargs())
        else:
            self.post(job, full, answer_id)
        return answer


def respond_reliably(respond: Callable[..., Any], deadline: float, sleep: Callable[[float], None] = time.sleep,
                     **kwargs: Any) -> Any:
    """`respond` (response_url) retried on connection errors, 429 and 5xx until `deadline` seconds have passed.

    Bolt's respond returns the HTTP status instead of raising, so a 500 would
    otherwise pass for delivered. Ephemeral messages cannot be read back, so a
    timed-out attempt is simply retried.
    """
    give_up = time.monotonic() + deadline
    delay = 0.5
    while True:
        try:
            response = respond(**kwargs)
            status = getattr(response, "status_code", 200)
            if status < 400:
                return response
            reason = f"HTTP {status}"
            if status < 500 and status != 429:
                raise DeliveryFailed(f"response_url refused the message ({reason})")
        except DeliveryFailed:
            raise
        except Exception as exc:
            reason = type(exc).__name__
        left = give_up - time.monotonic()
        if left <= 0:
            raise DeliveryFailed(f"response_url failed until the deadline (last: {reason})")
        log.warning("response_url failed (%s); retrying in %.1fs", reason, min(delay, left))
        sleep(min(delay, left))
        delay = min(delay * 2, 8.0)


def _refused(exc: BaseException) -> bool:
    reason = getattr(exc, "reason", exc)
    return isinstance(reason, ConnectionRefusedError) or isinstance(exc, ConnectionRefusedError)


def _carries(message: dict[str, Any], marker: str) -> bool:
    payload = (message.get("metadata") or {}).get("event_payload") or {}
    if payload.get("answer_id") == marker:
        return True
    # Responses without metadata: the feedback buttons carry the answer id.
    return marker in json.dumps(message.get("blocks") or [], ensure_ascii=False)
