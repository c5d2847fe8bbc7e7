"""Paths come from the working directory or the settings, never from where the package is installed."""
from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import build_knowledge_base
from knowledge.settings import KnowledgeSettings, SeedsNotFoundError


def test_defaults_follow_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for settings in (KnowledgeSettings(), KnowledgeSettings.from_env({})):
        assert settings.seeds_dir == tmp_path / "seeds"
        assert settings.chroma_path == tmp_path / ".chroma"
        assert settings.vectors_dir == tmp_path / "seeds" / ".vectors"


def test_relative_settings_resolve_against_cwd_and_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    settings = KnowledgeSettings.from_env({"SEEDS_DIR": "data/articles", "CHROMA_PATH": "~/index"}, cwd=tmp_path)
    assert settings.seeds_dir == tmp_path / "data" / "articles"
    assert settings.chroma_path == tmp_path / "home" / "index"
    assert KnowledgeSettings.from_env({"SEEDS_DIR": "/srv/seeds"}, cwd=tmp_path).seeds_dir == Path("/srv/seeds")


def test_missing_seeds_folder_is_a_settings_error(tmp_path: Path) -> None:
    settings = KnowledgeSettings.from_env({}, cwd=tmp_path)
    with pytest.raises(SeedsNotFoundError, match=r"seeds folder not found: .*seeds \(set SEEDS_DIR"):
        build_knowledge_base(settings)
