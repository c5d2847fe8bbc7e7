"""Shared pytest fixtures."""
from __future__ import annotations

import os
import shutil

import pytest

if os.environ.get("CI", "").lower() in ("1", "true", "yes") and shutil.which("redis-server") is None:
    raise pytest.UsageError(
        "CI: redis-server is not installed, so the multi-worker tests cannot run. "
        "Run scripts/ensure_redis.sh (Debian's redis-server) before the tests."
    )


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory):
    """A real redis-server on 127.0.0.1 and a random port, for the whole session (tests flush it)."""
    from tests.bot_fixtures import RedisServer

    try:
        server = RedisServer(tmp_path_factory.mktemp("redis"))
    except FileNotFoundError:
        pytest.skip("redis-server is not installed (scripts/ensure_redis.sh installs Debian's package)")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def seeds_copy(tmp_path_factory: pytest.TempPathFactory):
    """A private copy of the seeds, so tests that edit seeds never touch the project's."""
    import shutil

    from knowledge.settings import PROJECT_ROOT

    target = tmp_path_factory.mktemp("seeds")
    for path in (PROJECT_ROOT / "seeds").iterdir():
        if path.is_file():  # not seeds/.vectors/ (the committed vector cache): tests embed for real
            shutil.copy(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def embeddings():
    """The real offline embeddings, memoised per text so repeated indexing stays fast."""
    from knowledge.embeddings import E5Embeddings

    class MemoE5(E5Embeddings):
        def __init__(self) -> None:
            super().__init__()
            self._memo: dict[str, list[float]] = {}

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
            if missing:
                self._memo.update(zip(missing, super().embed_documents(missing)))
            return [self._memo[t] for t in texts]

    return MemoE5()


@pytest.fixture(scope="session")
def knowledge_settings(tmp_path_factory: pytest.TempPathFactory):
    from knowledge.settings import KnowledgeSettings

    return KnowledgeSettings().with_(chroma_path=tmp_path_factory.mktemp("chroma"))


@pytest.fixture(scope="session")
def kb(knowledge_settings, embeddings):
    """The real knowledge base over the project's seeds, in a temporary embedded Chroma."""
    from knowledge.base import build_knowledge_base

    return build_knowledge_base(knowledge_settings, embeddings=embeddings)


@pytest.fixture(scope="session")
def chain(kb):
    from knowledge.chain import build_chain

    return build_chain(kb.settings, kb=kb)


@pytest.fixture(scope="session")
def dev_questions():
    from knowledge.evaluation import load_questions
    from knowledge.settings import PROJECT_ROOT

    return load_questions(PROJECT_ROOT / "tests" / "data" / "qa_dev.jsonl")


@pytest.fixture(scope="session")
def chain_over(tmp_path_factory: pytest.TempPathFactory, embeddings):
    """Build a real chain over a few articles ({file name: text}) in their own seeds folder and embedded Chroma."""
    def build(articles: dict[str, str]):
        from knowledge.base import build_knowledge_base
        from knowledge.chain import build_chain
        from knowledge.settings import KnowledgeSettings

        seeds = tmp_path_factory.mktemp("seeds")
        for name, text in articles.items():
            (seeds / name).write_text(text, encoding="utf-8")
        settings = KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path_factory.mktemp("index"))
        return build_chain(settings, kb=build_knowledge_base(settings, embeddings=embeddings))

    return build
