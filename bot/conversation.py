"""Answering one question in one Slack place: indicator, answer, post, cleanup.

Every surface (mention, thread follow-up, DM, assistant pane) ends up in
`Responder.answer`, so the thinking indicator, streaming with its fallback,
the apology on failure and the bookkeeping for follow-ups live in one place.
"""
from __future__ import annotations

import html
import logging
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import render
from bot.dedup import LruCache, SeenSet
from bot.pool import AnswerPool
from bot.settings import BotSettings
from knowledge.models import Answer, Turn
from bot.markup import decode_slack_markup

AnswerFn = Callable[[str, Sequence[Turn]], Answer]

def clean_question(text: str) -> str:
    """Slack message text -> the plain question.

    Mentions (the bot's, other people's, @here) are dropped: they say who
    should read, not what is asked. Links and channels keep their labels.
    """
    return " ".join(decode_slack_markup(text).split())


def mentions(text: str, user_id: str | None) -> bool:
    return bool(user_id) and f"<@{user_id}>" in (text or "")


def is_from_bot(message: Mapping[str, Any], bot_user_id: str | None, bot_id: str | None) -> bool:
    return bool(
        message.get("bot_id")
        or message.get("subtype") == "bot_message"
        or (bot_user_id and message.get("user") == bot_user_id)
        or (bot_id and message.get("bot_id") == bot_id)
    )


def history_from_messages(
    messages: Iterable[Mapping[str, Any]],
    *,
    bot_user_id: str | None,
    bot_id: str | None,
    exclude_ts: str | None,
    limit: int,
) -> tuple[Turn, ...]:
    """Pair human questions with the bot's replies, oldest first, excluding the current message."""
    turns: list[Turn] = []
    question: str | None = None
    for message in messages:
        if exclude_ts and message.get("ts") == exclude_ts:
            continue
        if message.get("subtype") not in (None, "bot_message", "file_share", "thread_broadcast"):
            continue
        if is_from_bot(message, bot_user_id, bot_id):
            if message.get("bot_id") and bot_id and message.get("bot_id") != bot_id:
                continue  # another bot's chatter is not our answer
            answer = html.unescape(message.get("text") or "")
            if question is not None:
                turns.append(Turn(question=question, answer=answer))
                question = None
            continue
        text = clean_question(message.get("text") or "")
        if not text:
            continue
        if question is not None:
            turns.append(Turn(question=question))
        question = text
    if question is not None:
        turns.append(Turn(question=question))
    return tuple(turns[-limit:]) if limit else ()


@dataclass
class Job:
    """One question to answer and where the answer goes."""

    channel: str
    user: str
    question: str
    message_ts: str  # the user's message (for the reaction)
    thread_ts: str | None  # where to reply; None = top level (plain DMs)
    team: str | None = None
    history: str = "none"  # "replies" (thread), "history" (DM channel) or "none"
    set_status: Callable[..., Any] | None = None  # assistant threads show a status instead of a reaction
    first_in_thread: bool = False
    set_title: Callable[..., Any] | None = None

    @classmethod
    def from_event(
        cls, event: Mapping[str, Any], context: Mapping[str, Any], *, question: str, thread_ts: str | None, history: str, **extra: Any
    ) -> "Job":
        """The job for a message event: every surface fills channel, user, team and ts the same way."""
        return cls(
            channel=event["channel"],
            user=event.get("user", ""),
            team=event.get("team") or context.get("team_id"),
            question=question,
            message_ts=event["ts"],
            thread_ts=thread_ts,
            history=history,
            **extra,
        )


