"""LLM answerer: any LangChain chat model, streamed, checked, with a hard time limit and an offline fallback.

The model chooses sentences (by id) and writes a short answer; the chain cuts
the quotes from the source using the returned indices, so the model can never
put words into a quote block. Its own text is checked too (`ground_answer`): a
quotation, figure or named source that the cited sentences do not contain is
removed or makes the answer fall back, and a line starting with `>` cannot
pose as a quote block.

The reply is one JSON object whose first field is the answer text and whose
last is the citations. Where the provider enforces a JSON schema (OpenAI and
compatible servers, Ollama) the request carries it, as
`with_structured_output(method="json_schema")` would; elsewhere the prompt
asks for the same object. Either way one parser reads it, and `stream_draft`
can show the answer text while the model writes it: the citations come last
and are resolved at the end.

Anything that goes wrong (timeout, HTTP error, unparsable output, citations of
sentences it was not given, unverified text) makes the answerer hand the same
input to the fallback runnable (the offline answerer) and mark the draft with a
machine-readable `fallback_reason`. It never raises because of the model and
never waits much longer than `timeout`. One log line per answer says provider,
model, latency, time to first text, tokens in/out and the fallback reason.

Provider packages (langchain_openai, langchain_ollama, ...) are imported only
inside `make_chat_model`, lazily, so the offline bot runs without them.
"""
from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import json
import logging
import os
import queue
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.utils.json import parse_partial_json
from pydantic import BaseModel, ValidationError

from knowledge import numbers, prompts
from knowledge.text import korean_stems
from knowledge.translit import same_name
from knowledge.models import Draft, Passage, Sentence, Turn

if TYPE_CHECKING:
    from langchain_core.callbacks import (
        AsyncCallbackManagerForChainRun,
        CallbackManagerForChainRun,
    )
    from langchain_core.language_models import BaseChatModel

__all__ = [
    "LLMAnswerer",
    "build_llm_answerer",
    "make_chat_model",
    "format_messages",
    "parse_reply",
    "ground_answer",
    "visible_prefix",
    "partial_answer",
    "structured_binding",
    "REPLY_SCHEMA",
    "ReplyRejected",
    "GUARD_MARGIN",
]

logger = logging.getLogger("knowledge.llm")

# Extra time granted beyond the HTTP client's timeout before the wall-clock
# guard gives up: lets the client raise its own (clearer) timeout first.
GUARD_MARGIN: float = 0.25

# Used when `base_url` points at a local OpenAI-compatible server that needs no
# key: the OpenAI client refuses to start without one.
_PLACEHOLDER_KEY = "not-needed"

# Known `init_chat_model` providers, used to decide whether the text before the
# first colon is a provider ("ollama:exaone3.5:7.8b") or part of a model name
# ("exaone3.5:7.8b" served by an OpenAI-compatible server).
_FALLBACK_PROVIDERS = frozenset(
    {
        "openai", "anthropic", "azure_openai", "azure_ai", "google_vertexai",
        "google_genai", "bedrock", "bedrock_converse", "cohere", "fireworks",
        "together", "mistralai", "huggingface", "groq", "ollama", "deepseek",
        "ibm", "nvidia", "xai", "perplexity", "upstage", "openrouter", "litellm",
    }
)


def _known_providers() -> frozenset[str]:
    try:  # private in langchain; fall back to a copy if it moves
        from langchain.chat_models.base import _BUILTIN_PROVIDERS  # type: ignore[attr-defined]

        return frozenset(_BUILTIN_PROVIDERS) | _FALLBACK_PROVIDERS
    except Exception:  # pragma: no cover - depends on the installed langchain
        return _FALLBACK_PROVIDERS


def split_model(model: str) -> tuple[str | None, str]:
    """Split "provider:model" on the FIRST colon only; model names may contain colons."""
    head, sep, tail = model.strip().partition(":")
    if sep and head.lower() in _known_providers():
        return head.lower(), tail
    return None, model.strip()


def make_chat_model(
    model: str,
    *,
    base_url: str | None,
    api_key: str | None,
    timeout: float,
    max_tokens: int = 400,
    temperature: float = 0,
) -> BaseChatModel:
    """Build a chat model from `LLM_MODEL`-style text through `init_chat_model`.

    No retries (`max_retries=0`): the answerer has its own fallback, and a
    retrying client would blow the time budget. With `base_url` and no provider
    prefix the server is treated as OpenAI-compatible (vLLM, LM Studio,
    llama.cpp, Ollama's /v1). Raises on bad configuration (unknown provider,
    missing package): that is a start-up error, not a per-question one.
    """
    from langchain.chat_models import init_chat_model  # lazy: optional extra

    provider, name = split_model(model)
    if provider is None and base_url:
        provider = "openai"
    if not name:
        raise ValueError(f"empty model name in {model!r}")

    kwargs: dict[str, Any] = {"temperature": temperature}
    if provider == "ollama":
        # ChatOllama has no `timeout`/`max_retries`/`max_tokens` fields.
        kwargs["num_predict"] = max_tokens
        kwargs["client_kwargs"] = {"timeout": timeout}
        if base_url:
            kwargs["base_url"] = base_url
    else:
        kwargs.update(timeout=timeout, max_retries=0, max_tokens=max_tokens)
        if provider == "openai":
            # Token counts of streamed answers (off by default for custom base URLs).
            kwargs["stream_usage"] = True
        if base_url:
            kwargs["base_url"] = base_url
        if api_key:
            kwargs["api_key"] = api_key
        elif provider == "openai" and base_url and not os.environ.get("OPENAI_API_KEY"):
            kwargs["api_key"] = _PLACEHOLDER_KEY
    return init_chat_model(name, model_provider=provider, **kwargs)


