"""Answer -> Block Kit, as pure functions.

Everything here is deterministic and free of Slack calls so it can be unit
tested exhaustively. Two rules drive the code:

* Text that comes from the article or from a user's question is *data*: it is
  escaped (`&`, `<`, `>`) so it can never become `<!channel>`, `<!here>`,
  `<!everyone>`, a `<@U…>` mention or a half-open `<http…|…>` link, and the
  bare words `@channel`/`@here`/`@everyone` get a word joiner so no client
  links them either. Quotes go into `rich_text` quote elements, which Slack
  shows literally, so a quote stays byte-for-byte the article's text.
* Slack rejects messages over its limits instead of truncating them, so we cut
  first: 3,000 characters per section text, 50 blocks, 40,000 characters in
  total, and every message carries a plain `text` fallback.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from knowledge.corpus import CorpusInfo
from knowledge.models import Answer, Quote

MAX_SECTION_CHARS = 3000
MAX_BLOCKS = 50
MAX_MESSAGE_CHARS = 40_000
MAX_FALLBACK_CHARS = 3000
MAX_CONTEXT_CHARS = 2000
MAX_BUTTON_VALUE_CHARS = 2000
MAX_QUESTION_ECHO_CHARS = 500

ACTION_SHARE = "share_answer"
ACTION_DISMISS = "dismiss_answer"
ACTION_FEEDBACK_UP = "feedback_up"
ACTION_FEEDBACK_DOWN = "feedback_down"

_WORD_JOINER = "\u2060"
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_PARTIAL_ENTITY = re.compile(r"&[#a-zA-Z0-9]{0,6}$")

Block = dict[str, Any]


@dataclass(frozen=True)
class Message:
    """What `chat.postMessage` / `respond` need: a fallback text and the blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


LABELS: dict[str, dict[str, str]] = {
    "en": {
        "question": "Question",
        "closest": "Closest passage (not an answer):",
        "quotes": "From the article:",
        "more_quotes": "…and {n} more quote(s) not shown (Slack message limit).",
        "share": "Share in channel",
        "dismiss": "Dismiss",
        "helpful": "👍 Helpful",
        "not_helpful": "👎 Not helpful",
        "fallback": "Answered without the language model ({reason}).",
        "shared_by": "Shared by <@{user}>",
        "degraded": "The search index is unavailable right now: this answer comes from keyword search only.",
        "paragraph": "¶{n}",
    },
    "ko": {
        "question": "질문",
        "closest": "가장 가까운 대목 (답이 아님):",
        "quotes": "기사 인용:",
        "more_quotes": "…인용 {n}개는 Slack 메시지 길이 제한으로 생략했습니다.",
        "share": "채널에 공유",
        "dismiss": "닫기",
        "helpful": "👍 도움이 됨",
        "not_helpful": "👎 도움이 안 됨",
        "fallback": "언어 모델 없이 답했습니다 ({reason}).",
        "shared_by": "<@{user}> 님이 공유함",
        "degraded": "지금은 검색 색인을 쓸 수 없어 키워드 검색만으로 답했습니다.",
        "paragraph": "{n}번째 문단",
    },
}

# What the bot is about (name, topic, example questions) comes from the corpus profile, `seeds/profile.toml`.
_GENERIC = CorpusInfo()


def _labels(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["en"])


# --------------------------------------------------------------------------- escaping


def _defuse_broadcasts(text: str) -> str:
    """A word joiner after the @ of @here/@channel/@everyone: reads the same, never pings."""
    return _BROADCAST.sub(lambda m: "@" + _WORD_JOINER + m.group(1), text)


