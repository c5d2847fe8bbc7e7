"""Latent terms: computed once per article version, read back from disk, scored across languages."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.latent import LatentTerms, TermsCache, build_latent_terms
from knowledge.loading import parse_document

KO = "# 한빛전자 해커톤\n해커톤 본선 경쟁률은 25대 1이었다. 본선은 서울에서 열렸다.\n"
EN = "# Nuri chip\nThe Nuri chip ships in March. It handles voice recognition.\n"


class CountingEncoder:
    """Deterministic terms from the text's bytes; counts how many texts it was asked to encode."""

    def __init__(self) -> None:
        self.encoded = 0

    @staticmethod
    def _terms(text: str) -> list[int]:
        return sorted({ord(c) % 60 for c in text})[:8]

    def sparse_documents(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        self.encoded += len(texts)
        idx = np.full((len(texts), 8), 63, dtype=np.uint16)  # unused slots point at an empty term
        val = np.zeros((len(texts), 8), dtype=np.float16)
        for row, text in enumerate(texts):
            terms = self._terms(text)
            idx[row, : len(terms)], val[row, : len(terms)] = terms, 1.0
        return idx, val

    def sparse_query(self, text: str) -> np.ndarray:
        out = np.zeros(64, dtype=np.float32)
        out[self._terms(text)] = 1.0
        return out


def test_terms_are_computed_once_then_read_from_disk(tmp_path: Path) -> None:
    docs = [parse_document("k.md", KO), parse_document("e.md", EN)]
    cache = TermsCache([tmp_path / "committed", tmp_path / "runtime"], write_to=tmp_path / "runtime")
    encoder = CountingEncoder()
    first = build_latent_terms(docs, encoder, cache)
    assert encoder.encoded == sum(len(d.sentences) for d in docs) == len(first)
    assert len(list((tmp_path / "runtime").glob("*.npz"))) == 2
    again = CountingEncoder()
    second = build_latent_terms(docs, again, cache)
    assert again.encoded == 0  # a worker start reads them
    assert np.array_equal(first.idx, second.idx)
    # An edited article is a new version: only its sentences are computed, not the other article's.
    edited = parse_document("e.md", EN.replace("March", "April"))
    third = CountingEncoder()
    build_latent_terms([docs[0], edited], third, cache)
    assert third.encoded == len(edited.sentences)


def test_a_broken_terms_file_is_recomputed_not_fatal(tmp_path: Path) -> None:
    doc = parse_document("k.md", KO)
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / f"{doc.sha256}.npz").write_bytes(b"not a numpy file")
    encoder = CountingEncoder()
    terms = build_latent_terms([doc], encoder, TermsCache([folder], write_to=folder))
    assert encoder.encoded == len(doc.sentences) and len(terms) == len(doc.sentences)


def test_scores_are_cosines_in_corpus_order() -> None:
    encoder = CountingEncoder()
    idx, val = encoder.sparse_documents(["aaaa", "abcd"])
    terms = LatentTerms(encoder, idx, val)
    scores = terms.scores("aaaa")
    assert scores.shape == (2,) and scores[0] == pytest.approx(1.0, abs=1e-3) and scores[1] == pytest.approx(0.5, abs=1e-3)


def test_the_bundled_model_shares_latent_terms_across_languages(embeddings) -> None:
    """"competition" meets "경쟁률" through latent terms although they share no letters."""
    if not getattr(embeddings, "has_sparse", False):
        pytest.skip("embeddings without a sparse head")
    sentences = ["해커톤 본선 경쟁률은 25대 1이었다.", "본선은 서울에서 열렸다.", "회사는 새 공장을 지었다."]
    idx, val = embeddings.sparse_documents(sentences)
    scores = LatentTerms(embeddings, idx, val).scores("How tough was the competition to reach the final?")
    assert int(np.argmax(scores)) == 0


def test_answers_still_come_with_latent_terms_off(tmp_path: Path, embeddings) -> None:
    from knowledge.base import build_knowledge_base
    from knowledge.settings import KnowledgeSettings

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "k.md").write_text(KO, encoding="utf-8")
    settings = KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path / "index", latent_terms=False)
    kb = build_knowledge_base(settings, embeddings=embeddings)
    assert kb.retriever.terms is None and not (tmp_path / "index" / "terms").exists()
    assert "경쟁률" in kb.retriever.search("본선 경쟁률은?", k=1)[0].sentence.text
    on = build_knowledge_base(settings.with_(latent_terms=True, chroma_path=tmp_path / "index2"), embeddings=embeddings)
    assert on.retriever.terms is not None and len(list((tmp_path / "index2" / "terms").glob("*/*.npz"))) == 1
    # Each setting ranks with the parameters fitted for it.
    assert kb.retriever.ranking.meta.get("latent_terms") is False and kb.retriever.ranking.rank.get("sparse", 0.0) == 0.0
    assert on.retriever.ranking.meta.get("latent_terms") is True and on.retriever.ranking.rank["sparse"] > 0
