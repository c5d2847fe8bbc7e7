"""Slack messages -> questions and conversation turns (pure functions, no Slack calls)."""
from __future__ import annotations

import html
import unicodedata
from typing import Any, Iterable, Mapping

from knowledge.models import Turn
from bot.markup import decode_slack_markup


def _encodable(text: str) -> str:
    """Drop lone surrogates, noncharacters and private-use/unassigned code points.

    They cannot be encoded as UTF-8 (the embedder and Slack's API both choke on
    lone surrogates) and carry no meaning for a question.
    """
    if text.isascii():
        return text
    return "".join(
        ch for ch in text
        if unicodedata.category(ch) not in ("Cs", "Co", "Cn") and not (0xFDD0 <= ord(ch) <= 0xFDEF or (ord(ch) & 0xFFFE) == 0xFFFE)
    )


def clean_question(text: str) -> str:
    """Slack message text -> the plain question.

    Mentions (the bot's, other people's, @here) are dropped: they say who
    should read, not what is asked. Links and channels keep their labels.
    Code points that cannot be encoded are dropped before anything else sees them.
    """
    return " ".join(decode_slack_markup(_encodable(text or "")).split())


def mentions(text: str, user_id: str | None) -> bool:
    return bool(user_id) and f"<@{user_id}>" in (text or "")


def is_from_bot(message: Mapping[str, Any], bot_user_id: str | None, bot_id: str | None) -> bool:
    return bool(
        message.get("bot_id")
        or message.get("subtype") == "bot_message"
        or (bot_user_id and message.get("user") == bot_user_id)
        or (bot_id and message.get("bot_id") == bot_id)
    )


def is_own(message: Mapping[str, Any], bot_user_id: str | None, bot_id: str | None) -> bool:
    """Posted by this bot (not by another bot)."""
    return is_from_bot(message, bot_user_id, bot_id) and (not message.get("bot_id") or not bot_id or message.get("bot_id") == bot_id)


def history_from_messages(
    messages: Iterable[Mapping[str, Any]],
    *,
    bot_user_id: str | None,
    bot_id: str | None,
    exclude_ts: str | None,
    limit: int,
) -> tuple[Turn, ...]:
    """Pair human questions with the bot's replies, oldest first, excluding the current message."""
    turns: list[Turn] = []
    question: str | None = None
    for message in messages:
        if exclude_ts and message.get("ts") == exclude_ts:
            continue
        if message.get("subtype") not in (None, "bot_message", "file_share", "thread_broadcast"):
            continue
        if is_from_bot(message, bot_user_id, bot_id):
            if message.get("bot_id") and bot_id and message.get("bot_id") != bot_id:
                continue  # another bot's chatter is not our answer
            answer = html.unescape(message.get("text") or "")
            if question is not None:
                turns.append(Turn(question=question, answer=answer))
                question = None
            continue
        text = clean_question(message.get("text") or "")
        if not text:
            continue
        if question is not None:
            turns.append(Turn(question=question))
        question = text
    if question is not None:
        turns.append(Turn(question=question))
    return tuple(turns[-limit:]) if limit else ()
