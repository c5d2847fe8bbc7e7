"""Answering one question in one Slack place: indicator, context, answer, delivery, outcome.

Every surface (mention, thread follow-up, DM, assistant pane) ends in
`answer_job`, so every question ends in exactly one answer or one apology,
and exactly one outcome record.
"""
from __future__ import annotations

import logging
import time
import uuid
from typing import TYPE_CHECKING, Any, Iterator

from bot import render
from bot.history import read_history
from bot.jobs import Job
from knowledge.models import Answer, Turn

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("bot.answers")


def new_answer_id() -> str:
    return uuid.uuid4().hex[:16]


def ask(runtime: Runtime, question: str, history: tuple[Turn, ...] = (), *, shareable: bool = False) -> tuple[Answer, str]:
    """Answer and give the answer an id (logged with feedback).

    Only `shareable` answers (the private ones with a Share button) are kept,
    so Share posts exactly what the user saw; public answers need no copy.
    """
    with runtime.answer_slots:
        answer = runtime.answer_fn(question, tuple(history))
    answer_id = new_answer_id()
    if shareable:
        runtime.store.put_answer(answer_id, answer)
    return answer, answer_id


def outcome_record(job: Job, outcome: str, answer: Answer | None, answer_id: str, started: float) -> dict[str, Any]:
    return {
        "question": job.question,
        "outcome": outcome,
        "source": answer.quotes[0].source if answer is not None and answer.quotes else None,
        "latency_ms": (time.monotonic() - started) * 1000,
        "surface": job.surface,
        "user": job.user,
        "channel": job.channel,
        "answer_id": answer_id,
    }


def answer_job(runtime: Runtime, job: Job, context: Any) -> None:
    """Indicator on, answer, deliver (streamed or not), indicator off; one apology on any failure."""
    started = time.monotonic()
    answer: Answer | None = None
    answer_id = new_answer_id()
    outcome = "failed"
    bot_user_id, bot_id = context.get("bot_user_id"), context.get("bot_id")
    with runtime.indicator.showing(job):
        try:
            if job.first_in_thread:
                runtime.indicator.title(job, render.thread_title(job.question))
            history = read_history(runtime, job, bot_user_id, bot_id)
            if job.thread_ts:
                # Before the post: a follow-up may reach another worker as soon as the answer is visible.
                runtime.store.set_thread(job.channel, job.thread_ts, True)
            answer = _answer_and_deliver(runtime, job, history, answer_id)
            outcome = answer.outcome
        except Exception:
            log.exception("failed to answer in channel=%s ts=%s", job.channel, job.message_ts)
            runtime.delivery.apologise(job, answer_id)
    runtime.record(outcome_record(job, outcome, answer, answer_id, started))


def _answer_and_deliver(runtime: Runtime, job: Job, history: tuple[Turn, ...], answer_id: str) -> Answer:
    settings = runtime.settings
    if not (runtime.stream and job.thread_ts):
        with runtime.answer_slots:
            answer = runtime.answer_fn(job.question, history)
        runtime.delivery.post(job, render.render_answer(answer, answer_id), answer_id)
        return answer
    with runtime.answer_slots:
        if runtime.stream_fn is not None:
            pieces = runtime.stream_fn(job.question, history)
        else:
            pieces = iter([runtime.answer_fn(job.question, history)])
        return runtime.delivery.stream(job, _text_first(pieces, settings.stream_chunk_chars), answer_id,
                                       settings.stream_chunk_chars)


def _text_first(pieces: Iterator[str | Answer], chunk_chars: int) -> Iterator[str | Answer]:
    """The deltas as they come; an answerer that wrote none (offline) has its final text streamed in chunks."""
    streamed = False
    for piece in pieces:
        if isinstance(piece, Answer):
            if not streamed and piece.text.strip():
                yield from render.stream_chunks(piece.text, chunk_chars)
            yield piece
            return
        streamed = streamed or bool(piece)
        yield piece