def escape(text: str) -> str:
    """Make user or article text inert in Slack mrkdwn (no mentions, broadcasts or links)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _defuse_broadcasts(text)


def escape_markdown(text: str) -> str:
    """Inert text for streamed `markdown_text`, where HTML entities would show literally."""
    text = text.replace("<", "‹").replace(">", "›")
    return _defuse_broadcasts(text)


_ANGLE_TOKEN = re.compile(r"<(?=[!@#]|https?:|mailto:)", re.IGNORECASE)


def neutralise(text: str) -> str:
    """Text for rich_text elements, which Slack shows literally.

    An invisible word joiner still goes after `<` in anything shaped like
    `<!channel>`, `<@U…>` or `<http…>` and after `@` in `@here`, so not even a
    naive re-parser (or a copy-paste into a message) can turn it into a ping.
    The quote reads exactly like the article.
    """
    text = _ANGLE_TOKEN.sub("<" + _WORD_JOINER, text)
    return _defuse_broadcasts(text)


def cut(escaped: str, limit: int) -> str:
    """Shorten already-escaped text to `limit` characters without splitting an entity."""
    if len(escaped) <= limit:
        return escaped
    head = _PARTIAL_ENTITY.sub("", escaped[: max(0, limit - 1)])
    return head + "…"


def split_sections(escaped: str, limit: int = MAX_SECTION_CHARS) -> list[str]:
    """Split long escaped text into section-sized pieces at line or word breaks."""
    pieces: list[str] = []
    rest = escaped
    while len(rest) > limit:
        window = rest[:limit]
        at = max(window.rfind("\n"), window.rfind(" "))
        if at < limit // 2:
            at = limit
        # Never end a piece inside an entity such as `&amp;`.
        amp = window.rfind("&", 0, at)
        if amp != -1 and ";" not in window[amp:at]:
            at = amp
        pieces.append(rest[:at].rstrip())
        rest = rest[at:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces or [""]


# --------------------------------------------------------------------------- blocks


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, MAX_SECTION_CHARS)}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text, MAX_CONTEXT_CHARS)}]}


def _quote_block(quote: Quote) -> Block:
    return {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_quote",
                "elements": [{"type": "text", "text": _cut_plain(neutralise(quote.text), MAX_SECTION_CHARS)}],
            }
        ],
    }


def _cut_plain(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_SAFE_URL = re.compile(r"^https?://[^\s<>|`*_~]{1,400}$")


def quote_source_line(quote: Quote, language: str = "ko") -> str:
    """`¶3 · *Title* · 가상일보 · 홍길동 기자 · 2025-06-12 · <url|원문>`, escaped.

    It names the article the quote comes from: its own title in bold when it has
    one, else its first words in quotation marks (never the lede posing as a
    title), then outlet, byline, date and a link when they are known.
    """
    parts = [_labels(language)["paragraph"].format(n=quote.paragraph)]
    if quote.title:
        parts.append(f"*{escape(quote.title)}*")
    elif quote.label:
        parts.append(f"“{escape(quote.label)}”")
    for extra in (quote.outlet, quote.byline, quote.date):
        if extra:
            parts.append(escape(extra))
    if quote.url and _SAFE_URL.match(quote.url):
        parts.append(f"<{quote.url}|{'원문' if language == 'ko' else 'source'}>")
    if len(parts) == 1 and quote.source:
        parts.append(escape(quote.source))
    return " · ".join(parts)


def button_value(answer_id: str, question: str) -> str:
    """Button payload: the answer id and enough of the question to answer again after a restart."""
    value = {"a": answer_id, "q": question}
    raw = json.dumps(value, ensure_ascii=False)
    if len(raw) > MAX_BUTTON_VALUE_CHARS:
        overflow = len(raw) - MAX_BUTTON_VALUE_CHARS
        value["q"] = question[: max(0, len(question) - overflow - 8)]
        raw = json.dumps(value, ensure_ascii=False)
    return raw


def parse_button_value(raw: str | None) -> tuple[str, str]:
    """(answer_id, question) from a button value; tolerant of junk."""
    try:
        value = json.loads(raw or "")
        return str(value.get("a", "")), str(value.get("q", ""))
    except (ValueError, AttributeError):
        return "", ""


def _button(action_id: str, label: str, value: str, *, style: str | None = None) -> Block:
    button: Block = {"type": "button", "action_id": action_id, "value": value,
                     "text": {"type": "plain_text", "text": label, "emoji": True}}
    if style:
        button["style"] = style
    return button


def _actions(answer: Answer, answer_id: str, *, share: bool, feedback: bool) -> list[Block]:
    labels = _labels(answer.language)
    value = button_value(answer_id, answer.question)
    elements: list[Block] = []
    if share:
        elements.append(_button(ACTION_SHARE, labels["share"], value, style="primary"))
        elements.append(_button(ACTION_DISMISS, labels["dismiss"], value))
    if feedback:
        elements.append(_button(ACTION_FEEDBACK_UP, labels["helpful"], value))
        elements.append(_button(ACTION_FEEDBACK_DOWN, labels["not_helpful"], value))
    if not elements:
        return []
    return [{"type": "actions", "block_id": f"answer_actions:{answer_id}"[:255], "elements": elements}]


def fallback_text(answer: Answer) -> str:
    """Plain notification text: the answer and its quotes, escaped and short."""
    lines = [escape(answer.text)]
    for quote in answer.quotes:
        lines.append(f"> {escape(quote.text)} (¶{quote.paragraph})")
    return cut("\n".join(line for line in lines if line), MAX_FALLBACK_CHARS) or " "


def _block_chars(block: Block) -> int:
    return len(json.dumps(block, ensure_ascii=False))


def answer_body_blocks(answer: Answer, *, include_text: bool = True, restate: bool = False) -> list[Block]:
    """The informational blocks (question echo, notice, text, quotes) before budgeting."""
    labels = _labels(answer.language)
    blocks: list[Block] = []
    if restate and answer.question.strip():
        question = cut(escape(" ".join(answer.question.split())), MAX_QUESTION_ECHO_CHARS)
        blocks.append(_section(f"*{labels['question']}:* {question}"))
    if answer.notice_text:
        blocks.append(_context(f"ℹ️ {escape(answer.notice_text)}"))
    if answer.meta.get("degraded"):
        # The vector store is down: answers come from keyword search alone, and people should know.
        blocks.append(_context("⚠️ " + labels["degraded"]))
    if include_text and answer.text.strip():
        for piece in split_sections(escape(answer.text)):
            blocks.append(_section(piece))
    if answer.quotes:
        heading = labels["closest"] if (answer.closest_only or not answer.found) else labels["quotes"]
        blocks.append(_context(heading))
    return blocks


def render_answer(
    answer: Answer,
    answer_id: str,
    *,
    restate: bool = False,
    share: bool = False,
    feedback: bool = True,
    include_text: bool = True,
    shared_by: str | None = None,
) -> Message:
    """The whole answer message: text, quotes with their source, feedback (and share) buttons.

    `include_text=False` renders only what follows a streamed answer text.
    """
    labels = _labels(answer.language)
    head = answer_body_blocks(answer, include_text=include_text, restate=restate)
    tail: list[Block] = []
    if answer.fallback_reason:
        tail.append(_context("⚠️ " + labels["fallback"].format(reason=escape(answer.fallback_reason))))
    if shared_by:
        tail.append(_context(labels["shared_by"].format(user=re.sub(r"[^A-Z0-9]", "", shared_by.upper()))))
    tail.extend(_actions(answer, answer_id, share=share, feedback=feedback))

    text = fallback_text(answer)
    budget_chars = MAX_MESSAGE_CHARS - len(text)
    # Keep room for the tail and a possible "more quotes" note.
    budget_blocks = MAX_BLOCKS - len(tail) - 1
    blocks: list[Block] = []
    used = 0
    for block in head[:budget_blocks]:
        size = _block_chars(block)
        if used + size > budget_chars - sum(_block_chars(b) for b in tail) - 500:
            break
        blocks.append(block)
        used += size

    tail_chars = sum(_block_chars(b) for b in tail)
    shown = 0
    for quote in answer.quotes:
        pair = [_quote_block(quote), _context(quote_source_line(quote, answer.language))]
        size = sum(_block_chars(b) for b in pair)
        if len(blocks) + 2 > budget_blocks or used + size + tail_chars + 500 > budget_chars:
            break
        blocks.extend(pair)
        used += size
        shown += 1
    if shown < len(answer.quotes):
        blocks.append(_context(labels["more_quotes"].format(n=len(answer.quotes) - shown)))
    blocks.extend(tail)
    return Message(text=text, blocks=blocks)


def stream_text(answer: Answer) -> str:
    """The answer text as streamed markdown (inert, not entity-escaped)."""
    return escape_markdown(answer.text)


def stream_chunks(text: str, size: int) -> list[str]:
    """Split streamed text into chunks of about `size` characters at spaces."""
    chunks: list[str] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            space = text.rfind(" ", start + size // 2, end)
            if space > start:
                end = space + 1
        chunks.append(text[start:end])
        start = end
    return chunks


# --------------------------------------------------------------------------- other messages


def render_usage(command: str, corpus: CorpusInfo | None = None) -> Message:
    """`/lg-ai` with no text or `help`: what to ask, in Korean and English (examples from the corpus profile)."""
    corpus = corpus or _GENERIC
    examples_ko, examples_en = corpus.examples_in("ko"), corpus.examples_in("en")
    ko = "\n".join(f"• `{command} {escape(q)}`" for q in examples_ko)
    en = "\n".join(f"• `{command} {escape(q)}`" for q in examples_en)
    text = (
        f"{escape(corpus.topic_in('ko'))}에 대해 물어보세요. 답에는 기사 원문 인용이 붙습니다.\n"
        f"Ask about {escape(corpus.topic_in('en'))}; answers quote the articles verbatim.\n\n"
        f"*예시 (한국어)*\n{ko}\n\n*Examples (English)*\n{en}\n\n"
        f"`{command} sources`: 색인된 기사 목록 / the indexed articles.\n"
        f"채널에서 저를 @멘션하거나 DM으로 물어봐도 됩니다. / You can also @mention me or send a DM."
    )
    first = examples_ko[0] if examples_ko else "?"
    return Message(text=f"Usage: {command} <question> — 예: {command} {first}", blocks=[_section(text)])


def render_thinking(question: str) -> Message:
    """The ephemeral placeholder a slash command shows while the answer is prepared."""
    q = cut(escape(" ".join(question.split())), MAX_QUESTION_ECHO_CHARS)
    return Message(text=f"⏳ 찾는 중… / Looking it up: {q}")


def render_apology(language: str = "en") -> Message:
    """The short message for any failure, so nobody waits on a silent bot."""
    if language == "ko":
        text = "죄송합니다. 답을 만드는 중에 문제가 생겼습니다. 잠시 후 다시 시도해 주세요."
    else:
        text = "Sorry, something went wrong while answering. Please try again in a moment."
    return Message(text=text)


def render_feedback_thanks(vote: str) -> Message:
    return Message(text=("고맙습니다! 피드백을 기록했습니다. / Thanks, feedback recorded " + ("👍" if vote == "up" else "👎")))


def greeting(corpus: CorpusInfo | None = None) -> str:
    """The assistant pane's first words: the corpus profile's greeting, or one built from its topic."""
    corpus = corpus or _GENERIC
    ko = corpus.greeting.get("ko") or f"안녕하세요! {corpus.topic_in('ko')}에 대해 물어보세요. 답마다 기사 원문을 그대로 인용합니다."
    en = corpus.greeting.get("en") or f"Hi! Ask me about {corpus.topic_in('en')}; every answer quotes the articles verbatim."
    return f"{ko}\n{en}"


def suggested_prompts(corpus: CorpusInfo | None = None) -> list[dict[str, str]]:
    """Prompts for the assistant pane, two Korean and two English (Slack allows four)."""
    corpus = corpus or _GENERIC
    prompts = [*corpus.examples_in("ko")[:2], *corpus.examples_in("en")[:2]]
    return [{"title": p[:75], "message": p} for p in prompts]


def thread_title(question: str) -> str:
    title = " ".join(question.split())
    return title if len(title) <= 60 else title[:59] + "…"


def guess_language(text: str) -> str:
    """'ko' when the text has Hangul, for labels on messages that have no Answer yet."""
    return "ko" if any("\uac00" <= ch <= "\ud7a3" for ch in text) else "en"


def texts_of(blocks: Sequence[Block]) -> list[str]:
    """Every text string inside blocks (for tests and size checks)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    out.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(list(blocks))
    return out