# The reply object. Field order matters: the answer text comes first so it can
# be streamed while the model writes; the citations come last.
REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "answer": {"type": "string"},
        "found": {"type": "boolean"},
        "citations": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["answer", "found", "citations"],
    "additionalProperties": False,
}


def _provider_of(chat_model: Any) -> str | None:
    """LangSmith's provider name ("openai", "ollama", ...) of a chat model, if it has one."""
    try:
        return str(chat_model._get_ls_params().get("ls_provider") or "") or None
    except Exception:  # noqa: BLE001 - not a chat model (a stub runnable)
        return None


def structured_binding(chat_model: Any) -> dict[str, Any] | None:
    """Request parameters that make the provider enforce `REPLY_SCHEMA`, or None.

    These are the parameters `with_structured_output(method="json_schema")`
    binds; bound directly, the raw text stays streamable and one parser reads
    it whether the provider enforced the schema or only the prompt asked for it.
    """
    provider = _provider_of(chat_model)
    if provider in {"openai", "azure"}:
        # Sent as a plain body field: bound as `response_format`, langchain-openai
        # would switch to the client's parse helpers, which import slowly (0.5 s
        # on the first answer) and re-parse every streamed chunk.
        fmt = {"type": "json_schema", "json_schema": {"name": "answer", "strict": True, "schema": REPLY_SCHEMA}}
        return {"extra_body": {"response_format": fmt}}
    if provider == "ollama":
        return {"format": REPLY_SCHEMA}
    return None


# --------------------------------------------------------------------------- prompt


def _escape(text: str) -> str:
    """Neutralise `<`/`>` so data can never close (or open) a prompt section."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def sentence_id(index: int) -> str:
    """Passage index 0 -> "S1" (ids start at 1: models handle that better)."""
    return f"S{index + 1}"


def format_messages(inputs: Mapping[str, Any]) -> list[BaseMessage]:
    """Turn the answerer input into chat messages; all outside text goes in as data."""
    passages: Sequence[Passage] = inputs.get("passages") or ()
    history: Sequence[Turn] = inputs.get("history") or ()
    language = inputs.get("language") or "ko"
    if language not in prompts.LANGUAGE_HINTS:
        language = "ko"

    documents: Mapping[str, Any] = inputs.get("documents") or {}

    def article(sentence: Sentence) -> str:
        doc = documents.get(sentence.source)
        name = getattr(doc, "label", "") or sentence.title or sentence.source
        return _escape(" ".join(str(name).split())[:80])

    sentences = "\n".join(
        prompts.SENTENCE_LINE.format(
            sid=sentence_id(i),
            article=article(p.sentence),
            paragraph=p.sentence.paragraph,
            text=_escape(" ".join(p.sentence.text.split())),
        )
        for i, p in enumerate(passages)
    )
    turns = list(history)[-prompts.MAX_HISTORY_TURNS :]
    history_text = (
        "\n".join(
            prompts.HISTORY_TURN.format(
                question=_escape(t.question),
                answer=_escape(t.answer[: prompts.MAX_HISTORY_ANSWER_CHARS]),
            )
            for t in turns
        )
        or prompts.NO_HISTORY
    )
    user = prompts.USER_TEMPLATE.format(
        history=history_text,
        sentences=sentences or "(no sentences were retrieved)",
        language=language,
        question=_escape(str(inputs.get("question") or "")),
        language_hint=prompts.LANGUAGE_HINTS[language],
    )
    return [SystemMessage(content=prompts.SYSTEM_PROMPT), HumanMessage(content=user)]


# --------------------------------------------------------------------------- parsing


class ReplyRejected(Exception):
    """The model answered, but the answer cannot be used; `reason` says why."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class _Reply(BaseModel):
    answer: str
    found: bool
    citations: list[str | int] = []


_FENCE = re.compile(r"```[A-Za-z0-9_-]*\s*\n?(.*?)```", re.DOTALL)
# Reasoning models (EXAONE Deep, DeepSeek R1, ...) may think aloud first.
_THINKING = re.compile(r"<(think|thought|thinking)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_CITATION = re.compile(r"^\s*\[?\s*[Ss]?\s*(\d{1,4})\s*\]?\s*$")


def _message_text(message: Any) -> str:
    """Text of a chat reply, whether content is a string or a list of blocks."""
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content or ():
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, Mapping) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


