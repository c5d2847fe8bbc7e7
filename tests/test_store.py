"""Idempotent indexing into a real embedded Chroma: twice, edit, delete, rebuild."""
from __future__ import annotations

import shutil
from pathlib import Path

from knowledge.base import build_knowledge_base
from knowledge.loading import load_documents
from knowledge.settings import KnowledgeSettings


def _settings(tmp_path: Path, seeds: Path) -> KnowledgeSettings:
    return KnowledgeSettings().with_(seeds_dir=seeds, chroma_path=tmp_path / "chroma", collection="t_store")


def test_indexing_twice_edit_and_delete(tmp_path: Path, seeds_copy: Path, embeddings) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_copy, seeds)
    (seeds / "extra.md").write_text("첫째 문장이다. 둘째 문장이다.\n", encoding="utf-8")
    settings = _settings(tmp_path, seeds)

    kb = build_knowledge_base(settings, embeddings=embeddings)
    total = sum(len(d.sentences) for d in kb.documents)
    assert kb.store.count() == total
    assert kb.sync_report is not None and kb.sync_report.added == total

    again = kb.store.sync(load_documents(seeds))
    assert (again.added, again.removed, again.kept) == (0, 0, total)
    assert kb.store.count() == total

    # A fresh process with an up-to-date index does not index anything.
    reopened = build_knowledge_base(settings, embeddings=embeddings)
    assert reopened.sync_report is None and reopened.store.count() == total

    # Edit: the document's old records are replaced.
    (seeds / "extra.md").write_text("바뀐 문장이다. 둘째 문장이다. 셋째 문장이다.\n", encoding="utf-8")
    docs = load_documents(seeds)
    assert kb.store.is_stale(docs)
    report = kb.store.sync(docs)
    assert (report.added, report.removed) == (3, 2)
    assert kb.store.count() == total + 1
    stored = kb.store.vectorstore.get(where={"source": "extra.md"})
    assert sorted(stored["documents"]) == sorted(["바뀐 문장이다.", "둘째 문장이다.", "셋째 문장이다."])

    # Delete: its records go.
    (seeds / "extra.md").unlink()
    report = kb.store.sync(load_documents(seeds))
    assert report.removed == 3
    assert kb.store.count() == total - 2
    assert kb.store.vectorstore.get(where={"source": "extra.md"})["ids"] == []

    rebuilt = kb.store.sync(load_documents(seeds), rebuild=True)
    assert rebuilt.added == total - 2 and kb.store.count() == total - 2


def test_ids_are_deterministic(tmp_path: Path, seeds_copy: Path, embeddings) -> None:
    a = build_knowledge_base(_settings(tmp_path / "a", seeds_copy), embeddings=embeddings)
    b = build_knowledge_base(_settings(tmp_path / "b", seeds_copy), embeddings=embeddings)
    assert sorted(a.store.vectorstore.get()["ids"]) == sorted(b.store.vectorstore.get()["ids"])


def test_reload_picks_up_a_new_seed(tmp_path: Path, seeds_copy: Path, embeddings) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_copy, seeds)
    kb = build_knowledge_base(_settings(tmp_path, seeds), embeddings=embeddings)
    (seeds / "second.txt").write_text("Samsung announced a new chip. It is fast.\n", encoding="utf-8")
    kb.reload()
    top = kb.retriever.search("Samsung chip", k=1)[0]
    assert top.sentence.source == "second.txt"


def test_new_sentence_cuts_of_an_unchanged_file_are_re_synced(tmp_path: Path, seeds_copy: Path, embeddings) -> None:
    """Same file, same number of sentences, different boundaries (a parser change): stale."""
    import dataclasses

    kb = build_knowledge_base(_settings(tmp_path, seeds_copy), embeddings=embeddings)
    (doc,) = load_documents(seeds_copy)
    first, second = doc.sentences[0], doc.sentences[1]
    cut = first.end - 5  # move the boundary between the first two sentences
    moved = (
        dataclasses.replace(first, end=cut, text=doc.text[first.start:cut]),
        dataclasses.replace(second, start=cut, text=doc.text[cut:second.end]),
    )
    recut = dataclasses.replace(doc, sentences=moved + doc.sentences[2:])
    assert not kb.store.is_stale([doc])
    assert kb.store.is_stale([recut])
    report = kb.store.sync([recut])
    assert (report.added, report.removed) == (len(doc.sentences), len(doc.sentences))  # a document is re-synced whole
    assert doc.text[first.start:cut] in kb.store.vectorstore.get()["documents"]
