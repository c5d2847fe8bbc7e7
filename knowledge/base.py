"""The knowledge base: parsed seeds, the Chroma store and the hybrid retriever, built once."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from langchain_core.embeddings import Embeddings

from knowledge.embeddings import make_embeddings
from knowledge.loading import load_documents
from knowledge.models import Document, Sentence
from knowledge.retrieval import HybridRetriever
from knowledge.settings import DEFAULT_EMBEDDINGS, KnowledgeSettings, SeedsNotFoundError
from knowledge.store import SentenceStore, SyncReport, make_chroma_client
from knowledge.latent import LatentTerms, TermsCache, build_latent_terms
from knowledge.vector_cache import make_vector_cache, model_key

log = logging.getLogger(__name__)


@dataclass
class KnowledgeBase:
    """Everything retrieval needs, handed around as one object."""

    settings: KnowledgeSettings
    documents: list[Document]
    embeddings: Embeddings
    store: SentenceStore
    retriever: HybridRetriever
    sync_report: SyncReport | None = None

    def source_text(self, source: str) -> str | None:
        for doc in self.documents:
            if doc.source == source:
                return doc.text
        return None

    def reload(self) -> SyncReport:
        """Re-read the seeds and sync the index (after a seed was added or edited)."""
        self.documents = load_documents(self.settings.seeds_dir)
        report = self.store.sync(self.documents)
        self.retriever = _make_retriever(self.documents, self.embeddings, self.store, self.settings)
        self.sync_report = report
        return report


def build_knowledge_base(
    settings: KnowledgeSettings,
    *,
    embeddings: Embeddings | None = None,
    client: Any = None,
    sync: bool = True,
    rebuild: bool = False,
) -> KnowledgeBase:
    """Parse the seeds, open Chroma and index what is missing or stale."""
    started = time.perf_counter()
    if not settings.seeds_dir.is_dir():
        raise SeedsNotFoundError(f"seeds folder not found: {settings.seeds_dir} (set SEEDS_DIR, or run where ./seeds exists)")
    documents = load_documents(settings.seeds_dir)
    embeddings = embeddings or make_embeddings(settings.embeddings, preload=settings.embeddings_preload)
    store = SentenceStore(client or make_chroma_client(settings), embeddings, settings.collection, make_vector_cache(settings))
    report = None
    if rebuild or (sync and store.is_stale(documents)):
        report = store.sync(documents, rebuild=rebuild)
    kb = KnowledgeBase(
        settings=settings,
        documents=documents,
        embeddings=embeddings,
        store=store,
        retriever=_make_retriever(documents, embeddings, store, settings),
        sync_report=report,
    )
    log.info(
        "knowledge base ready: %d documents, %d sentences, %.2fs",
        len(documents),
        sum(len(d.sentences) for d in documents),
        time.perf_counter() - started,
    )
    return kb


def _make_retriever(
    documents: list[Document], embeddings: Embeddings, store: SentenceStore, settings: KnowledgeSettings
) -> HybridRetriever:
    sentences: list[Sentence] = [s for d in documents for s in d.sentences]
    return HybridRetriever(sentences, embeddings, store.search, vector_lookup=store.vectors_for, documents=documents,
                           terms=make_latent_terms(documents, embeddings, settings))


def make_latent_terms(documents: list[Document], embeddings: Embeddings, settings: KnowledgeSettings) -> LatentTerms | None:
    """The corpus's latent terms, or None when off or when no model computes them.

    They come from the bundled model whatever EMBEDDINGS says, so the fitted ranking
    sees the same signal with every embeddings provider.
    """
    if not settings.latent_terms:
        return None
    encoder = embeddings if getattr(embeddings, "has_sparse", False) else None
    if encoder is None:
        try:
            from knowledge.embeddings import E5Embeddings

            encoder = E5Embeddings(preload=settings.embeddings_preload)
        except Exception as exc:  # noqa: BLE001 - ranking still works on dense and keyword signals
            log.warning("latent terms unavailable (%s); ranking without them", exc)
            return None
        if not encoder.has_sparse:
            return None
    key = model_key(DEFAULT_EMBEDDINGS)
    committed = [settings.vectors_dir / key / "terms"] if settings.vectors_dir is not None else []
    cache = TermsCache(committed + [settings.terms_dir / key], write_to=settings.terms_dir / key)
    return build_latent_terms(documents, encoder, cache)
