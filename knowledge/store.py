"""Chroma (embedded or server) through langchain-chroma, with idempotent indexing.

Record ids are derived from the file name, the file's content hash and the
sentence number, so indexing at every start or deploy never duplicates: an
unchanged seed keeps its records, an edited one has all of them replaced, a
deleted one has them removed.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from knowledge.models import Document, Sentence
from knowledge.progress import Progress
from knowledge.settings import KnowledgeSettings
from knowledge.vector_cache import VectorCache, embed_in_batches, text_key

log = logging.getLogger(__name__)

_ADD_BATCH = 256
_UPSERT_BATCH = 2048  # records per Chroma write when syncing (its limit is ~5000)


def make_chroma_client(settings: KnowledgeSettings) -> Any:
    """An embedded persistent client, or an HTTP client when CHROMA_HOST is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host,
            port=settings.chroma_port,
            ssl=settings.chroma_ssl,
            headers=dict(settings.chroma_headers),
            settings=chroma_settings,
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


def record_id(sentence: Sentence, sha256: str) -> str:
    """Stable id of a sentence: its file, the file's content and its exact span.

    The span (and whether it is the credit line) is part of it so a change in how sentences are cut or
    read (same file) still makes the stored index stale and gets it re-synced.
    """
    digest = hashlib.sha256(f"{sentence.source}\0{sha256}".encode()).hexdigest()[:24]
    # A sentence newly read as the credit line (a parser change, same file) is another record too.
    return f"{digest}-{sentence.index:05d}-{sentence.start}-{sentence.end}" + ("-c" if sentence.credit else "")


@dataclass(frozen=True)
class SyncReport:
    added: int
    removed: int
    kept: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


