"""LangChain's own standard test suites, run against the project's components."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from langchain_tests.integration_tests import EmbeddingsIntegrationTests, RetrieversIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from knowledge.embeddings import E5Embeddings
from knowledge.retrieval import SentenceRetriever


class TestE5EmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[E5Embeddings]:
        return E5Embeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {}


class TestE5EmbeddingsIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[E5Embeddings]:
        return E5Embeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {}


@lru_cache(maxsize=1)
def _hybrid():
    import tempfile
    from pathlib import Path

    from knowledge.base import build_knowledge_base
    from knowledge.settings import KnowledgeSettings

    import atexit
    import shutil

    path = Path(tempfile.mkdtemp(prefix="lc-std-"))
    atexit.register(shutil.rmtree, path, True)
    settings = KnowledgeSettings().with_(chroma_path=path)
    return build_knowledge_base(settings).retriever


class TestSentenceRetriever(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[SentenceRetriever]:
        return SentenceRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"hybrid": _hybrid()}

    @property
    def retriever_query_example(self) -> str:
        return "엑사원 딥의 수능 수학 점수는?"
