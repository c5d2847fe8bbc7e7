"""The assistant pane (Bolt's `Assistant`): greeting, suggested prompts, status, title."""
from __future__ import annotations

from logging import Logger
from typing import TYPE_CHECKING, Any

from slack_bolt import App, Assistant, BoltContext, Say, SetSuggestedPrompts
from slack_sdk.errors import SlackApiError

from bot import render
from bot.answering import answer_job
from bot.jobs import Job
from bot.messages import clean_question

if TYPE_CHECKING:
    from bot.runtime import Runtime


def build_assistant(runtime: Runtime) -> Assistant:
    assistant = Assistant()

    @assistant.thread_started
    def start_thread(say: Say, set_suggested_prompts: SetSuggestedPrompts, logger: Logger) -> None:
        say(render.greeting(runtime.corpus))
        try:
            set_suggested_prompts(prompts=render.suggested_prompts(runtime.corpus), title="예시 질문 / Try asking")
        except SlackApiError as exc:
            logger.warning("suggested prompts refused: %s", exc.response.get("error"))

    @assistant.thread_context_changed
    def context_changed(logger: Logger) -> None:
        # The answer does not depend on which channel the user is viewing.
        logger.debug("assistant thread context changed")

    @assistant.user_message
    def answer_user_message(event: dict[str, Any], context: BoltContext, logger: Logger) -> None:
        channel, ts, thread_ts = event["channel"], event["ts"], event["thread_ts"]
        question = clean_question(event.get("text", ""))
        if not question or not runtime.claim_message(channel, ts, context):
            return
        job = Job.from_event(
            event, context, question=question, thread_ts=thread_ts, history="replies", surface="assistant",
            assistant_thread=True, first_in_thread=runtime.store.get_thread(channel, thread_ts) is None,
        )
        answer_job(runtime, job, context)

    return assistant


def register(app: App, runtime: Runtime) -> None:
    app.assistant(build_assistant(runtime))