class SentenceStore:
    """The sentence collection: sync from parsed seeds, search by vector."""

    def __init__(self, client: Any, embeddings: Embeddings, collection: str, vector_cache: VectorCache | None = None) -> None:
        self.client = client
        self.embeddings = embeddings
        self.collection_name = collection
        # Committed vectors of the seeds: indexing reads them instead of embedding again.
        self.vector_cache = vector_cache
        self.vectorstore = self._open()

    def _open(self) -> Chroma:
        return Chroma(
            collection_name=self.collection_name,
            embedding_function=self.embeddings,
            client=self.client,
            collection_metadata={"hnsw:space": "cosine"},
        )

    def count(self) -> int:
        return int(self.vectorstore._collection.count())

    def _stored(self) -> dict[str, tuple[str, list[str]]]:
        """source -> (doc hash, record ids) for what the collection holds now."""
        data = self.vectorstore.get(include=["metadatas"])
        out: dict[str, tuple[str, list[str]]] = {}
        for rid, meta in zip(data["ids"], data["metadatas"]):
            meta = meta or {}
            source = str(meta.get("source", ""))
            sha, ids = out.setdefault(source, (str(meta.get("doc_sha256", "")), []))
            if sha != str(meta.get("doc_sha256", "")):
                sha = ""  # mixed hashes: treat as stale
                out[source] = (sha, ids)
            ids.append(rid)
        return out

    def is_stale(self, documents: Sequence[Document]) -> bool:
        """Whether the collection differs from `documents`, by record ids alone.

        An id encodes the file, its content hash and the sentence's span, so equal id
        sets mean the same sentences of the same file versions. Ids come back without
        metadata: 6 ms instead of 0.6-1 s for 2,300 sentences, paid at every worker start.
        """
        stored = set(self.vectorstore._collection.get(include=[])["ids"])
        return stored != {rid for doc in documents for rid in _doc_ids(doc)}

    def sync(self, documents: Sequence[Document], rebuild: bool = False) -> SyncReport:
        """Make the collection hold exactly the sentences of `documents`."""
        if rebuild:
            self.vectorstore.delete_collection()
            self.vectorstore = self._open()
        stored = self._stored()
        wanted = {d.source: d for d in documents}
        added = removed = kept = 0
        for source, (sha, ids) in stored.items():
            doc = wanted.get(source)
            if doc is not None and sha == doc.sha256 and sorted(ids) == sorted(_doc_ids(doc)):
                kept += len(ids)
                continue
            self._delete(ids)
            removed += len(ids)
        todo = [
            doc for source, doc in wanted.items()
            if not (source in stored and stored[source][0] == doc.sha256 and sorted(stored[source][1]) == sorted(_doc_ids(doc)))
        ]
        pending: list[tuple[Document, np.ndarray]] = []
        for vectors, doc in zip(self._vectors(todo), todo):  # the generator first, so it runs to its end
            pending.append((doc, vectors))
            added += len(doc.sentences)
            if sum(len(d.sentences) for d, _ in pending) >= _UPSERT_BATCH:
                self._upsert(pending)
                pending = []
        self._upsert(pending)
        if added or removed:
            log.info("index synced: %d added, %d removed, %d kept", added, removed, kept)
        return SyncReport(added=added, removed=removed, kept=kept)

    def add_sentences(
        self, sentences: Sequence[Sentence], sha256: str, vectors: Sequence[Sequence[float]] | None = None
    ) -> None:
        """Add sentences, embedding them unless `vectors` are given (benchmarks)."""
        for i in range(0, len(sentences), _ADD_BATCH):
            batch = sentences[i : i + _ADD_BATCH]
            ids = [record_id(s, sha256) for s in batch]
            metas = [{**s.metadata(), "doc_sha256": sha256} for s in batch]
            texts = [s.text for s in batch]
            if vectors is None:
                self.vectorstore.add_texts(texts=texts, metadatas=metas, ids=ids)
            else:
                batch_vectors = np.asarray(vectors[i : i + _ADD_BATCH], dtype=np.float32).tolist()
                self.vectorstore._collection.upsert(ids=ids, documents=texts, metadatas=metas, embeddings=batch_vectors)

    def _upsert(self, parts: Sequence[tuple[Document, np.ndarray]]) -> None:
        """Write several documents' records in few Chroma calls: each call is a committed
        transaction (~0.1 s embedded), so one per article made a 100-article start take 10 s."""
        parts = [(doc, vectors) for doc, vectors in parts if doc.sentences]
        if not parts:
            return
        ids = [record_id(s, doc.sha256) for doc, _ in parts for s in doc.sentences]
        texts = [s.text for doc, _ in parts for s in doc.sentences]
        metas = [{**s.metadata(), "doc_sha256": doc.sha256} for doc, _ in parts for s in doc.sentences]
        vectors = np.concatenate([np.asarray(v, dtype=np.float32) for _, v in parts])
        for i in range(0, len(ids), _UPSERT_BATCH):
            self.vectorstore._collection.upsert(
                ids=ids[i : i + _UPSERT_BATCH], documents=texts[i : i + _UPSERT_BATCH],
                metadatas=metas[i : i + _UPSERT_BATCH], embeddings=vectors[i : i + _UPSERT_BATCH].tolist(),
            )

    def _vectors(self, documents: Sequence[Document]) -> Iterator[np.ndarray]:
        """Each document's vectors: from the vector cache where it has them, embedded (with progress) otherwise."""
        cached = [self.vector_cache.lookup(doc) if self.vector_cache else {} for doc in documents]
        if self.vector_cache is not None:  # the cache embeds each distinct text once
            to_embed = len({text_key(s.text) for d, c in zip(documents, cached) for s in d.sentences if text_key(s.text) not in c})
        else:
            to_embed = sum(len(d.sentences) for d in documents)
        embedded = 0
        with Progress(to_embed, "embedding sentences", unit="sentences") as progress:
            for doc in documents:
                if self.vector_cache is not None:
                    vectors, n = self.vector_cache.vectors(doc, self.embeddings.embed_documents, progress.update)
                else:
                    fresh = embed_in_batches([s.text for s in doc.sentences], self.embeddings.embed_documents, progress.update)
                    vectors, n = np.asarray(fresh, dtype=np.float32), len(fresh)
                embedded += n
                yield vectors
        if documents:
            log.info("vectors for %d sentences: %d from the cache, %d embedded",
                     sum(len(d.sentences) for d in documents), sum(len(d.sentences) for d in documents) - embedded, embedded)

    def _delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), 5000):
            self.vectorstore.delete(ids=ids[i : i + 5000])

    def search(self, vector: Sequence[float], k: int) -> list[tuple[Sentence, float]]:
        """Nearest sentences by cosine similarity (1 - cosine distance)."""
        hits = self.vectorstore.similarity_search_by_vector_with_relevance_scores(list(vector), k=k)
        return [(Sentence.from_metadata(doc.page_content, doc.metadata), 1.0 - float(dist)) for doc, dist in hits]

    def vectors_for(self, sentences: Sequence[Sentence]) -> dict[str, list[float]]:
        """Stored vectors of these sentences, by `Sentence.key` (no re-embedding)."""
        by_id = {record_id(s, s.doc_sha256): s.key for s in sentences if s.doc_sha256}
        if not by_id:
            return {}
        data = self.vectorstore.get(ids=list(by_id), include=["embeddings"])
        return {by_id[rid]: [float(x) for x in vec] for rid, vec in zip(data["ids"], data["embeddings"])}


def _doc_ids(doc: Document) -> list[str]:
    return [record_id(s, doc.sha256) for s in doc.sentences]
