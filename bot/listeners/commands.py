"""The slash command: ack at once, answer privately, offer Share and Dismiss."""
from __future__ import annotations

import time
from logging import Logger
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond

from bot import render
from bot.answering import ask, new_answer_id, outcome_record
from bot.delivery import respond_reliably
from bot.jobs import Job
from bot.messages import clean_question
from bot.outcomes import report_days

if TYPE_CHECKING:
    from bot.runtime import Runtime

HELP_WORDS = {"", "help", "도움말", "도움", "?", "usage"}


def register(app: App, runtime: Runtime) -> None:
    @app.command(runtime.settings.command)
    def handle_command(ack: Ack, command: dict[str, Any], respond: Respond, logger: Logger) -> None:
        question = clean_question(command.get("text") or "")
        if question.lower() in HELP_WORDS:
            ack(response_type="ephemeral", **render.render_usage(runtime.settings.command, runtime.corpus).as_kwargs())
            return
        days = report_days(question) if runtime.report_fn is not None else None
        if days is not None:  # `/lg-ai report [days]`: admins only, always private
            try:
                text = runtime.report_fn(command.get("user_id", ""), days)
            except Exception:
                logger.exception("report failed")
                text = render.render_apology(render.guess_language(question)).text
            ack(response_type="ephemeral", text=text)
            return
        # The ack doubles as the thinking indicator: Slack shows it at once.
        ack(response_type="ephemeral", text=render.render_thinking(question).text)
        started = time.monotonic()
        job = Job(channel=command.get("channel_id", ""), user=command.get("user_id", ""), question=question,
                  message_ts="", thread_ts=None, surface="command", team=command.get("team_id"))
        answer, answer_id, outcome = None, new_answer_id(), "failed"
        deadline = runtime.settings.delivery_deadline_seconds
        try:
            answer, answer_id = ask(runtime, question, shareable=True)
            message = render.render_answer(answer, answer_id, restate=True, share=True)
            respond_reliably(respond, deadline, response_type="ephemeral", replace_original=False, **message.as_kwargs())
            outcome = answer.outcome
        except Exception:
            logger.exception("slash command answer failed")
            try:
                respond_reliably(respond, deadline, response_type="ephemeral", replace_original=False,
                                 **render.render_apology(render.guess_language(question)).as_kwargs())
            except Exception:
                logger.exception("could not send the apology for the slash command")
        runtime.record(outcome_record(job, outcome, answer, answer_id, started))
