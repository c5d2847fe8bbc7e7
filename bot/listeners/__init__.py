"""Listeners grouped by Slack surface; `register_listeners` wires them all."""
from __future__ import annotations

from slack_bolt import App

from bot.conversation import Responder
from bot.listeners import actions, assistant, commands, events


def register_listeners(app: App, responder: Responder) -> None:
    # The assistant middleware must see DM thread messages before the generic message listener.
    assistant.register(app, responder)
    commands.register(app, responder)
    actions.register(app, responder)
    events.register(app, responder)
