"""Conversation context from Slack: is a thread ours, and the earlier turns of a thread or DM.

Thread membership is shared state (a follow-up may reach another worker); the
turns are read from Slack each time, so every worker sees the same history.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from bot.jobs import Job
from bot.messages import history_from_messages, is_own
from knowledge.models import Turn

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("bot.history")


def in_thread(runtime: Runtime, channel: str, thread_ts: str, bot_user_id: str | None, bot_id: str | None) -> bool:
    """Has the bot answered in this thread? Shared memory first, then the thread itself."""
    known = runtime.store.get_thread(channel, thread_ts)
    if known is not None:
        return known
    try:
        replies = runtime.client.conversations_replies(channel=channel, ts=thread_ts, limit=200)
    except Exception as exc:
        log.warning("could not read thread %s in %s: %s", thread_ts, channel, type(exc).__name__)
        return False
    member = any(is_own(m, bot_user_id, bot_id) for m in replies.get("messages", []))
    runtime.store.set_thread(channel, thread_ts, member)
    return member


def read_history(runtime: Runtime, job: Job, bot_user_id: str | None, bot_id: str | None) -> tuple[Turn, ...]:
    limit = runtime.settings.history_turns
    if not limit or job.history == "none":
        return ()
    client = runtime.client
    try:
        if job.history == "replies" and job.thread_ts:
            messages = client.conversations_replies(channel=job.channel, ts=job.thread_ts, limit=50).get("messages", [])
        elif job.history == "history":
            response = client.conversations_history(channel=job.channel, limit=2 * limit + 1)
            messages = list(reversed(response.get("messages", [])))  # history is newest first
            messages = [m for m in messages if not m.get("thread_ts") or m.get("thread_ts") == m.get("ts")]
        else:
            return ()
    except Exception as exc:
        # Context is a nicety: answer without it rather than fail.
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        log.warning("could not read conversation context: %s", error)
        return ()
    return history_from_messages(messages, bot_user_id=bot_user_id, bot_id=bot_id, exclude_ts=job.message_ts, limit=limit)
