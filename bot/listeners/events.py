"""@mentions in channels, thread follow-ups without a mention, and plain DMs.

Bolt acks events before these run (in its listener executor), so they may
take as long as answering takes.
"""
from __future__ import annotations

from logging import Logger
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot import render
from bot.answering import answer_job
from bot.history import in_thread
from bot.jobs import Job
from bot.messages import clean_question, is_from_bot, mentions

if TYPE_CHECKING:
    from bot.runtime import Runtime

# Edits, deletions, joins… are not questions.
ANSWERABLE_SUBTYPES = (None, "file_share", "thread_broadcast")


def register(app: App, runtime: Runtime) -> None:
    @app.event("app_mention")
    def handle_mention(event: dict[str, Any], client: WebClient, context: BoltContext, logger: Logger) -> None:
        """Answer in a thread under the question (or in the thread it was asked in)."""
        if event.get("subtype") not in ANSWERABLE_SUBTYPES or is_from_bot(event, context.bot_user_id, context.bot_id):
            return
        channel, ts = event["channel"], event["ts"]
        if not runtime.claim_message(channel, ts, context):
            return
        question = clean_question(event.get("text", ""))
        thread_ts = event.get("thread_ts") or ts
        if not question:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, **render.render_usage(runtime.settings.command, runtime.corpus).as_kwargs())
            return
        job = Job.from_event(event, context, question=question, thread_ts=thread_ts,
                             history="replies" if event.get("thread_ts") else "none", surface="mention")
        answer_job(runtime, job, context)

    @app.event("message")
    def handle_message(event: dict[str, Any], client: WebClient, context: BoltContext, logger: Logger) -> None:
        """Plain DMs, and follow-ups in channel threads the bot already answered in."""
        if event.get("subtype") not in ANSWERABLE_SUBTYPES:
            return
        if is_from_bot(event, context.bot_user_id, context.bot_id):
            return
        channel, ts = event.get("channel"), event.get("ts")
        if not channel or not ts:
            return
        question = clean_question(event.get("text", ""))
        if event.get("channel_type") == "im":
            if event.get("thread_ts") and event.get("thread_ts") != ts:
                return  # DM threads belong to the assistant pane listener
            job = Job.from_event(event, context, question=question, thread_ts=None, history="history", surface="dm")
        else:
            thread_ts = event.get("thread_ts")
            if not thread_ts or thread_ts == ts:
                return  # top-level channel chatter is not for us
            if mentions(event.get("text", ""), context.bot_user_id):
                return  # the app_mention listener answers this one
            if not in_thread(runtime, channel, thread_ts, context.bot_user_id, context.bot_id):
                return
            job = Job.from_event(event, context, question=question, thread_ts=thread_ts, history="replies", surface="thread")
        if not job.question or not runtime.claim_message(channel, ts, context):
            return
        answer_job(runtime, job, context)