def _extract_json_object(text: str) -> dict[str, Any]:
    """Find the reply object: whole text, inside a ``` fence, or the first {...}."""
    text = _THINKING.sub("", text).strip()
    candidates = [m.group(1).strip() for m in _FENCE.finditer(text)] + [text]
    decoder = json.JSONDecoder()
    first_dict: dict[str, Any] | None = None
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return value
        for match in re.finditer(r"\{", candidate):
            try:
                value, _ = decoder.raw_decode(candidate, match.start())
            except ValueError:
                continue
            if isinstance(value, dict):
                if "answer" in value:
                    return value
                first_dict = first_dict or value
    if first_dict is not None:
        return first_dict
    raise ReplyRejected("unparsable", "no JSON object in the reply")


def _citation_index(item: str | int, count: int) -> int:
    match = _CITATION.match(str(item))
    if not match:
        raise ReplyRejected("bad_citation", f"not a sentence id: {str(item)[:40]!r}")
    index = int(match.group(1)) - 1
    if not 0 <= index < count:
        raise ReplyRejected("bad_citation", f"{str(item)[:40]!r} was not given")
    return index


def parse_reply(text: str, passage_count: int) -> tuple[str, bool, tuple[int, ...]]:
    """Validate a model reply; return (answer, found, cited passage indices).

    Raises `ReplyRejected` with reason "unparsable", "empty_answer",
    "bad_citation" or "no_citation".
    """
    data = _extract_json_object(text)
    try:
        reply = _Reply.model_validate(data)
    except ValidationError as exc:
        raise ReplyRejected("unparsable", f"{exc.error_count()} validation error(s)") from None
    answer = reply.answer.strip()
    if not reply.found:
        return answer, False, ()
    if not answer:
        raise ReplyRejected("empty_answer")
    cited: list[int] = []
    for item in reply.citations:
        index = _citation_index(item, passage_count)
        if index not in cited:
            cited.append(index)
    if not cited:
        raise ReplyRejected("no_citation")
    return answer, True, tuple(cited)


# --------------------------------------------------------------------------- streaming text

_OPEN_FENCE = re.compile(r"^\s*```[A-Za-z0-9_-]*\s*")


def partial_answer(buffer: str) -> str | None:
    """The answer text so far in a reply that is still being written, or None.

    Works on an unfinished JSON object (`{"answer": "누리 칩은 94`); a reply
    that is still thinking aloud or is not JSON gives None (it is parsed in
    full at the end instead).
    """
    value = _partial_reply(buffer)
    answer = value.get("answer") if value else None
    return answer if isinstance(answer, str) else None


def _partial_reply(buffer: str) -> dict[str, Any] | None:
    text = _THINKING.sub("", buffer)
    if re.search(r"<(think|thought|thinking)>", text, re.IGNORECASE):
        return None
    text = _OPEN_FENCE.sub("", text, count=1).lstrip()
    if not text.startswith("{"):
        return None
    try:
        value = parse_partial_json(text.rstrip("`").rstrip())
    except Exception:  # noqa: BLE001 - unfinished escape sequence and the like: wait for more
        return None
    return value if isinstance(value, dict) else None


# --------------------------------------------------------------------------- checking the model's text

# Opening quotation mark -> closing one. Apostrophes only open a quotation at
# the start of a word ("LG's", "LG’s" are not quotes).
_QUOTES = {'"': '"', "“": "”", "”": "”", "„": "“", "‘": "’", "’": "’", "'": "'", "«": "»", "‹": "›",
           "「": "」", "『": "』", "｢": "｣", "《": "》", "〈": "〉", "＂": "＂", "〝": "〞"}
_APOSTROPHES = frozenset({"'", "’"})
# A line that Slack (or Markdown) would render as a quote block.
_QUOTE_BLOCK = re.compile(r"^[ \t]*(?:>|&gt;|＞)+[ \t]?", re.MULTILINE)
# Sentence ids the model may echo into its text ("(S3)", "[S1, S2]").
_ID_ECHO = re.compile(r"\s*[\[(（]\s*S\d{1,3}(?:\s*[,，、]\s*S\d{1,3})*\s*[\])）]|\s*\bS\d{1,3}\b(?=[\s.,)]|$)")
# A line that names a source: "출처: …", "[출처] …", "Source: …", "— 조선일보, 2024".
_SOURCE_WORDS = r"출처|원문|인용|source|sources|via|reference|references|quoted from"
_SOURCE_LINE = re.compile(
    rf"^[ \t]*(?:[-*•][ \t]*)?(?:[\[(（【<]\s*(?:{_SOURCE_WORDS})\s*[\])）】>]|(?:{_SOURCE_WORDS})\s*[:：]|[—―]|--)",
    re.IGNORECASE | re.MULTILINE,
)
# A bracketed label that vouches for a quotation: "(기사 원문)", "[Source: …]".
_SOURCE_LABEL = re.compile(
    r"[(\[（【]\s*(?:기사\s*원문|원문|기사\s*인용|출처[^)\]）】]*|source[^)\]）】]*|original[^)\]）】]*|quoted?[^)\]）】]*)\s*[)\]）】]",
    re.IGNORECASE,
)
# Attribution to a named source: "according to Reuters", "Reuters reported", "로이터에 따르면", "로이터는 보도했다".
_NAME_EN = r"([A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){0,3})"
_ACCORDING_EN = re.compile(r"\b(?i:according to|reported by|cited by|quoted by)\s+(?:the\s+)?" + _NAME_EN
                           + r"|" + _NAME_EN + r"\s+(?i:reported|reports|wrote|quoted)\b")
