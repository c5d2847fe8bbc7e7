"""Numbers as values, so "1만2천명", "12,000" and "12k" are one figure.

A question that names a figure the article never states ("6기", "EXAONE 3.5",
"in 2023") asks about something the article does not cover, however well the
rest of its words match; a figure used as a threshold ("over 90점") is not.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

_KO_SCALE = {"조": 1e12, "억": 1e8, "만": 1e4, "천": 1e3, "백": 1e2}
_EN_SCALE = {"trillion": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9, "million": 1e6, "m": 1e6, "thousand": 1e3, "k": 1e3}
# Digits glued to Latin letters are names, not figures (R1, GPT-4o, a Slack id like U024BE7LH).
_TOKEN = re.compile(
    r"(?<![a-z0-9.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    r"(?:\s?(조|억|만|천|백)|\s?(trillion|billion|million|thousand)\b|(bn|b|m|k)(?![a-z]))?"
    r"(?![a-z])",
    re.I,
)
# Words that make a figure a threshold or a comparison, not a claim about the article.
_COMPARISON = re.compile(
    r"(over|above|under|below|more than|less than|at least|at most|fewer than|greater than|exceed|beyond|top|"
    r"이상|이하|초과|미만|넘|보다|안팎|정도|쯤|가량)",
    re.I,
)
_WINDOW = 12
_BARE_SCALES = (1.0, 1e3, 1e4, 1e6, 1e8, 1e9, 1e12)


def figures(text: str) -> list[tuple[float, int, int]]:
    """(value, start, end) of each figure; Korean compounds (1만2천) are joined."""
    out: list[tuple[float, int, int]] = []
    last_ko_scale: float | None = None  # the previous figure's Korean scale, if it had one
    for m in _TOKEN.finditer(text):
        number = float(m.group(1).replace(",", ""))
        ko, en_word, en_suffix = m.group(2), m.group(3), m.group(4)
        scale = _KO_SCALE.get(ko or "") or _EN_SCALE.get((en_word or en_suffix or "").lower()) or 1.0
        follows = bool(out) and not text[out[-1][2] : m.start()].strip()
        if follows and last_ko_scale is not None and scale < last_ko_scale:
            value, start, _ = out.pop()  # "1만" + "2천"
            out.append((value + number * scale, start, m.end()))
        else:
            out.append((number * scale, m.start(), m.end()))
        last_ko_scale = _KO_SCALE[ko] if ko else None
    return out


def values(texts: Iterable[str]) -> frozenset[float]:
    return frozenset(_round(v) for text in texts for v, _, _ in figures(text))


def unknown_figures(question: str, known: frozenset[float]) -> list[str]:
    """Figures of the question that no sentence states (thresholds and comparisons excepted)."""
    out = []
    for value, start, end in figures(question):
        around = question[max(0, start - _WINDOW) : end + _WINDOW]
        if _COMPARISON.search(around):
            continue
        bare = question[start:end].replace(",", "").replace(".", "").isdigit()
        # A bare number may drop the scale the article writes ("32" for 32B, "671" for 6710억).
        candidates = [value * s for s in _BARE_SCALES] if bare else [value]
        if not any(_round(c) in known for c in candidates):
            out.append(question[start:end])
    return out


def _round(value: float) -> float:
    return float(f"{value:.6g}")
