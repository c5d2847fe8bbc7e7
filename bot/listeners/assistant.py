"""The assistant pane (Bolt's `Assistant`): greeting, suggested prompts, status, title."""
from __future__ import annotations

from logging import Logger
from typing import Any, Callable

from slack_bolt import App, Assistant, BoltContext, Say, SetStatus, SetSuggestedPrompts
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import render
from bot.conversation import Job, Responder, clean_question


def build_assistant(responder: Responder) -> Assistant:
    assistant = Assistant()

    @assistant.thread_started
    def start_thread(say: Say, set_suggested_prompts: SetSuggestedPrompts, logger: Logger) -> None:
        say(render.GREETING)
        try:
            set_suggested_prompts(prompts=render.suggested_prompts(), title="예시 질문 / Try asking")
        except SlackApiError as exc:
            logger.warning("suggested prompts refused: %s", exc.response.get("error"))

    @assistant.thread_context_changed
    def context_changed(logger: Logger) -> None:
        # The answer does not depend on which channel the user is viewing.
        logger.debug("assistant thread context changed")

    @assistant.user_message
    def answer_user_message(
        event: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        set_status: SetStatus,
        set_title: Callable[..., Any],
        logger: Logger,
    ) -> None:
        channel, ts, thread_ts = event["channel"], event["ts"], event["thread_ts"]
        question = clean_question(event.get("text", ""))
        if not question or not responder.claim_message(channel, ts):
            return
        job = Job.from_event(
            event,
            context,
            question=question,
            thread_ts=thread_ts,
            history="replies",
            set_status=set_status,
            set_title=set_title,
            first_in_thread=responder.threads.get((channel, thread_ts)) is None,
        )
        responder.submit(job, client, dict(context))

    return assistant


def register(app: App, responder: Responder) -> None:
    app.assistant(build_assistant(responder))
