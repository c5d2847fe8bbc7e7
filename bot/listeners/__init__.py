"""Listeners grouped by Slack surface; `register_listeners` wires them all."""
from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot.listeners import actions, assistant, commands, events

if TYPE_CHECKING:
    from bot.runtime import Runtime


def register_listeners(app: App, runtime: Runtime) -> None:
    # The assistant middleware must see DM thread messages before the generic message listener.
    assistant.register(app, runtime)
    commands.register(app, runtime)
    actions.register(app, runtime)
    events.register(app, runtime)
