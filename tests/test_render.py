"""Pure render tests: escaping, Slack limits, fallback text, declines, buttons."""
from __future__ import annotations

import json

import pytest

from bot import render
from knowledge.models import Answer, Quote


def quote(text: str = "LG는 엑사원 딥을 공개했다.", paragraph: int = 3) -> Quote:
    return Quote(text=text, source="lg.md", start=0, end=len(text), paragraph=paragraph,
                 title="LG의 AI 전략", outlet="청년일보", byline="이창현 기자")


def answer(**kw) -> Answer:
    base = dict(question="LG의 AI 전략은?", text="LG는 엑사원 딥을 공개했습니다.", found=True, quotes=(quote(),))
    base.update(kw)
    return Answer(**base)


def all_text(message: render.Message) -> str:
    return "\n".join([message.text, *render.texts_of(message.blocks)])


DANGEROUS = ["<!channel>", "<!here>", "<!everyone>", "<@U123>", "<http://evil.example|click>", "<#C1>", "<!subteam^S1>"]


@pytest.mark.parametrize("payload", DANGEROUS)
def test_article_and_question_text_never_become_mentions_or_links(payload: str) -> None:
    a = answer(question=f"why {payload}?", text=f"answer {payload} & more", quotes=(quote(f"quote {payload}"),))
    msg = render.render_answer(a, "id1", restate=True, share=True)
    mrkdwn = [msg.text] + [b["text"]["text"] for b in msg.blocks if b["type"] == "section"]
    mrkdwn += [e["text"] for b in msg.blocks if b["type"] == "context" for e in b["elements"]]
    for text in mrkdwn:
        assert payload not in text
        assert "<" not in text.replace("<@", "") or "Shared" in text
    # the quote is literal in rich_text (Slack does not parse it), still verbatim
    quotes = [b for b in msg.blocks if b["type"] == "rich_text"]
    assert quotes[0]["elements"][0]["type"] == "rich_text_quote"
    literal = quotes[0]["elements"][0]["elements"][0]["text"]
    assert payload not in literal
    assert literal.replace("\u2060", "") == f"quote {payload}"  # reads exactly like the article


@pytest.mark.parametrize("word", ["@channel", "@here", "@everyone", "@Channel"])
def test_bare_broadcast_words_are_defused(word: str) -> None:
    msg = render.render_answer(answer(text=f"hi {word}", quotes=(quote(f"x {word}"),)), "id")
    for text in render.texts_of(msg.blocks) + [msg.text]:
        assert word not in text


def test_escape_keeps_entities_whole_when_cut() -> None:
    escaped = render.escape("a" * 10 + "&" * 10)
    for limit in range(5, len(escaped)):
        cut = render.cut(escaped, limit)
        assert len(cut) <= limit
        body = cut.rstrip("…")
        assert body.count("&") == body.count("&amp;")


def test_answer_has_text_quote_source_line_and_feedback() -> None:
    msg = render.render_answer(answer(), "abc")
    types = [b["type"] for b in msg.blocks]
    assert types[0] == "section" and "엑사원 딥을 공개했습니다" in msg.blocks[0]["text"]["text"]
    assert "rich_text" in types
    source = next(b for b in msg.blocks if b["type"] == "context" and "¶" in b["elements"][0]["text"]
                  or b["type"] == "context" and "문단" in b["elements"][0]["text"])
    line = source["elements"][0]["text"]
    assert "3" in line and "LG의 AI 전략" in line and "청년일보" in line and "이창현 기자" in line
    actions = msg.blocks[-1]
    assert actions["type"] == "actions"
    ids = [e["action_id"] for e in actions["elements"]]
    assert ids == [render.ACTION_FEEDBACK_UP, render.ACTION_FEEDBACK_DOWN]
    assert render.parse_button_value(actions["elements"][0]["value"]) == ("abc", "LG의 AI 전략은?")
    assert "엑사원" in msg.text and "(¶3)" in msg.text


def test_slash_answer_restates_question_and_offers_share_and_dismiss() -> None:
    msg = render.render_answer(answer(), "abc", restate=True, share=True)
    assert "LG의 AI 전략은?" in msg.blocks[0]["text"]["text"]
    ids = [e["action_id"] for e in msg.blocks[-1]["elements"]]
    assert ids[:2] == [render.ACTION_SHARE, render.ACTION_DISMISS]


def test_decline_says_so_and_labels_closest_passages() -> None:
    a = answer(found=False, text="기사에는 그 내용이 없습니다.", closest_only=True)
    msg = render.render_answer(a, "x")
    texts = render.texts_of(msg.blocks)
    assert texts[0] == "기사에는 그 내용이 없습니다."
    assert any("가장 가까운 대목" in t for t in texts)
    en = render.render_answer(answer(found=False, text="The article does not say.", closest_only=True, language="en"), "x")
    en_texts = render.texts_of(en.blocks)
    assert any("Closest passage" in t for t in en_texts)
    # One decline line: the heading over the closest passage does not say "does not answer" again.
    assert sum("does not" in t for t in en_texts) == 1


def test_decline_without_quotes_renders_plainly() -> None:
    msg = render.render_answer(answer(found=False, text="No answer in the article.", quotes=()), "x")
    assert [b["type"] for b in msg.blocks] == ["section", "actions"]
    assert msg.text == "No answer in the article."


@pytest.mark.parametrize("kind", ["usage", "injection", "small_talk"])
def test_notice_kinds_are_not_shown_as_notices(kind: str) -> None:
    message = render.render_answer(answer(notice=kind, found=False, quotes=()), "a1")
    assert "ℹ️" not in json.dumps(message.blocks, ensure_ascii=False)


