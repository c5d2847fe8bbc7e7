"""Buttons on answers: Share in channel, Dismiss, and 👍/👎 feedback."""
from __future__ import annotations

import json
import logging
import re
from logging import Logger
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import render
from bot.answering import ask

if TYPE_CHECKING:
    from bot.runtime import Runtime

feedback_log = logging.getLogger("bot.feedback")

# Slack cannot post publicly for the bot where it is not a member; the response_url can.
_NOT_POSTABLE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


def register(app: App, runtime: Runtime) -> None:
    @app.action(render.ACTION_SHARE)
    def share_answer(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, logger: Logger) -> None:
        ack()
        answer_id, question = render.parse_button_value(action.get("value"))
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        try:
            answer = runtime.store.get_answer(answer_id)
            if answer is None:  # expired or never stored: answer again
                answer, new_id = ask(runtime, question)
            else:
                new_id = answer_id
            message = render.render_answer(answer, new_id, restate=True, shared_by=user)
            try:
                if not channel:
                    raise SlackApiError("no channel", {"ok": False, "error": "channel_not_found"})
                client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False, **message.as_kwargs())
            except SlackApiError as exc:
                if exc.response.get("error") not in _NOT_POSTABLE:
                    raise
                respond(response_type="in_channel", replace_original=False, **message.as_kwargs())
            respond(delete_original=True)
        except Exception:
            logger.exception("share failed")
            respond(response_type="ephemeral", replace_original=False, **render.render_apology().as_kwargs())

    @app.action(render.ACTION_DISMISS)
    def dismiss_answer(ack: Ack, respond: Respond) -> None:
        ack()
        respond(delete_original=True)

    @app.action(re.compile(f"^({render.ACTION_FEEDBACK_UP}|{render.ACTION_FEEDBACK_DOWN})$"))
    def record_feedback(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, logger: Logger) -> None:
        ack()
        vote = "up" if action.get("action_id") == render.ACTION_FEEDBACK_UP else "down"
        answer_id, question = render.parse_button_value(action.get("value"))
        user = (body.get("user") or {}).get("id", "")
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        message = body.get("message") or {}
        feedback_log.info(json.dumps({
            "event": "feedback", "vote": vote, "answer_id": answer_id, "user": user,
            "channel": channel, "message_ts": message.get("ts") or container.get("message_ts"),
            "question": question,
        }, ensure_ascii=False))
        runtime.feedback(answer_id, vote, user)
        thanks = render.render_feedback_thanks(vote)
        try:
            if container.get("is_ephemeral") or not channel:
                respond(response_type="ephemeral", replace_original=False, text=thanks.text)
            else:
                client.chat_postEphemeral(channel=channel, user=user, text=thanks.text,
                                          thread_ts=message.get("thread_ts") or container.get("thread_ts"))
        except Exception:
            logger.exception("could not acknowledge feedback")
