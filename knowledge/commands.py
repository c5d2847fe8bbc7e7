"""The knowledge jobs behind `lg-ai index` / `lg-ai search` (and `python -m knowledge`).

They take settings and return text, so both command lines share them and tests
call them directly. Heavy modules (Chroma, the embedder) load only here.
"""
from __future__ import annotations

from typing import Any

import time
from dataclasses import dataclass

from knowledge.settings import KnowledgeSettings


@dataclass(frozen=True)
class IndexResult:
    documents: int
    sentences: int
    added: int
    removed: int
    kept: int
    cached: int  # documents whose vectors are in the vector cache after the run
    pruned: int  # stale vector-cache files deleted
    seconds: float
    where: str

    def line(self) -> str:
        cache = f"; vector cache: {self.cached}/{self.documents} documents" + (f", {self.pruned} stale files removed" if self.pruned else "")
        return (
            f"indexed {self.documents} document(s), {self.sentences} sentences in {self.where} "
            f"({self.added} added, {self.removed} removed, {self.kept} kept) in {self.seconds:.2f}s{cache}"
        )


def run_index(settings: KnowledgeSettings, *, rebuild: bool = False, write_cache: bool = True) -> IndexResult:
    """Make the configured store hold exactly the seeds, and the vector cache hold their vectors.

    Run once per deploy (`release:`): workers then find the index current. With
    `write_cache`, vectors missing from `<seeds>/.vectors` are written there (taken
    from the store when it already has them, so nothing is embedded twice).
    """
    from knowledge.base import build_knowledge_base
    from knowledge.vector_cache import make_vector_cache

    started = time.perf_counter()
    kb = build_knowledge_base(settings, sync=False)
    cache = make_vector_cache(settings, write=write_cache)
    kb.store.vector_cache = cache
    report = kb.store.sync(kb.documents, rebuild=rebuild)
    cached = pruned = 0
    if cache is not None:
        for doc in kb.documents:
            if write_cache and not cache.has(doc) and doc.sentences:
                stored = kb.store.vectors_for(doc.sentences)
                if len(stored) == len(doc.sentences):
                    cache.save(doc, [stored[s.key] for s in doc.sentences])
            cached += cache.has(doc)
        if write_cache:
            pruned = cache.prune(kb.documents)
            _write_latent_terms(kb, settings)
    where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.uses_server else str(settings.chroma_path)
    return IndexResult(
        documents=len(kb.documents),
        sentences=kb.store.count(),
        added=report.added,
        removed=report.removed,
        kept=report.kept,
        cached=cached,
        pruned=pruned,
        seconds=time.perf_counter() - started,
        where=where,
    )


def _write_latent_terms(kb: Any, settings: KnowledgeSettings) -> None:
    """Commit each article's latent terms next to its vectors, so a fresh worker need not compute them."""
    from knowledge.latent import TermsCache
    from knowledge.settings import DEFAULT_EMBEDDINGS
    from knowledge.vector_cache import model_key

    terms = kb.retriever.terms
    if terms is None or settings.vectors_dir is None:
        return
    folder = settings.vectors_dir / model_key(DEFAULT_EMBEDDINGS) / "terms"
    cache = TermsCache([folder], write_to=folder)
    row = 0
    for doc in kb.documents:
        n = len(doc.sentences)
        if n and not cache.has(doc, folder):
            cache.save(doc, terms.idx[row : row + n], terms.val[row : row + n])
        row += n
    cache.prune(kb.documents, folder)


def run_search(settings: KnowledgeSettings, question: str, k: int = 5) -> str:
    """The ranked sentences for `question`, with scores and offsets, as text."""
    from knowledge.base import build_knowledge_base
    from knowledge.text import normalize_question

    kb = build_knowledge_base(settings)
    lines = [f"question: {normalize_question(question)}"]
    for p in kb.retriever.search(question, k=k):
        s = p.sentence
        lines.append(f"{p.rank}. score={p.score:.3f} dense={p.dense:.3f} coverage={p.lexical:.2f}  {s.source}:{s.start}-{s.end} ¶{s.paragraph}")
        lines.append(f"   {s.text}")
    return "\n".join(lines)
