"""Slack message markup -> plain text: the one place that knows Slack's wire format for text.

Mentions say who should read, not what is asked, so they are dropped; links,
channels and specials keep their labels; HTML entities (Slack escapes &, <, >)
and emoji shortcodes are decoded or dropped. What remains is handed to the
knowledge layer, which knows nothing about Slack.
"""
from __future__ import annotations

import html
import re

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(?:[^>|]*)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^>|]*)(?:\|([^>]*))?>")
_EMOJI = re.compile(r":(?:[a-z0-9_+'\-]*[a-z][a-z0-9_+'\-]*|[+\-]1):(?::skin-tone-\d:)?", re.IGNORECASE)


def decode_slack_markup(text: str) -> str:
    """Mentions dropped, links/channels/specials by label, entities decoded, emoji shortcodes dropped."""
    text = _MENTION.sub(" ", text)
    text = _CHANNEL.sub(lambda m: f" #{m.group(1)} " if m.group(1) else " ", text)
    text = _LINK.sub(lambda m: f" {m.group(2) or m.group(1)} ", text)
    text = _SPECIAL.sub(lambda m: f" {m.group(1)} " if m.group(1) else " ", text)
    text = _EMOJI.sub(" ", text)
    return html.unescape(text)
