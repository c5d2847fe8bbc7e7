"""The knowledge layer's settings, read once from the environment."""
from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.settings import KnowledgeSettings, SettingsError


def test_defaults_when_unset_or_empty() -> None:
    settings = KnowledgeSettings.from_env({"CHROMA_HOST": "", "EMBEDDINGS_PRELOAD": "  "})
    assert settings == KnowledgeSettings()
    assert settings.embeddings_preload and not settings.uses_server


def test_values_and_flags_are_parsed() -> None:
    settings = KnowledgeSettings.from_env({
        "CHROMA_PATH": "/tmp/x", "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": "9000", "CHROMA_SSL": "yes",
        "CHROMA_HEADERS": "X-Token=abc", "EMBEDDINGS_PRELOAD": "off", "TOP_K": "5", "LATENT_TERMS": "false",
    })
    assert not settings.latent_terms and settings.terms_dir == Path("/tmp/x/terms")
    assert settings.chroma_path == Path("/tmp/x") and settings.uses_server and settings.chroma_port == 9000
    assert settings.chroma_ssl and not settings.embeddings_preload and settings.top_k == 5
    assert dict(settings.chroma_headers) == {"X-Token": "abc"}


@pytest.mark.parametrize("env, name", [
    ({"EMBEDDINGS_PRELOAD": "maybe"}, "EMBEDDINGS_PRELOAD"),
    ({"CHROMA_SSL": "2"}, "CHROMA_SSL"),
    ({"CHROMA_PORT": "eighty"}, "eighty"),
])
def test_bad_values_name_the_problem(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        KnowledgeSettings.from_env(env)