_ACCORDING_KO = re.compile(r"(\S+?)(?:의\s*보도에\s*따르면|에\s*따르면|에\s*의하면|\s*보도에\s*따르면"
                           r"|(?:은|는|이|가)\s*(?:\S+\s*)?보도했)")
_GENERIC_SOURCES = frozenset({"article", "report", "news", "기사", "이", "해당", "보도", "기사에",
                              "it", "they", "he", "she", "this", "that", "which", "we", "i"})
# Digits glued to letters are names (32B, GPT-4o, R1): checked as written.
_NAMED_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?[A-Za-z][A-Za-z0-9.-]*|[A-Za-z]+[-‐]?\d[A-Za-z0-9.-]*")
# A bracket not closed yet: it may become a source label, so wait for it.
_UNCLOSED_BRACKET = re.compile(r"[(\[（【][^)\]）】]*$")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n+")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def strip_quote_blocks(text: str) -> str:
    """No line may start with `>`: Slack would draw it as a quote block."""
    return _QUOTE_BLOCK.sub("", text)


def _clean(text: str) -> str:
    return _ID_ECHO.sub("", strip_quote_blocks(text)).strip()


def _quoted_spans(text: str) -> Iterator[tuple[int, int | None]]:
    """(start, end) of each quotation; end is None when it is never closed."""
    i = 0
    while i < len(text):
        ch = text[i]
        closing = _QUOTES.get(ch)
        if closing is None or (ch in _APOSTROPHES and i > 0 and text[i - 1].isalnum()):
            i += 1
            continue
        j = i + 1
        while j < len(text):
            if text[j] == closing and not (closing in _APOSTROPHES and j + 1 < len(text) and text[j + 1].isalpha()
                                           and text[j + 1].isascii()):
                break
            j += 1
        if j >= len(text):
            if ch in _APOSTROPHES:  # a lone apostrophe ("the '90s") is not a quotation
                i += 1
                continue
            yield i, None
            return
        yield i, j
        i = j + 1


def _quote_block_lines(text: str) -> Iterator[str]:
    """The content of each line written as a quote block ("> …")."""
    for m in re.finditer(r"^[ \t]*(?:>|&gt;|＞)+[ \t]?(.*)$", text, re.MULTILINE):
        yield m.group(1)


def _named(match: re.Match[str]) -> str:
    return next((g for g in match.groups() if g), "")


def _known_name(name: str, known: str) -> bool:
    """A named source is known when it, or one of its aliases, occurs in the known text."""
    folded = re.sub(r"^(?:the|this|that)\s+", "", _norm(name).strip(" .,'\""))
    if not folded or folded in _GENERIC_SOURCES or folded in known:
        return True
    return _transliterated(folded, known)


def _transliterated(name: str, known: str) -> bool:
    """A Latin name whose every word is a known Hangul word's spelling ("Nuri Chip" for 누리 칩)."""
    latin = re.findall(r"[a-z][a-z0-9'-]*", name)
    if not latin or re.search(r"[\uac00-\ud7a3]", name):
        return False
    hangul = {stem for word in re.findall(r"[\uac00-\ud7a3]+", known) for stem in korean_stems(word)}
    return all(any(same_name(word, h) for h in hangul) for word in latin)


def with_aliases(texts: Sequence[str], aliases: Mapping[str, Sequence[str]] | None) -> list[str]:
    """The texts plus the other spellings the corpus gives for names they contain ("누리 칩" -> "nuri chip").

    The aliases come from the corpus profile (parenthetical pairs in the articles), so a
    name the model writes in the other script still counts as the article's word.
    """
    if not aliases:
        return list(texts)
    joined = _norm("\n".join(texts))
    extra = {form for name, forms in aliases.items() if len(name) >= 2 and name in joined for form in forms}
    return [*texts, *sorted(extra)]


