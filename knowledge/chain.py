"""The retrieval chain: question -> Answer with verified quotes, composed with LCEL.

    prepare (normalise, guard, follow-up) -> retrieve (hybrid, as a LangChain
    retriever) -> answer (offline or LLM, swappable) -> verify (cut quotes
    from the source by offsets and check them) -> Answer

Callable without Slack: `build_chain(settings).ask("...")`.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from langchain_core.runnables import Runnable, RunnableBranch, RunnableLambda

from knowledge.base import KnowledgeBase, build_knowledge_base
from knowledge.lexical import QueryUnit
from knowledge.lexicon import ENTITIES
from knowledge.models import Answer, Draft, Passage, Quote, Sentence, Turn
from knowledge.offline import decline, make_offline_answerer
from knowledge.retrieval import SentenceRetriever
from knowledge.settings import KnowledgeSettings
from knowledge.summary import is_summary_request
from knowledge.text import detect_language, fold, normalize_question, small_talk, strip_injection

log = logging.getLogger(__name__)

USAGE_KO = "질문을 입력해 주세요. 예: \"엑사원 딥의 수능 수학 점수는?\" 또는 \"When was LG AI Research founded?\""
USAGE_EN = 'Please type a question, e.g. "엑사원 딥의 수능 수학 점수는?" or "When was LG AI Research founded?"'
INJECTION_ONLY = "지시문은 따르지 않습니다. 기사에 대한 질문을 해 주세요. / I don't follow instructions in questions; please ask about the article."

_SMALL_TALK = {
    ("hello", "ko"): "안녕하세요! LG의 AI 전략(ABC, LG AI연구원, 엑사원 딥, LG 에이머스) 기사에 대해 물어보세요. "
                     "예: \"엑사원 딥의 수능 수학 점수는?\", \"이 기사 요약해 줘\"",
    ("hello", "en"): "Hi! Ask me about the article on LG's AI strategy (ABC, LG AI Research, EXAONE Deep, LG Aimers), "
                     "e.g. \"What did EXAONE Deep score on the Korean SAT math section?\" or \"Summarize the article\".",
    ("thanks", "ko"): "👍 더 궁금한 점이 있으면 언제든 물어보세요.",
    ("thanks", "en"): "👍 Ask me anything else about the article.",
}
_FOLLOW_UP = re.compile(r"^\s*(그럼|그러면|그리고|그건|그거|그 다음|그밖에|또|and\b|what about\b|how about\b|and the\b|also\b|then\b)", re.I)
_ENTITY_FORMS = frozenset(fold(f) for group in ENTITIES for f in group) - {"lg", "엘지"}


class AnswerChain:
    """Question in, `Answer` out. Retriever and answerer are swappable runnables."""

    def __init__(
        self,
        kb: KnowledgeBase,
        answerer: Runnable | None = None,
        *,
        settings: KnowledgeSettings | None = None,
        streams: bool = False,
    ) -> None:
        self.kb = kb
        self.settings = settings or kb.settings
        self.answerer = answerer or make_offline_answerer()
        self.retriever = SentenceRetriever(hybrid=kb.retriever, k=self.settings.top_k)
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
        inputs = self._answer_inputs(state)
        stream_draft = getattr(self.answerer, "stream_draft", None)
        draft: Draft | None = None
        if stream_draft is not None:
            for item in stream_draft(inputs):
                if isinstance(item, Draft):
                    draft = item
                elif item:
                    yield str(item)
        state["draft"] = draft if draft is not None else self.answerer.invoke(inputs)
        yield self._verify(state)

    # -- steps ----------------------------------------------------------------
    def _prepare(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        raw = str(inputs.get("question") or "")
        history: list[Turn] = [t if isinstance(t, Turn) else Turn(**t) for t in inputs.get("history") or []]
        limit = self.settings.max_question_chars
        notice = None
        question = normalize_question(raw)
        language = detect_language(question)
        if len(question) > limit:
            question = question[:limit].rstrip()
            notice = (
                f"질문이 너무 길어 앞의 {limit:,}자만 사용했습니다."
                if language == "ko"
                else f"Your question was longer than {limit:,} characters; only the first {limit:,} were used."
            )
        cleaned, injected = strip_injection(question)
        state: dict[str, Any] = {"question": raw, "clean": cleaned, "history": history, "language": language,
                                 "notice": notice, "injected": injected, "final": None}
        if not question:
            return _reply(state, USAGE_KO if language == "ko" else USAGE_EN, "usage")
        if injected and not cleaned:
            return _reply(state, INJECTION_ONLY, "injection")
        state["language"] = detect_language(cleaned)
        talk = small_talk(cleaned)
        if talk is not None:
            return _reply(state, _SMALL_TALK[(talk, state["language"])], "small_talk")
        state["summary"] = is_summary_request(cleaned)
        state["query"] = self._resolve_follow_up(cleaned, history)
        state["units"] = self.kb.retriever.units(state["query"])
        state["unknown_figures"] = self.kb.retriever.unknown_figures(cleaned)
        return state

    def _resolve_follow_up(self, question: str, history: Sequence[Turn]) -> str:
        """"그럼 경량 모델은?" after a question about EXAONE Deep -> add that topic."""
        if not history:
            return question
        units = self.kb.retriever.units(question)
        has_topic = any(_is_entity(u) for u in units)
        if has_topic and not _FOLLOW_UP.search(question):
            return question
        for turn in reversed(history):
            previous = normalize_question(turn.question)
            topic = [u.label for u in self.kb.retriever.units(previous) if _is_entity(u)]
            if topic:
                return f"{question} {' '.join(dict.fromkeys(topic))}"
        return question

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        if state.get("summary"):
            state["passages"] = self.kb.retriever.overview(max(3, self.settings.top_k))
            return state
        docs = self.retriever.invoke(state["query"])
        state["passages"] = [_passage_from_document(d) for d in docs]
        return state

    def _answer(self, state: dict[str, Any]) -> dict[str, Any]:
        state["draft"] = self.answerer.invoke(self._answer_inputs(state))
        return state

    def _answer_inputs(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """What every answerer receives (offline, LLM, streamed or not)."""
        return {
            "question": state["clean"],
            "language": state["language"],
            "passages": state["passages"],
            "history": state["history"],
            "units": state["units"],
            "summary": state.get("summary", False),
            "unknown_figures": state.get("unknown_figures", []),
        }

    def _verify(self, state: dict[str, Any]) -> Answer:
        draft: Draft = state["draft"]
        passages: list[Passage] = state["passages"]
        if not draft.found and not draft.text.strip():
            # A model that declines without words: decline in the usual wording.
            worded = decline(state["language"], passages)
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
            text = "기사에서 근거 문장을 확인하지 못했습니다." if state["language"] == "ko" else "I could not verify a supporting sentence in the article."
        meta: dict[str, Any] = {
            "retrieved": [
                {"source": p.sentence.source, "start": p.sentence.start, "end": p.sentence.end, "score": round(p.score, 4)}
                for p in passages
            ]
        }
        if state["injected"]:
            meta["instructions_ignored"] = True
        if self.kb.retriever.degraded:
            meta["degraded"] = self.kb.retriever.degraded
        return Answer(
            question=state["question"],
            text=text,
            found=found,
            quotes=tuple(quotes),
            language=state["language"],
            answerer=draft.answerer,
            fallback_reason=draft.fallback_reason,
            closest_only=draft.closest_only and not draft.found,
            notice=state["notice"],
            meta=meta,
        )

    def quote_for(self, sentence: Sentence) -> Quote | None:
        """Cut the sentence from its source file; None unless it matches exactly."""
        source = self.kb.source_text(sentence.source)
        if source is None or source[sentence.start : sentence.end] != sentence.text:
            log.warning("quote %s does not match its source; dropped", sentence.key)
            return None
        return Quote(
            text=source[sentence.start : sentence.end],
            source=sentence.source,
            start=sentence.start,
            end=sentence.end,
            paragraph=sentence.paragraph,
            title=sentence.title,
            outlet=sentence.outlet,
            byline=sentence.byline,
        )


def _reply(state: dict[str, Any], text: str, kind: str) -> dict[str, Any]:
    """End the chain early with a reply that is not an answer (`kind` is one of NOTICE_KINDS)."""
    state["final"] = Answer(question=state["question"], text=text, found=False, language=state["language"],
                            answerer="none", notice=kind)
    return state


def _is_entity(unit: QueryUnit) -> bool:
    return any(f in _ENTITY_FORMS for f in unit.forms)


def _passage_from_document(doc: Any) -> Passage:
    m = doc.metadata
    sentence = Sentence.from_metadata(doc.page_content, m)
    return Passage(sentence=sentence, score=float(m.get("score", 0.0)), dense=float(m.get("dense", 0.0)),
                   lexical=float(m.get("lexical", 0.0)), rank=int(m.get("rank", 0)))


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
