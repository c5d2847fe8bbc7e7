"""LLM answerer: any LangChain chat model, with a hard time limit and an offline fallback.

The model only *chooses* sentences (by id) and writes a short answer; the chain
cuts the quotes from the source using the returned indices, so the model can
never put words into a quote. Anything that goes wrong here (timeout, HTTP
error, unparsable output, citations of sentences it was not given) makes the
answerer hand the same input to the fallback runnable (the offline answerer)
and mark the draft with a machine-readable `fallback_reason`. It never raises
because of the model and never waits much longer than `timeout`.

Provider packages (langchain_openai, langchain_anthropic, ...) are imported only
inside `make_chat_model`, lazily, so the offline bot runs without them.
"""
from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import BaseModel, ValidationError

from knowledge import prompts
from knowledge.models import Draft, Passage, Turn

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
        if base_url:
            kwargs["base_url"] = base_url
        if api_key:
            kwargs["api_key"] = api_key
        elif provider == "openai" and base_url and not os.environ.get("OPENAI_API_KEY"):
            kwargs["api_key"] = _PLACEHOLDER_KEY
    return init_chat_model(name, model_provider=provider, **kwargs)


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

    sentences = "\n".join(
        prompts.SENTENCE_LINE.format(
            sid=sentence_id(i),
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


# --------------------------------------------------------------------------- runnable


class _GuardTimeout(Exception):
    """The wall-clock guard fired before the model call returned."""


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
    if not done.wait(seconds):
        raise _GuardTimeout(f"no reply within {seconds:.2f}s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError, _GuardTimeout)):
        return True
    return any("Timeout" in cls.__name__ for cls in type(exc).__mro__)


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


class LLMAnswerer(Runnable[dict, Draft]):
    """Answer with a chat model; fall back to another runnable on any failure.

    Input: {"question", "language", "passages", "history"}; output: `Draft`.
    """

    def __init__(
        self,
        chat_model: Runnable,
        fallback: Runnable,
        *,
        timeout: float,
        name: str | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.chat_model = chat_model
        self.fallback = fallback
        self.timeout = float(timeout)
        self.name = name or f"llm:{_model_name(chat_model)}"
        self._secrets = _secrets_of(chat_model)

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

    def _draft(self, inputs: Mapping[str, Any], reply: Any) -> Draft:
        passages = inputs.get("passages") or ()
        answer, found, cited = parse_reply(_message_text(reply), len(passages))
        return Draft(text=answer, cited=cited, found=found, answerer=self.name)

    @staticmethod
    def _mark(draft: Draft, reason: str) -> Draft:
        return dataclasses.replace(draft, fallback_reason=reason)

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
        started = time.monotonic()
        try:
            messages = format_messages(inputs)
            reply = _run_with_deadline(
                lambda: self.chat_model.invoke(messages, config=config), self.deadline
            )
            return self._draft(inputs, reply)
        except Exception as exc:  # noqa: BLE001 - every model failure falls back
            reason = self._reason_for(exc)
            self._log_fallback(reason, exc, started)
        return self._mark(self.fallback.invoke(inputs, config=config), reason)

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
        started = time.monotonic()
        try:
            messages = format_messages(inputs)
            try:
                reply = await asyncio.wait_for(
                    self.chat_model.ainvoke(messages, config=config), self.deadline
                )
            except asyncio.TimeoutError as exc:
                raise _GuardTimeout(f"no reply within {self.deadline:.2f}s") from exc
            return self._draft(inputs, reply)
        except Exception as exc:  # noqa: BLE001 - every model failure falls back
            reason = self._reason_for(exc)
            self._log_fallback(reason, exc, started)
        return self._mark(await self.fallback.ainvoke(inputs, config=config), reason)


def build_llm_answerer(
    chat_model: Runnable,
    fallback: Runnable,
    *,
    timeout: float,
    name: str | None = None,
) -> LLMAnswerer:
    """Wrap `chat_model` as an answerer; `name` defaults to "llm:<model>".

    `timeout` should match the one given to `make_chat_model`: the guard waits
    `timeout + GUARD_MARGIN` seconds at most, then answers with `fallback`.
    """
    return LLMAnswerer(chat_model, fallback, timeout=timeout, name=name)