class Responder:
    """Shared state of the bot (dedup sets, memories, pool) and the one answer routine."""

    def __init__(self, settings: BotSettings, answer_fn: AnswerFn, *, streams: bool = False, pool: AnswerPool | None = None):
        self.settings = settings
        self.answer_fn = answer_fn
        self.stream = settings.stream == "always" or (settings.stream == "auto" and streams)
        self.pool = pool or AnswerPool(settings.answer_workers)
        self.seen_requests = SeenSet()  # event_id / trigger_id
        self.claimed_messages = SeenSet()  # channel:ts, so app_mention + message answer once
        self.threads = LruCache[tuple[str, str], bool](5_000)  # threads the bot answered in (older ones: asked of Slack)
        self.answers = LruCache[str, Answer](1_000)  # answer id -> Answer, for Share
        self.log = logging.getLogger("bot.answers")

    # ------------------------------------------------------------------ bookkeeping

    def claim_message(self, channel: str, ts: str) -> bool:
        return self.claimed_messages.claim(f"{channel}:{ts}")

    def remember_thread(self, channel: str, thread_ts: str) -> None:
        self.threads.put((channel, thread_ts), True)

    def in_thread(self, client: WebClient, channel: str, thread_ts: str, bot_user_id: str | None, bot_id: str | None) -> bool:
        """Has the bot answered in this thread? Memory first, then the thread itself (after a restart)."""
        known = self.threads.get((channel, thread_ts))
        if known is not None:
            return known
        try:
            replies = client.conversations_replies(channel=channel, ts=thread_ts, limit=200)
        except SlackApiError:
            self.log.warning("could not read thread %s in %s", thread_ts, channel)
            return False
        member = any(is_from_bot(m, bot_user_id, bot_id) and (not m.get("bot_id") or not bot_id or m.get("bot_id") == bot_id)
                     for m in replies.get("messages", []))
        self.threads.put((channel, thread_ts), member)
        return member

    def ask(self, question: str, history: Sequence[Turn] = (), *, shareable: bool = False) -> tuple[Answer, str]:
        """Answer and give the answer an id (logged with feedback).

        Only `shareable` answers (the private ones with a Share button) are kept,
        so Share posts exactly what the user saw; public answers need no copy,
        which keeps the worker's memory flat however many questions it serves.
        """
        answer = self.answer_fn(question, tuple(history))
        answer_id = uuid.uuid4().hex[:16]
        if shareable:
            self.answers.put(answer_id, answer)
        return answer, answer_id

    # ------------------------------------------------------------------ the routine

    def submit(self, job: Job, client: WebClient, context: Mapping[str, Any]) -> bool:
        """Queue the job; False when shutting down (the caller tells the user)."""
        return self.pool.submit(lambda: self.answer(job, client, context)) is not None

    def answer(self, job: Job, client: WebClient, context: Mapping[str, Any]) -> None:
        """Indicator on, answer, post (streamed or not), indicator off; apologise on any failure."""
        bot_user_id = context.get("bot_user_id")
        bot_id = context.get("bot_id")
        reaction = False
        status = False
        try:
            if job.set_status is not None:
                status = self._set_status(job, "is reading the article… / 기사를 읽는 중…")
            if not status:
                reaction = self._react(client, job)
            if job.first_in_thread and job.set_title is not None:
                try:
                    job.set_title(render.thread_title(job.question))
                except SlackApiError:
                    self.log.warning("could not set the thread title")
            history = self._history(client, job, bot_user_id, bot_id)
            answer, answer_id = self.ask(job.question, history)
            self._post(client, job, answer, answer_id)
            if job.thread_ts:
                self.remember_thread(job.channel, job.thread_ts)
            self.log.info(
                "answered channel=%s found=%s quotes=%d answerer=%s",
                job.channel, answer.found, len(answer.quotes), answer.answerer,
            )
        except Exception:
            self.log.exception("failed to answer in channel=%s ts=%s", job.channel, job.message_ts)
            self._apologise(client, job)
        finally:
            if reaction:
                try:
                    client.reactions_remove(channel=job.channel, timestamp=job.message_ts, name=self.settings.thinking_reaction)
                except SlackApiError:
                    self.log.warning("could not remove the thinking reaction")
            if status:
                self._set_status(job, "")

    def _set_status(self, job: Job, text: str) -> bool:
        try:
            assert job.set_status is not None
            job.set_status(text)
            return True
        except SlackApiError as exc:
            self.log.warning("assistant status refused: %s", exc.response.get("error"))
            return False

    def _react(self, client: WebClient, job: Job) -> bool:
        try:
            client.reactions_add(channel=job.channel, timestamp=job.message_ts, name=self.settings.thinking_reaction)
            return True
        except SlackApiError as exc:
            if exc.response.get("error") == "already_reacted":
                return True
            self.log.warning("thinking reaction refused: %s", exc.response.get("error"))
            return False

    def _history(self, client: WebClient, job: Job, bot_user_id: str | None, bot_id: str | None) -> tuple[Turn, ...]:
        limit = self.settings.history_turns
        if not limit or job.history == "none":
            return ()
        try:
            if job.history == "replies" and job.thread_ts:
                response = client.conversations_replies(channel=job.channel, ts=job.thread_ts, limit=50)
                messages = response.get("messages", [])
            elif job.history == "history":
                response = client.conversations_history(channel=job.channel, limit=2 * limit + 1)
                messages = list(reversed(response.get("messages", [])))  # history is newest first
                messages = [m for m in messages if not m.get("thread_ts") or m.get("thread_ts") == m.get("ts")]
            else:
                return ()
        except SlackApiError as exc:
            # Context is a nicety: answer without it rather than fail.
            self.log.warning("could not read conversation context: %s", exc.response.get("error"))
            return ()
        return history_from_messages(messages, bot_user_id=bot_user_id, bot_id=bot_id, exclude_ts=job.message_ts, limit=limit)

    def _post(self, client: WebClient, job: Job, answer: Answer, answer_id: str) -> None:
        if self.stream and job.thread_ts and answer.text.strip():
            if self._stream(client, job, answer, answer_id):
                return
        message = render.render_answer(answer, answer_id)
        client.chat_postMessage(
            channel=job.channel,
            thread_ts=job.thread_ts,
            unfurl_links=False,
            unfurl_media=False,
            **message.as_kwargs(),
        )

    def _stream(self, client: WebClient, job: Job, answer: Answer, answer_id: str) -> bool:
        """Stream the answer text, then the quotes and buttons; False = not streamed, post instead."""
        streamer = client.chat_stream(
            channel=job.channel,
            thread_ts=job.thread_ts or job.message_ts,
            recipient_team_id=job.team,
            recipient_user_id=job.user,
            buffer_size=self.settings.stream_chunk_chars,
        )
        tail = render.render_answer(answer, answer_id, include_text=False)
        try:
            for chunk in render.stream_chunks(render.stream_text(answer), self.settings.stream_chunk_chars):
                streamer.append(markdown_text=chunk)
            streamer.stop(blocks=tail.blocks)
            return True
        except SlackApiError as exc:
            self.log.warning("streaming refused (%s); posting instead", exc.response.get("error"))
            if streamer.ts:
                # Part of the answer is already visible: complete that message instead of adding one.
                full = render.render_answer(answer, answer_id)
                client.chat_update(channel=job.channel, ts=streamer.ts, **full.as_kwargs())
                return True
            return False

    def _apologise(self, client: WebClient, job: Job) -> None:
        try:
            client.chat_postMessage(
                channel=job.channel,
                thread_ts=job.thread_ts,
                **render.render_apology(render.guess_language(job.question)).as_kwargs(),
            )
        except Exception:
            self.log.exception("could not post the apology in channel=%s", job.channel)