def _problems(sentence: str, known: str, figures: frozenset[float]) -> list[str]:
    """What in one answer sentence the known text does not back, as fallback-style reasons."""
    found: list[str] = []
    for start, end in _quoted_spans(sentence):
        span = sentence[start + 1 : end] if end is not None else sentence[start + 1 :]
        span = _norm(span).strip(" .,!?…·")
        # Article words, or a name the article uses under another spelling ("Nuri Chip" for 누리 칩).
        if end is None or (span and span not in known and not _known_name(span, known)):
            found.append("unverified_quote")
    if _SOURCE_LINE.search(sentence):
        found.append("unverified_source")
    for m in _SOURCE_LABEL.finditer(sentence):
        inner = _norm(m.group(0)[1:-1])
        named = re.sub(r"^(출처|source|original|quoted?)\s*(from)?\s*[:：]?\s*", "", inner)
        if named and named not in {"기사 원문", "원문", "기사 인용", "article", "the article"} and not _known_name(named, known):
            found.append("unverified_source")
    for m in list(_ACCORDING_EN.finditer(sentence)) + list(_ACCORDING_KO.finditer(sentence)):
        if not _known_name(_named(m), known):
            found.append("unverified_source")
    for m in _NAMED_NUMBER.finditer(sentence):
        if _norm(m.group(0)).strip(".-") not in known and not _figure_known(m.group(0), figures):
            found.append("unverified_figure")
    for value, start, end in numbers.figures(sentence):
        if round(value, 6) not in figures and _norm(sentence[start:end]) not in known:
            found.append("unverified_figure")
    return found


def _figure_known(token: str, figures: frozenset[float]) -> bool:
    values = [round(v, 6) for v, _, _ in numbers.figures(token)]
    return bool(values) and all(v in figures for v in values)


def ground_answer(text: str, known: Sequence[str], *, strict: bool = True) -> tuple[str, list[str]]:
    """Keep only what the known text (the cited sentences) backs; return (text, reasons removed).

    A sentence holding a quotation, figure or named source that `known` does
    not contain is dropped. A made-up quotation or source line is worse than a
    slip: with `strict` it rejects the whole answer (`ReplyRejected`), and so
    does an answer with nothing left. Quote-block markers and echoed sentence
    ids are removed first.
    """
    known_text = _norm("\n".join(known))
    figures = frozenset(round(v, 6) for t in known for v, _, _ in numbers.figures(t))
    kept: list[str] = []
    removed: list[str] = []
    # A quote block is a quotation: its words must be the article's.
    for line in _quote_block_lines(text):
        words = _norm(_ID_ECHO.sub("", line)).strip(" .,!?…·\"'“”‘’")
        if words and words not in known_text:
            if strict:
                raise ReplyRejected("unverified_quote", line.strip()[:80])
            removed.append("unverified_quote")
            text = text.replace(line, "")
    cleaned = _clean(text)
    for sentence in _SENTENCE_END.split(cleaned):
        if not sentence.strip():
            continue
        issues = _problems(sentence, known_text, figures)
        if not issues:
            kept.append(sentence.strip())
            continue
        removed.extend(dict.fromkeys(issues))
        if strict and ("unverified_quote" in issues or "unverified_source" in issues):
            reason = "unverified_quote" if "unverified_quote" in issues else "unverified_source"
            raise ReplyRejected(reason, sentence.strip()[:80])
    if not removed:
        return cleaned, []
    if not kept:
        raise ReplyRejected(removed[0], "nothing verifiable left")
    return " ".join(kept), removed


# Words held back while the answer is still being written: the last ones may
# still grow into a figure, a label or an attribution ("로이터에 따르면").
HOLD_BACK_WORDS = 3


def visible_prefix(text: str, passages_text: str, figures: frozenset[float], *, complete: bool = False) -> str:
    """The part of a half-written answer that is safe to show before it is checked.

    Stops before the first quotation mark (unless the whole quotation is
    article text), source line or label, unknown figure or named source, and,
    unless the answer is `complete`, before its last few words. Quote-block
    markers and echoed sentence ids never show.
    """
    block = re.search(r"^[ \t]*(?:>|&gt;|＞)", text, re.MULTILINE)
    if block is not None:  # checked against the citations at the end, never shown before
        text = text[: block.start()]
    text = _ID_ECHO.sub("", text)
    known = _norm(passages_text)
    stops = [len(text)]
    if not complete:
        words = list(re.finditer(r"\S+", text))
        stops.append(words[-HOLD_BACK_WORDS].start() if len(words) >= HOLD_BACK_WORDS else 0)
    for start, end in _quoted_spans(text):
        span = _norm(text[start + 1 : end] if end is not None else "").strip(" .,!?…·")
        if end is None or not span or (span not in known and not _known_name(span, known)):
            stops.append(start)
            break
    stops += [m.start() for m in (_SOURCE_LINE.search(text), _SOURCE_LABEL.search(text),
                                  _UNCLOSED_BRACKET.search(text)) if m]
    for pattern in (_ACCORDING_EN, _ACCORDING_KO):
        stops += [m.start() for m in pattern.finditer(text) if not _known_name(_named(m), known)]
    stops += [m.start() for m in _NAMED_NUMBER.finditer(text)
              if _norm(m.group(0)).strip(".-") not in known and not _figure_known(m.group(0), figures)]
    stops += [start for value, start, end in numbers.figures(text)
              if round(value, 6) not in figures and _norm(text[start:end]) not in known]
    text = text[: min(stops)]
    return text.rstrip(" \n(\"'“‘「『")


# --------------------------------------------------------------------------- runnable


class _GuardTimeout(Exception):
    """The wall-clock guard fired before the model call returned."""


class _EmptyStream(Exception):
    """The server accepted a stream request but sent no text: it does not really stream."""


T = TypeVar("T")


