"""The slash command: ack at once, answer privately, offer Share and Dismiss."""
from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, App, Respond

from bot import render
from bot.conversation import Responder, clean_question

HELP_WORDS = {"", "help", "도움말", "도움", "?", "usage"}


def register(app: App, responder: Responder) -> None:
    @app.command(responder.settings.command)
    def handle_command(ack: Ack, command: dict[str, Any], respond: Respond, logger: Logger) -> None:
        question = clean_question(command.get("text") or "")
        if question.lower() in HELP_WORDS:
            ack(response_type="ephemeral", **render.render_usage(responder.settings.command).as_kwargs())
            return
        # The ack doubles as the thinking indicator: Slack shows it at once.
        ack(response_type="ephemeral", text=render.render_thinking(question).text)

        def job() -> None:
            try:
                answer, answer_id = responder.ask(question, shareable=True)
                message = render.render_answer(answer, answer_id, restate=True, share=True)
                respond(response_type="ephemeral", replace_original=False, **message.as_kwargs())
            except Exception:
                logger.exception("slash command answer failed")
                respond(response_type="ephemeral", replace_original=False,
                        **render.render_apology(render.guess_language(question)).as_kwargs())

        if not responder.pool.submit(job):
            respond(response_type="ephemeral", text="The bot is restarting; please ask again in a minute.")
