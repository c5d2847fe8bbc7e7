"""The corpus profile (`seeds/profile.toml`): the bot's name, topic, greeting and example questions.

Data about the corpus lives beside the documents, not in code, so a team that
indexes other articles changes one file. Every field is optional; the
defaults speak of "the indexed articles".
"""
from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

PROFILE_FILE = "profile.toml"


@dataclass(frozen=True)
class CorpusInfo:
    name: str = "Article assistant"
    topic: dict[str, str] = field(default_factory=lambda: {"ko": "색인된 기사", "en": "the indexed articles"})
    greeting: dict[str, str] = field(default_factory=dict)
    examples: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {"ko": ("이 기사 요약해 줘", "어떤 기사들을 알아?"), "en": ("Summarize the article", "Which articles do you know?")}
    )

    def topic_in(self, language: str) -> str:
        return self.topic.get(language) or self.topic.get("en") or next(iter(self.topic.values()), "")

    def examples_in(self, language: str) -> tuple[str, ...]:
        return self.examples.get(language) or self.examples.get("en") or ()

    @classmethod
    def load(cls, seeds_dir: Path) -> "CorpusInfo":
        path = Path(seeds_dir) / PROFILE_FILE
        if not path.is_file():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            log.warning("%s is not valid TOML (%s); using defaults", path, exc)
            return cls()
        base = cls()
        return cls(
            name=str(data.get("name") or base.name),
            topic={**base.topic, **{k: str(v) for k, v in (data.get("topic") or {}).items()}},
            greeting={k: str(v) for k, v in (data.get("greeting") or {}).items()},
            examples={**base.examples, **{k: tuple(str(x) for x in v) for k, v in (data.get("examples") or {}).items()}},
        )
