"""Hybrid retrieval: dense (Chroma) + lexical (BM25 over bigrams), fused per sentence.

Each passage carries its scores so the answerer can tell a real match from
the nearest of nothing: `dense` (cosine), `lexical` (coverage of the
question's terms) and the fused `score`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from knowledge.lexical import LexicalIndex, QueryUnit, analyse, coverage, cue_bonus, question_cues
from knowledge.numbers import unknown_figures, values
from knowledge.summary import key_sentences
from knowledge.models import Passage, Sentence
from knowledge.text import fold, normalize_question

log = logging.getLogger(__name__)

DenseSearch = Callable[[Sequence[float], int], list[tuple[Sentence, float]]]
# Stored vectors of some sentences, by `Sentence.key`; missing keys are embedded.
VectorLookup = Callable[[Sequence[Sentence]], dict[str, list[float]]]

# Weights of the fused score; dense similarity is rescaled from the band in
# which multilingual-e5 cosines actually move (about 0.70 .. 0.92).
W_DENSE, W_LEXICAL, W_COVERAGE = 0.40, 0.10, 0.50
DENSE_FLOOR, DENSE_CEIL = 0.70, 0.92


class HybridRetriever:
    """Finds the sentences that answer a question, in Korean or English."""

    def __init__(
        self,
        sentences: Sequence[Sentence],
        embeddings: Embeddings,
        dense_search: DenseSearch,
        candidates: int = 20,
        lexical: LexicalIndex | None = None,
        vector_lookup: VectorLookup | None = None,
    ) -> None:
        self.sentences = list(sentences)
        self.embeddings = embeddings
        self.dense_search = dense_search
        self.candidates = candidates
        self.lexical = lexical or LexicalIndex([s.text for s in self.sentences])
        self.vector_lookup = vector_lookup
        self._by_key = {s.key: i for i, s in enumerate(self.sentences)}
        # Set while the vector store is failing, so callers can say so.
        self.degraded: str | None = None
        self._overviews: dict[int, list[Sentence]] = {}
        self._figures: frozenset[float] | None = None

    def units(self, question: str) -> list[QueryUnit]:
        return self.lexical.weigh(analyse(question))

    def unknown_figures(self, question: str) -> list[str]:
        """Figures the question names that no sentence states (see `knowledge.numbers`)."""
        if self._figures is None:
            self._figures = values(s.text for s in self.sentences)
        return unknown_figures(question, self._figures)

    def search(self, question: str, k: int = 3, units: list[QueryUnit] | None = None) -> list[Passage]:
        question = normalize_question(question)
        if not question:
            return []
        units = units if units is not None else self.units(question)
        found: dict[str, dict[str, Any]] = {}
        vector = self.embeddings.embed_query(question)
        try:
            dense_hits = self.dense_search(vector, self.candidates)
            self.degraded = None
        except Exception as exc:  # a Chroma server that went away: answer from the lexical side
            log.warning("vector store unavailable (%s: %s); lexical retrieval only", type(exc).__name__, exc)
            dense_hits = []
            self.degraded = f"vector store unavailable: {type(exc).__name__}"
        for sentence, cosine in dense_hits:
            found.setdefault(sentence.key, {"sentence": sentence, "dense": cosine, "bm25": 0.0})
        lexical_hits = self.lexical.search(units, self.candidates)
        top_bm25 = lexical_hits[0][1] if lexical_hits else 0.0
        for index, bm25 in lexical_hits:
            sentence = self.sentences[index]
            entry = found.setdefault(sentence.key, {"sentence": sentence, "dense": None, "bm25": 0.0})
            entry["bm25"] = bm25
        missing = [e for e in found.values() if e["dense"] is None]
        if missing:
            # Lexical-only candidates still need a dense score to be fused fairly.
            stored = self._vectors([e["sentence"] for e in missing])
            for entry in missing:
                entry["dense"] = _cosine(vector, stored[entry["sentence"].key])
        cues = question_cues(question)
        passages = []
        for entry in found.values():
            sentence: Sentence = entry["sentence"]
            folded = fold(sentence.text)
            cover = coverage(units, folded, self._context(sentence))
            dense = float(entry["dense"])
            dense_scaled = min(1.0, max(0.0, (dense - DENSE_FLOOR) / (DENSE_CEIL - DENSE_FLOOR)))
            bm25 = entry["bm25"] / top_bm25 if top_bm25 > 0 else 0.0
            score = W_DENSE * dense_scaled + W_LEXICAL * bm25 + W_COVERAGE * cover + cue_bonus(cues, units, folded)
            passages.append(Passage(sentence=sentence, score=score, dense=dense, lexical=cover))
        passages.sort(key=lambda p: (-p.score, p.sentence.source, p.sentence.start))
        return [
            Passage(sentence=p.sentence, score=p.score, dense=p.dense, lexical=p.lexical, rank=i + 1)
            for i, p in enumerate(passages[:k])
        ]

    def overview(self, k: int = 3) -> list[Passage]:
        """The article's key sentences, for summary requests (see `knowledge.summary`)."""
        if k not in self._overviews:
            first = [s for s in self.sentences if s.source == self.sentences[0].source]
            self._overviews[k] = key_sentences(first, self._vectors(first), k)
        return [Passage(sentence=s, score=1.0, dense=1.0, lexical=1.0, rank=i + 1) for i, s in enumerate(self._overviews[k])]

    def _vectors(self, sentences: Sequence[Sentence]) -> dict[str, list[float]]:
        """Vectors of these sentences by key: the stored ones, embedding only what the store lacks."""
        vectors: dict[str, list[float]] = {}
        if self.vector_lookup is not None:
            try:
                vectors = dict(self.vector_lookup(sentences))
            except Exception as exc:  # the store is down: embedding them is slower but works
                log.warning("stored vectors unavailable (%s); embedding instead", type(exc).__name__)
        todo = [s for s in sentences if s.key not in vectors]
        if todo:
            vectors.update(zip([s.key for s in todo], self.embeddings.embed_documents([s.text for s in todo])))
        return vectors

    def _context(self, sentence: Sentence) -> str:
        """The previous sentence of the same paragraph: what "it" / "누적 참가자" refers to."""
        i = self._by_key.get(sentence.key)
        if not i:
            return ""
        prev = self.sentences[i - 1]
        if prev.source != sentence.source or prev.paragraph != sentence.paragraph:
            return ""
        return self.lexical.folded[i - 1]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    import numpy as np

    va, vb = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    denom = float(np.linalg.norm(va) * np.linalg.norm(vb)) or 1.0
    return float(va @ vb) / denom


def passage_to_document(passage: Passage) -> LCDocument:
    s = passage.sentence
    return LCDocument(
        page_content=s.text,
        id=s.key,
        metadata={
            **s.metadata(),
            "score": passage.score,
            "dense": passage.dense,
            "lexical": passage.lexical,
            "rank": passage.rank,
        },
    )


class SentenceRetriever(BaseRetriever):
    """The hybrid retriever as a LangChain retriever (one Document per sentence)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    hybrid: HybridRetriever
    k: int = 3

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[LCDocument]:
        k = int(kwargs.get("k", self.k))
        return [passage_to_document(p) for p in self.hybrid.search(query, k=k)]
