"""The answer pipeline: question -> Answer with verified quotes, composed with LCEL.

    prepare (normalise, classify, analyse against the corpus: once) ->
    retrieve (hybrid, entity-scoped) -> gate (answer / uncertain / decline,
    the same for every answerer) -> answer (offline or LLM, swappable) ->
    verify (cut quotes from the source by offsets and check them) -> Answer

Callable without Slack: `build_chain(settings).ask("...")`.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.runnables import Runnable, RunnableBranch, RunnableLambda

from knowledge.base import KnowledgeBase, build_knowledge_base
from knowledge.corpus import CorpusInfo
from knowledge.gate import ANSWER, Gate
from knowledge.locale import messages
from knowledge.models import Answer, Answerer, Document, Draft, Passage, Quote, Sentence, Turn
from knowledge.offline import decline, make_offline_answerer
from knowledge.question import Question
from knowledge.settings import KnowledgeSettings

log = logging.getLogger(__name__)


class AnswerChain:
    """Question in, `Answer` out. Retriever, gate and answerer are swappable parts."""

    def __init__(
        self,
        kb: KnowledgeBase,
        answerer: Answerer | None = None,
        *,
        settings: KnowledgeSettings | None = None,
        streams: bool = False,
        gate: Gate | None = None,
        corpus: CorpusInfo | None = None,
    ) -> None:
        self.kb = kb
        self.settings = settings or kb.settings
        self.offline = make_offline_answerer()
        self.answerer = answerer or self.offline
        # The gate fitted together with the retriever's ranking (with or without latent terms).
        self.gate = gate or Gate(kb.retriever.ranking if kb.retriever.ranking.weights else None)
        self.corpus = corpus or CorpusInfo.load(self.settings.seeds_dir)
        self.streams = streams
        self.runnable: Runnable = (
            RunnableLambda(self._prepare, name="prepare")
            | RunnableBranch(
                (lambda state: state.get("final") is not None, RunnableLambda(lambda state: state["final"], name="early")),
                RunnableLambda(self._retrieve, name="retrieve")
                | RunnableLambda(self._answer, name="answer")
                | RunnableLambda(self._verify, name="verify"),
            )
        ).with_config(run_name="answer_chain")

    # -- public ---------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        return self.runnable.invoke({"question": question, "history": list(history)})

    def invoke(self, inputs: Mapping[str, Any]) -> Answer:
        return self.runnable.invoke(dict(inputs))

    def stream(self, question: str, history: Sequence[Turn] = ()) -> Iterator[str | Answer]:
        """Answer-text deltas (str) while the answerer writes, then exactly one verified `Answer`.

        An answerer that can stream exposes `stream_draft(inputs)`, yielding text
        deltas and finally its `Draft`; any other answerer yields no deltas. The
        final `Answer` is authoritative: its text may differ from the streamed
        deltas (verification removed something, or the model fell back), and a
        caller that showed the deltas must then replace them with `Answer.text`.
        """
        state = self._prepare({"question": question, "history": list(history)})
        if state.get("final") is not None:
            yield state["final"]
            return
        state = self._retrieve(state)
        answerer = self._answerer_for(state)
        inputs = self._answer_inputs(state)
        stream_draft = getattr(answerer, "stream_draft", None)
        draft: Draft | None = None
        if stream_draft is not None:
            for item in stream_draft(inputs):
                if isinstance(item, Draft):
                    draft = item
                elif item:
                    yield str(item)
        state["draft"] = draft if draft is not None else answerer.invoke(inputs)
        yield self._verify(state)

    @property
    def documents(self) -> list[Document]:
        return self.kb.documents

    # -- steps ----------------------------------------------------------------
    def _prepare(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        history: list[Turn] = [t if isinstance(t, Turn) else Turn(**t) for t in inputs.get("history") or []]
        raw = str(inputs.get("question") or "")
        question = self.kb.retriever.prepare(raw, history, self.settings.max_question_chars)
        words = messages(question.language)
        notice = words.TOO_LONG.format(limit=self.settings.max_question_chars) if question.truncated else None
        state: dict[str, Any] = {"question": raw, "prepared": question, "notice": notice, "final": None}
        examples = self.corpus.examples_in(question.language)
        if question.intent == "usage":
            return _reply(state, words.USAGE.format(example=examples[0] if examples else "?"), "usage")
        if question.intent == "injection":
            return _reply(state, words.INJECTION_ONLY, "injection")
        if question.intent in ("hello", "thanks"):
            text = self.corpus.greeting.get(question.language) or words.HELLO.format(
                topic=self.corpus.topic_in(question.language), examples=", ".join(f'"{e}"' for e in examples[:2]))
            return _reply(state, text if question.intent == "hello" else words.THANKS, "small_talk")
        if question.intent == "sources":
            return _reply(state, self.list_sources(question.language), "sources")
        return state

    def list_sources(self, language: str, heading: str | None = None) -> str:
        """One line per indexed article: title or first words, outlet, date, file."""
        words = messages(language)
        if not self.documents:
            return words.NO_DOCUMENTS
        lines = [heading or words.SOURCES.format(count=len(self.documents))]
        for doc in self.documents:
            extra = ", ".join(x for x in (doc.outlet, doc.date, doc.source) if x)
            lines.append(f"• {doc.label} ({extra})")
        return "\n".join(lines)

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        question: Question = state["prepared"]
        retriever = self.kb.retriever
        state["outcome"] = ANSWER
        if question.intent in ("summary", "byline"):
            source = retriever.document_for(question)
            if source is None:
                words = messages(question.language)
                state["final"] = Answer(question=state["question"], text=self.list_sources(question.language, words.WHICH_ARTICLE),
                                        found=False, language=question.language, answerer="none", notice="sources")
                state["passages"] = []
                return state
            if question.intent == "summary":
                state["passages"] = retriever.overview(max(3, self.settings.top_k), source)
                return state
            credit = retriever.credit(source)
            if credit is not None:
                state["passages"] = [Passage(sentence=credit, score=1.0, dense=1.0, lexical=1.0, rank=1)]
                return state
        state["passages"] = retriever.search(question, k=self.settings.top_k)
        verdict = self.gate.judge(question, state["passages"])
        state["outcome"] = verdict.outcome
        state["gate"] = verdict
        if verdict.outcome == ANSWER and len(question.parts) > 1:
            # Each later part of a multi-part question brings its own sentence, right after the first.
            passages = state["passages"]
            extra = retriever.part_passages(question, passages[0])
            keys = {p.sentence.key for p in extra}
            state["passages"] = [passages[0], *extra, *(p for p in passages[1:] if p.sentence.key not in keys)]
        elif verdict.outcome == ANSWER and (i := retriever.rival(question, state["passages"])) is not None:
            # Another article gives the asked figure for the same thing: it comes second, marked, to be shown too.
            passages = state["passages"]
            rival = replace(passages[i], features={**passages[i].features, "rival": 1.0})
            state["passages"] = [passages[0], rival, *passages[1:i], *passages[i + 1:]]
        return state

    def _answerer_for(self, state: Mapping[str, Any]) -> Answerer:
        """The configured answerer words answers; gate declines and special replies stay offline."""
        question: Question = state["prepared"]
        if state.get("final") is not None or state.get("outcome") != ANSWER or question.intent in ("summary", "byline"):
            return self.offline if question.intent == "ask" else _SpecialAnswerer(self)
        return self.answerer

    def _answer(self, state: dict[str, Any]) -> dict[str, Any]:
        if state.get("final") is not None:
            return state
        state["draft"] = self._answerer_for(state).invoke(self._answer_inputs(state))
        return state

    def _answer_inputs(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """What every answerer receives (offline, LLM, streamed or not)."""
        question: Question = state["prepared"]
        return {
            "question": question.text,
            "language": question.language,
            "passages": state.get("passages", []),
            "history": list(question.history),
            "units": list(question.units),
            "summary": question.intent == "summary",
            "unknown_figures": list(question.unknown_figures),
            "prepared": question,
            "outcome": state.get("outcome", ANSWER),
            "documents": {d.source: d for d in self.documents},
            "aliases": self.kb.retriever.profile.groups,
            "names": self.kb.retriever.names,
        }

    def _verify(self, state: dict[str, Any]) -> Answer:
        if state.get("final") is not None:
            return state["final"]
        question: Question = state["prepared"]
        draft: Draft = state["draft"]
        passages: list[Passage] = state["passages"]
        if not draft.found and not draft.text.strip():
            # A model that declines without words: decline in the usual wording.
            worded = decline(question.language, passages)
            draft = Draft(worded.text, worded.cited, False, draft.answerer, draft.fallback_reason, worded.closest_only)
        quotes = []
        for index in draft.cited:
            if 0 <= index < len(passages):
                quote = self.quote_for(passages[index].sentence)
                if quote is not None and quote not in quotes:
                    quotes.append(quote)
        found = draft.found and bool(quotes)
        text = draft.text
        if draft.found and not quotes:
            log.warning("answer cited no verifiable sentence; declining")
            text = messages(question.language).UNVERIFIED
        meta: dict[str, Any] = {
            "retrieved": [
                {"source": p.sentence.source, "start": p.sentence.start, "end": p.sentence.end, "score": round(p.score, 4)}
                for p in passages
            ]
        }
        if (verdict := state.get("gate")) is not None:
            meta["gate"] = {"outcome": verdict.outcome, "p": round(verdict.probability, 4)}
        if question.injected:
            meta["instructions_ignored"] = True
        if self.kb.retriever.degraded:
            meta["degraded"] = self.kb.retriever.degraded
        return Answer(
            question=state["question"],
            text=text,
            found=found,
            quotes=tuple(quotes),
            language=question.language,
            answerer=draft.answerer,
            fallback_reason=draft.fallback_reason,
            closest_only=draft.closest_only and not draft.found,
            notice=state["notice"],
            meta=meta,
            uncertain=state.get("outcome") == "uncertain" and not found,
        )

    def quote_for(self, sentence: Sentence) -> Quote | None:
        """Cut the sentence from its source file; None unless it matches exactly."""
        doc = next((d for d in self.documents if d.source == sentence.source), None)
        source = doc.text if doc is not None else None
        if source is None or source[sentence.start : sentence.end] != sentence.text:
            log.warning("quote %s does not match its source; dropped", sentence.key)
            return None
        return Quote(
            text=source[sentence.start : sentence.end],
            source=sentence.source,
            start=sentence.start,
            end=sentence.end,
            paragraph=sentence.paragraph,
            title=doc.title,
            outlet=doc.outlet,
            byline=doc.byline,
            label=doc.label,
            date=doc.date,
            url=doc.url,
        )


class _SpecialAnswerer:
    """Summaries and bylines: worded from the chosen document, with any answerer configured."""

    def __init__(self, chain: AnswerChain) -> None:
        self.chain = chain

    def invoke(self, inputs: Mapping[str, Any]) -> Draft:
        question: Question = inputs["prepared"]
        passages: Sequence[Passage] = inputs.get("passages", [])
        if not passages:
            return decline(question.language, passages)
        doc = next((d for d in self.chain.documents if d.source == passages[0].sentence.source), None)
        words = messages(question.language)
        outlet, date = (doc.outlet, doc.date) if doc else ("", "")
        extra = ", ".join(x for x in (outlet, date) if x)
        extra = (f" ({extra})" if question.language == "en" else f"({extra})") if extra else ""
        label = doc.label if doc else passages[0].sentence.source
        if question.intent == "byline":
            text = words.BYLINE.format(label=label, outlet=outlet or "?", byline=(doc.byline if doc else "") or "?")
            if date:
                text += " " + words.DATED.format(date=date)
            return Draft(text=text, cited=(0,), found=True, answerer="offline")
        text = words.SUMMARY.format(label=label, extra=extra, count=len(passages))
        return Draft(text=text, cited=tuple(range(len(passages))), found=True, answerer="offline")


def _reply(state: dict[str, Any], text: str, kind: str) -> dict[str, Any]:
    """End the chain early with a reply that is not an answer (`kind` is one of NOTICE_KINDS)."""
    question: Question = state["prepared"]
    state["final"] = Answer(question=state["question"], text=text, found=False, language=question.language,
                            answerer="none", notice=kind)
    return state


def make_answerer(settings: KnowledgeSettings) -> tuple[Runnable, bool]:
    """The offline answerer, or the configured LLM with the offline one as fallback."""
    offline = make_offline_answerer()
    if not settings.llm_model and not settings.llm_base_url:
        return offline, False
    try:
        from knowledge.llm import build_llm_answerer, make_chat_model

        model = make_chat_model(
            settings.llm_model or "default",
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
        )
    except Exception as exc:  # missing provider package, bad model string: stay useful offline
        log.error("LLM %r unavailable (%s); answering offline", settings.llm_model, exc)
        return offline, False
    return build_llm_answerer(model, offline, timeout=settings.llm_timeout), True


def build_chain(settings: KnowledgeSettings, *, kb: KnowledgeBase | None = None, answerer: Runnable | None = None) -> AnswerChain:
    """Build (and, when stale, index) the knowledge base, then the chain on top of it."""
    kb = kb or build_knowledge_base(settings)
    streams = False
    if answerer is None:
        answerer, streams = make_answerer(settings)
    return AnswerChain(kb, answerer, settings=settings, streams=streams)