def _run_with_deadline(fn: Callable[[], T], seconds: float) -> T:
    """Run `fn` in a daemon thread and stop waiting after `seconds`.

    A daemon thread (not a pool) so a call stuck in a dead socket can neither
    hold us up now nor block interpreter exit later; it ends on its own when
    the HTTP client's timeout fires.
    """
    box: dict[str, Any] = {}
    done = threading.Event()
    ctx = contextvars.copy_context()

    def target() -> None:
        try:
            box["value"] = ctx.run(fn)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, name="llm-answerer-call", daemon=True).start()
    if not done.wait(max(0.0, seconds)):
        raise _GuardTimeout(f"no reply within {seconds:.2f}s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError, _GuardTimeout)):
        return True
    return any("Timeout" in cls.__name__ for cls in type(exc).__mro__)


# HTTP statuses with which a server refuses a feature (streaming, a JSON schema)
# rather than the request as such.
_REFUSED_STATUSES = frozenset({400, 404, 405, 415, 422, 501})


def _refused(exc: BaseException, streaming: bool) -> bool:
    """Did the server refuse the feature we asked for (so a plainer request may work)?"""
    if isinstance(exc, (ReplyRejected, _GuardTimeout)) or _is_timeout(exc):
        return False
    if getattr(exc, "status_code", None) in _REFUSED_STATUSES:
        return True
    # A JSON body where events were expected ends the client's stream parser.
    return streaming and isinstance(exc, (_EmptyStream, ValueError, AssertionError))


def _model_name(chat_model: Any) -> str:
    for attr in ("model_name", "model", "model_id"):
        value = getattr(chat_model, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(chat_model).__name__


def _secrets_of(chat_model: Any) -> list[str]:
    """Secret values held by the model (API keys), to scrub them from log lines."""
    from pydantic import SecretStr

    found: list[str] = []
    for value in getattr(chat_model, "__dict__", {}).values():
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            if secret and len(secret) >= 4:
                found.append(secret)
    return found


_KEYISH = re.compile(r"(sk-[A-Za-z0-9_\-]{6,}|Bearer\s+\S+)")


@dataclasses.dataclass
class _Stats:
    """What one answer cost; logged once per answer."""

    started: float = dataclasses.field(default_factory=time.monotonic)
    first_text: float | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    calls: int = 0
    streamed: bool = False

    def usage(self, message: Any) -> None:
        meta = getattr(message, "usage_metadata", None)
        if meta:  # the last report wins: some clients send the totals twice
            self.tokens_in = meta.get("input_tokens", self.tokens_in)
            self.tokens_out = meta.get("output_tokens", self.tokens_out)


@dataclasses.dataclass(frozen=True)
class _Mode:
    stream: bool
    structured: dict[str, Any] | None


class LLMAnswerer(Runnable[dict, Draft]):
    """Answer with a chat model; fall back to another runnable on any failure.

    Input: the chain's answerer inputs ({"question", "language", "passages",
    "history", ...}); output: `Draft`. `stream_draft` yields the answer text
    as the model writes it, then the `Draft`.
    """

    def __init__(
        self,
        chat_model: Runnable,
        fallback: Runnable,
        *,
        timeout: float,
        name: str | None = None,
        structured: bool = True,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.chat_model = chat_model
        self.fallback = fallback
        self.timeout = float(timeout)
        self.model = _model_name(chat_model)
        self.provider = _provider_of(chat_model) or "unknown"
        self.name = name or f"llm:{self.model}"
        self._secrets = _secrets_of(chat_model)
        # What the server turned out to support; a refusal switches a feature off for good.
        self.can_stream = True
        self.structured = structured_binding(chat_model) if structured else None

    # -- shared helpers ---------------------------------------------------------

    @property
    def deadline(self) -> float:
        """Seconds the guard waits for the model before falling back."""
        return self.timeout + GUARD_MARGIN

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _KEYISH.sub("***", text)[:200]

    def _reason_for(self, exc: BaseException) -> str:
        if isinstance(exc, ReplyRejected):
            return exc.reason
        if _is_timeout(exc):
            return "timeout"
        return f"error:{type(exc).__name__}"

    def _log_fallback(self, reason: str, exc: BaseException, started: float) -> None:
        detail = exc.detail if isinstance(exc, ReplyRejected) else str(exc)
        status = getattr(exc, "status_code", None)
        logger.warning(
            "answerer %s fell back after %.2fs: %s%s%s",
            self.name,
            time.monotonic() - started,
            reason,
            f" (HTTP {status})" if status else "",
            f" - {self._scrub(detail)}" if detail else "",
        )

    def _log_answer(self, stats: _Stats, draft: Draft) -> None:
        now = time.monotonic()
        logger.info(
            "llm answer provider=%s model=%s latency_ms=%.0f first_text_ms=%s tokens_in=%s tokens_out=%s "
            "calls=%d streamed=%s structured=%s found=%s fallback_reason=%s",
            self.provider,
            self.model,
            (now - stats.started) * 1000,
            f"{(stats.first_text - stats.started) * 1000:.0f}" if stats.first_text else "-",
            stats.tokens_in if stats.tokens_in is not None else "-",
            stats.tokens_out if stats.tokens_out is not None else "-",
            stats.calls,
            stats.streamed,
            self.structured is not None,
            draft.found,
            draft.fallback_reason or "-",
        )

    def _draft(self, inputs: Mapping[str, Any], text: str) -> Draft:
        """Parse and check the model's whole reply; raises `ReplyRejected`."""
        passages: Sequence[Passage] = inputs.get("passages") or ()
        documents = inputs.get("documents")
        answer, found, cited = parse_reply(text, len(passages))
        if found:
            known = [_sentence_text(passages[i].sentence, documents) for i in cited]
        else:  # a decline may repeat the question, and name what the article does say
            known = [str(inputs.get("question") or "")] + [_sentence_text(p.sentence, documents) for p in passages]
        answer, removed = ground_answer(answer, with_aliases(known, inputs.get("aliases")))
        if removed:
            logger.warning("answerer %s: removed unverified text from the answer (%s)", self.name, ", ".join(removed))
        return Draft(text=answer, cited=cited, found=found, answerer=self.name)

    @staticmethod
    def _mark(draft: Draft, reason: str) -> Draft:
        return dataclasses.replace(draft, fallback_reason=reason)

    def _modes(self, stream: bool) -> list[_Mode]:
        """Requests to try in order: each next one drops a feature the server may refuse."""
        modes = [_Mode(True, self.structured)] if stream and self.can_stream else []
        modes.append(_Mode(False, self.structured))
        if self.structured is not None:
            modes.append(_Mode(False, None))
        return modes

    def _adopt(self, first: _Mode, working: _Mode) -> None:
        """Remember what the server refused once a plainer request has worked."""
        if first.stream and not working.stream:
            self.can_stream = False
            logger.warning("answerer %s: the server does not stream; one call per answer from now on", self.name)
        if first.structured is not None and working.structured is None:
            self.structured = None
            logger.warning("answerer %s: the server refused the JSON schema; asking by prompt from now on", self.name)

    def _bound(self, mode: _Mode) -> Runnable:
        return self.chat_model.bind(**mode.structured) if mode.structured else self.chat_model

    # -- sync -------------------------------------------------------------------

    def invoke(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> Draft:
        """Answer with the model, or with the fallback if it fails; never hangs."""
        return self._call_with_config(self._invoke, input, config, run_type="chain")

    def _invoke(
        self,
        inputs: dict,
        run_manager: CallbackManagerForChainRun,
        config: RunnableConfig,
    ) -> Draft:
        draft: Draft | None = None
        for item in self._answer(inputs, config, stream=False):
            if isinstance(item, Draft):
                draft = item
        assert draft is not None
        return draft

    def stream_draft(self, inputs: Mapping[str, Any], config: RunnableConfig | None = None) -> Iterator[str | Draft]:
        """Answer-text deltas as the model writes them, then the checked `Draft`.

        Only text that is safe before checking is streamed (`visible_prefix`):
        no quotation that is not article text, no source line, no figure the
        passages do not state. The `Draft` is authoritative; a server that
        cannot stream gets one ordinary request instead.
        """
        yield from self._answer(dict(inputs), config, stream=True)

    def _answer(self, inputs: dict, config: RunnableConfig | None, *, stream: bool) -> Iterator[str | Draft]:
        stats = _Stats()
        ends_at = stats.started + self.deadline
        try:
            messages = format_messages(inputs)
            modes = self._modes(stream)
            text: str | None = None
            for index, mode in enumerate(modes):
                shown_before = stats.first_text is not None
                try:
                    if mode.stream:
                        text = yield from self._stream_call(messages, mode, inputs, config, ends_at, stats)
                    else:
                        text = self._plain_call(messages, mode, config, ends_at, stats)
                except Exception as exc:  # noqa: BLE001 - decided below
                    last = index == len(modes) - 1
                    if last or shown_before or stats.first_text is not None or not _refused(exc, mode.stream):
                        raise
                    logger.info("answerer %s: %s refused (%s); trying a plainer request",
                                self.name, "stream" if mode.stream else "schema", self._scrub(str(exc)))
                    continue
                self._adopt(modes[0], mode)
                break
            assert text is not None
            draft = self._draft(inputs, text)
        except Exception as exc:  # noqa: BLE001 - every model failure falls back
            reason = self._reason_for(exc)
            self._log_fallback(reason, exc, stats.started)
            draft = self._mark(self.fallback.invoke(inputs, config=config), reason)
        self._log_answer(stats, draft)
        yield draft

    def _plain_call(self, messages: list[BaseMessage], mode: _Mode, config: RunnableConfig | None,
                    ends_at: float, stats: _Stats) -> str:
        stats.calls += 1
        model = self._bound(mode)
        reply = _run_with_deadline(lambda: model.invoke(messages, config=config), ends_at - time.monotonic())
        stats.usage(reply)
        return _message_text(reply)

    def _stream_call(self, messages: list[BaseMessage], mode: _Mode, inputs: Mapping[str, Any],
                     config: RunnableConfig | None, ends_at: float, stats: _Stats) -> Iterator[str]:
        """Yield safe text deltas; return the whole reply text."""
        stats.calls += 1
        model = self._bound(mode)
        items: queue.Queue[tuple[str, Any]] = queue.Queue()
        cancelled = threading.Event()
        ctx = contextvars.copy_context()

        def produce() -> None:
            try:
                for chunk in model.stream(messages, config=config):
                    if cancelled.is_set():
                        return  # leaving the loop closes the HTTP response
                    items.put(("chunk", chunk))
                items.put(("end", None))
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                items.put(("error", exc))

        passages: Sequence[Passage] = inputs.get("passages") or ()
        documents = inputs.get("documents")
        texts = [_sentence_text(p.sentence, documents) for p in passages]
        passage_text = "\n".join(with_aliases([str(inputs.get("question") or ""), *texts], inputs.get("aliases")))
        figures = frozenset(round(v, 6) for t in texts for v, _, _ in numbers.figures(t))
        threading.Thread(target=lambda: ctx.run(produce), name="llm-answerer-stream", daemon=True).start()
        buffer: list[str] = []
        shown = ""
        try:
            while True:
                try:
                    kind, value = items.get(timeout=max(0.0, ends_at - time.monotonic()))
                except queue.Empty:
                    raise _GuardTimeout(f"no complete reply within {self.deadline:.2f}s") from None
                if kind == "error":
                    raise value
                if kind == "end":
                    break
                stats.usage(value)
                piece = _message_text(value)
                if not piece:
                    continue
                buffer.append(piece)
                reply = _partial_reply("".join(buffer))
                answer = reply.get("answer") if reply else None
                if not isinstance(answer, str):
                    continue
                complete = len(reply) > 1  # a later field has begun: the answer text is whole
                visible = visible_prefix(answer, passage_text, figures, complete=complete)
                if len(visible) > len(shown) and visible.startswith(shown):
                    if stats.first_text is None:
                        stats.first_text = time.monotonic()
                        stats.streamed = True
                    yield visible[len(shown) :]
                    shown = visible
        finally:
            cancelled.set()
        text = "".join(buffer)
        if not text.strip():
            raise _EmptyStream("the stream carried no text")
        return text

    # -- async ------------------------------------------------------------------

    async def ainvoke(
        self, input: dict, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Draft:
        """Async twin of `invoke`: the model call is cancelled at the deadline."""
        return await self._acall_with_config(self._ainvoke, input, config, run_type="chain")

    async def _ainvoke(
        self,
        inputs: dict,
        run_manager: AsyncCallbackManagerForChainRun,
        config: RunnableConfig,
    ) -> Draft:
        stats = _Stats()
        ends_at = stats.started + self.deadline
        try:
            messages = format_messages(inputs)
            modes = self._modes(stream=False)
            text: str | None = None
            for index, mode in enumerate(modes):
                stats.calls += 1
                model = self._bound(mode)
                try:
                    reply = await asyncio.wait_for(model.ainvoke(messages, config=config),
                                                   max(0.0, ends_at - time.monotonic()))
                except asyncio.TimeoutError as exc:
                    raise _GuardTimeout(f"no reply within {self.deadline:.2f}s") from exc
                except Exception as exc:  # noqa: BLE001 - decided below
                    if index == len(modes) - 1 or not _refused(exc, False):
                        raise
                    continue
                stats.usage(reply)
                text = _message_text(reply)
                self._adopt(modes[0], mode)
                break
            assert text is not None
            draft = self._draft(inputs, text)
        except Exception as exc:  # noqa: BLE001 - every model failure falls back
            reason = self._reason_for(exc)
            self._log_fallback(reason, exc, stats.started)
            draft = self._mark(await self.fallback.ainvoke(inputs, config=config), reason)
        self._log_answer(stats, draft)
        return draft


def _sentence_text(sentence: Sentence, documents: Mapping[str, Any] | None = None) -> str:
    """What a cited sentence vouches for: its words, plus its article's title, outlet and byline."""
    doc = (documents or {}).get(sentence.source)
    extra = (getattr(doc, "title", ""), getattr(doc, "outlet", ""), getattr(doc, "byline", ""), getattr(doc, "author", ""))
    parts = (sentence.text, sentence.title, sentence.outlet, sentence.byline, *extra)
    return "\n".join(dict.fromkeys(p for p in parts if p))


def build_llm_answerer(
    chat_model: Runnable,
    fallback: Runnable,
    *,
    timeout: float,
    name: str | None = None,
    structured: bool = True,
) -> LLMAnswerer:
    """Wrap `chat_model` as an answerer; `name` defaults to "llm:<model>".

    `timeout` should match the one given to `make_chat_model`: the guard waits
    `timeout + GUARD_MARGIN` seconds at most, then answers with `fallback`.
    `structured=False` never sends a JSON schema (the prompt still asks for JSON).
    """
    return LLMAnswerer(chat_model, fallback, timeout=timeout, name=name, structured=structured)
