"""Slack markup is decoded in bot/, before the knowledge layer sees the question."""
from __future__ import annotations

import pytest

from bot.markup import decode_slack_markup
from bot.messages import clean_question


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("<@U024BE7LH> 엑사원 딥은?", "엑사원 딥은?"),
        ("<@U024BE7LH|bob> hi   there", "hi there"),
        ("see <https://example.com/a|the article> now", "see the article now"),
        ("link <https://example.com/a>", "link https://example.com/a"),
        ("<!here> 질문 :thinking_face: 있어요 :+1::skin-tone-2:", "질문 있어요"),
        ("<#C123|general> 에서", "#general 에서"),
        ("a &amp; b &lt;c&gt;", "a & b <c>"),
        ("10:30 회의", "10:30 회의"),
    ],
)
def test_clean_question_decodes_slack_markup(raw: str, clean: str) -> None:
    assert clean_question(raw) == clean


def test_knowledge_layer_does_not_decode_slack_markup() -> None:
    from knowledge.text import normalize_question

    assert normalize_question("<@U024BE7LH> hi") == "<@U024BE7LH> hi"
    assert decode_slack_markup("<@U024BE7LH> hi").strip() == "hi"
