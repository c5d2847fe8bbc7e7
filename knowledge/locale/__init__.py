"""Language data, one module per language: general to the language, never to one article.

`ko` and `en` hold stop words, question words, title and organisation
patterns, answer templates and messages; `vocab` pairs general news
vocabulary across the two languages.
"""
from __future__ import annotations

from types import ModuleType

from knowledge.locale import en, ko


def messages(language: str) -> ModuleType:
    """The module whose templates answer in `language` (Korean unless English)."""
    return en if language == "en" else ko