def test_notice_and_fallback_reason_are_shown() -> None:
    msg = render.render_answer(answer(notice="question truncated <!here>", fallback_reason="timeout"), "x")
    texts = render.texts_of(msg.blocks)
    assert any("question truncated &lt;!here&gt;" in t for t in texts)
    assert any("timeout" in t for t in texts)


def test_limits_hold_for_huge_answers() -> None:
    huge = "가나다라 " * 5000 + "<!channel>"
    quotes = tuple(quote("인용 " * 1000, paragraph=i) for i in range(60))
    msg = render.render_answer(answer(text=huge, quotes=quotes, question="q" * 5000), "big", restate=True, share=True)
    assert len(msg.blocks) <= render.MAX_BLOCKS
    for block in msg.blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= render.MAX_SECTION_CHARS
        for el in block.get("elements", []):
            if el.get("type") == "button":
                assert len(el["value"]) <= render.MAX_BUTTON_VALUE_CHARS
                json.loads(el["value"])
    assert sum(len(t) for t in render.texts_of(msg.blocks)) + len(msg.text) <= render.MAX_MESSAGE_CHARS
    assert len(msg.text) <= render.MAX_FALLBACK_CHARS
    assert any("생략" in t for t in render.texts_of(msg.blocks))
    assert msg.blocks[-1]["type"] == "actions"  # buttons survive the budget


def test_split_sections_never_splits_an_entity() -> None:
    text = render.escape(("word & <x> " * 800).strip())
    pieces = render.split_sections(text)
    assert all(len(p) <= render.MAX_SECTION_CHARS for p in pieces)
    for piece in pieces:
        assert piece.count("&") == piece.count("&amp;") + piece.count("&lt;") + piece.count("&gt;")


def test_fallback_text_is_never_empty() -> None:
    msg = render.render_answer(answer(text="", quotes=()), "x")
    assert msg.text.strip() or msg.text == " "


def test_usage_has_korean_and_english_examples() -> None:
    usage = render.render_usage("/lg-ai")
    text = render.texts_of(usage.blocks)[0]
    assert "/lg-ai" in usage.text
    corpus = render.CorpusInfo()
    assert any(q in text for q in corpus.examples_in("ko")) and any(q in text for q in corpus.examples_in("en"))


def test_stream_text_is_inert_markdown() -> None:
    out = render.stream_text(answer(text="a <!channel> b @here"))
    assert "<!channel>" not in out and "@here" not in out
    assert render.stream_chunks("one two three four", 5) and "".join(render.stream_chunks("one two three four", 5)) == "one two three four"


def test_suggested_prompts_are_korean_and_english() -> None:
    prompts = render.suggested_prompts()
    assert len(prompts) <= 4
    assert any(render.guess_language(p["message"]) == "ko" for p in prompts)
    assert any(render.guess_language(p["message"]) == "en" for p in prompts)


def test_parse_button_value_tolerates_junk() -> None:
    assert render.parse_button_value("not json") == ("", "")
    assert render.parse_button_value(None) == ("", "")


def test_context_line_names_the_article_without_promoting_the_lede() -> None:
    from knowledge.models import Quote

    titled = Quote(text="문장.", source="a.md", start=0, end=3, paragraph=2, title="두리그룹, AI 연구소 설립",
                   outlet="테크가상", byline="김영희 기자", label="두리그룹, AI 연구소 설립", date="2025-06-12",
                   url="https://example.com/a")
    line = render.quote_source_line(titled, "ko")
    assert "*두리그룹, AI 연구소 설립*" in line and "2025-06-12" in line and "<https://example.com/a|원문>" in line
    untitled = Quote(text="문장.", source="b.md", start=0, end=3, paragraph=1, title="", outlet="가상일보",
                     label="한빛전자가 새 AI 칩을 공개했다.")
    line = render.quote_source_line(untitled, "en")
    assert "*" not in line and "“한빛전자가 새 AI 칩을 공개했다.”" in line and "가상일보" in line


def test_a_url_that_could_break_out_of_the_link_is_not_linked() -> None:
    from knowledge.models import Quote

    quote = Quote(text="x", source="a.md", start=0, end=1, paragraph=1, label="a", url="https://x.example/a|<!channel>")
    assert "<!channel>" not in render.quote_source_line(quote) and "<https" not in render.quote_source_line(quote)


def test_help_and_greeting_come_from_the_corpus_profile() -> None:
    corpus = render.CorpusInfo(topic={"ko": "가상 기사들", "en": "the imaginary articles"},
                               examples={"ko": ("누리 칩은 언제 나와?",), "en": ("When does the Nuri chip ship?",)})
    text = render.texts_of(render.render_usage("/ask", corpus).blocks)[0]
    assert "가상 기사들" in text and "누리 칩은 언제 나와?" in text and "When does the Nuri chip ship?" in text
    assert "the imaginary articles" in render.greeting(corpus)
    assert [p["message"] for p in render.suggested_prompts(corpus)] == ["누리 칩은 언제 나와?", "When does the Nuri chip ship?"]


def test_a_keyword_only_answer_says_so() -> None:
    degraded = answer(meta={"degraded": "vector store unavailable: ConnectionError"})
    texts = render.texts_of(render.render_answer(degraded, "x").blocks)
    assert any("키워드 검색만" in t for t in texts)
    assert not any("키워드 검색만" in t for t in render.texts_of(render.render_answer(answer(), "x").blocks))
