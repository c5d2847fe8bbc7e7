"""Which figure of a sentence belongs to the thing the question asks about.

"누리-9B는 한빛 X1(4000억 개 매개변수)의 2% 수준 매개변수로도 …": the
4000억 belongs to Hanbit X1, the nearest name, not to the model asked about.
A figure is tied to the name closest to it in the sentence; a figure tied to
another entity of the corpus is not an answer about the asked one, and a
figure that is part of the asked name ("9B" in "누리-9B") is no answer
at all.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from knowledge import numbers
from knowledge.question import Question
from knowledge.text import fold


def name_spans(folded: str, names: Iterable[str]) -> list[tuple[int, int, str]]:
    """Non-overlapping occurrences of the names in the text, longest names first."""
    spans: list[tuple[int, int, str]] = []
    for name in sorted(set(names), key=len, reverse=True):
        if len(name) < 2:
            continue
        start = folded.find(name)
        while start >= 0:
            end = start + len(name)
            # A name beginning or ending in a digit ("chip 1", "40mw") does not sit inside a longer number.
            glued = (name[0].isdigit() and start > 0 and folded[start - 1].isdigit()) or (
                name[-1].isdigit() and end < len(folded) and folded[end].isdigit())
            if not glued and not any(a < end and start < b for a, b, _ in spans):
                spans.append((start, end, name))
            start = folded.find(name, start + 1 if glued else end)
    return sorted(spans)


# What a thing is compared with: "M1(3,800만 원)보다", "전작 대비", "than the R1", "compared with Z1".
COMPARED_WORDS = r"(?:보다|대비|에\s?비해|에\s?비하면|[와과]\s?비교)"
_COMPARED_AFTER = re.compile(r"(?:\s?\([^()]{0,40}\))?\s?" + COMPARED_WORDS)
_COMPARED_BEFORE = re.compile(r"(?:\bthan|compared\s(?:with|to)|\bversus|\bvs\.?)\s(?:[^,.;()]{0,30}?\s(?:for|of)\s)?(?:the\s|its\s|their\s)?$")


def compared(folded: str, name: str) -> bool:
    """Whether every mention of the name in the text is what something else is compared with: the sentence
    is then not about it ("판매 가격은 대당 4,500만 원으로, M1(3,800만 원)보다 700만 원 비싸다" is about M2)."""
    spans = [s for s in name_spans(folded, [name]) if s[2] == name]
    return bool(spans) and all(_compared_span(folded, s) is not None for s in spans)


def _compared_span(folded: str, span: tuple[int, int, str]) -> tuple[int, int] | None:
    """For a name compared with ("M1(3,800만 원)보다"), the stretch of its own figures (its brackets), else None."""
    a, b, _ = span
    if m := _COMPARED_AFTER.match(folded, b):
        return b, m.end()
    if _COMPARED_BEFORE.search(folded[max(0, a - 60):a]):
        return b, b
    return None


_ROUND_NAME = re.compile(r"(?:series|시리즈)\s?[a-f]|pre-?(?:series\s?)?[a-f]|seed|"
                         r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|january|february|march|april|may|june|july|august|"
                         r"september|october|november|december")
_PARTY_BEFORE = re.compile(r"\b(?:led by|backed by|from|with|including|to)\s(?:[a-z-]+\s){0,3}$")


def related(a: str, b: str) -> bool:
    """One name is part of the other ("누리" / "누리-9b"), so they are one family."""
    return a in b or b in a


def tied_figures(question: Question, text: str, corpus_names: Sequence[str], context: str = "") -> list[tuple[float, int, int, str]]:
    """Figures of the asked kind in `text` that belong to the asked names (all of them when none is asked)."""
    found = numbers.figures_with_units(text)
    if question.wants:
        found = [f for f in found if f[3] in question.wants]
    elif question.asks == "quantity":
        # "How much carbon …" is not answered by a date or an ordinal ("1단계", "5기").
        found = [f for f in found if f[3] not in ("date", "phase", "cohort", "round")]
    elif question.asks != "when":
        return []
    folded = fold(text)
    own = [fold(v) for v in question.versions]
    # Figures inside the asked names ("9B" of "누리-9B") are part of the name.
    asked = list(question.entities) + own
    asked_spans = name_spans(folded, asked)
    found = [f for f in found if not any(a <= f[1] and f[2] <= b for a, b, _ in asked_spans)]
    if not asked:
        return found
    if not asked_spans and any(name in context for name in asked):
        # The sentence refers back to the asked thing named just before ("The chip ...", "그는 ..."): its figures are about it.
        return found
    # A funding round ("Series D", "시리즈C") is a stage of the asked company's and a day or month a time, not
    # another thing owning a figure.
    spans = [sp for sp in name_spans(folded, list(corpus_names) + asked) if sp[2] in asked or not _ROUND_NAME.fullmatch(sp[2])]
    out = []
    for figure in found:
        if figure[3] == "date":
            # A date says when the sentence's event happened, not whose figure it is: the sentence's
            # subject (scored apart, by the names it and its document use) decides, wherever the name sits.
            out.append(figure)
            continue
        # A name the figure's own unit spells ("1,024 GPUs") does not own it, nor does a name compared with
        # own any figure but those in its brackets ("M1(3,800만 원)보다": 4,500만 원 is not M1's).
        owners = [s for s in spans if not (figure[1] < s[0] and s[1] <= figure[2])
                  and ((c := _compared_span(folded, s)) is None or c[0] <= figure[1] < c[1])]
        nearest = min(owners, key=lambda s: _gap(figure, s), default=None)
        if nearest is not None and nearest[0] >= figure[2] and not any(related(nearest[2], name) for name in asked):
            between = folded[figure[2]:nearest[0]]
            before = [s for s in owners if s[1] <= figure[1]]
            if "," in between:
                # A name after the figure's clause has ended does not own it: "누리3 프로는 … 96.3%를 기록해, … '누리2'보다".
                nearest = min(before, key=lambda s: _gap(figure, s), default=nearest)
            elif _PARTY_BEFORE.search(between):
                # Nor does one brought in as a party to it: "raised €420 million in a round led by Atlantico".
                nearest = min(before, key=lambda s: _gap(figure, s), default=None)
        if nearest is None or any(related(nearest[2], name) for name in asked) or (asked_spans and _gap(figure, nearest) > 40) \
                or _subject_clause(folded, figure, nearest, asked_spans):
            out.append(figure)
    return out


# The asked name as the sentence's subject: "제타팜(zetafarm)이 …", "Zeta Labs, … ," read up to its particle.
SUBJECT_AFTER = re.compile(r"^(?:\s?\([^()]{0,40}\))?['’\"”]?(?:이|가|은|는|도)(?![\uac00-\ud7a3])")
# A clause ends between the other name and the figure: "…을 공개하고 320억원을 유치했다", "… and raised $20 million".
_CLAUSE_END = re.compile(r"[\uac00-\ud7a3](?:고|며|으며|면서|했고|했으며),?\s|,?\s(?:and|while|and has|and it)\s")


def _subject_clause(folded: str, figure: tuple[float, int, int, str], nearest: tuple[int, int, str],
                    asked_spans: list[tuple[int, int, str]]) -> bool:
    """Whether the figure sits in a later clause of a sentence whose subject is the asked name, past the other
    name it is nearest to: "제타팜이 미라봇의 2세대를 공개하고 320억원을 유치했다" (320억원 is 제타팜's). A figure in
    brackets after the other name ("딥시크 R1(6710억 개)") stays that name's."""
    _, start, _, _ = figure
    if nearest[1] > start or "(" in folded[nearest[1]:start] and ")" not in folded[nearest[1]:start]:
        return False
    subject = next((a for a in asked_spans if a[1] <= nearest[0] and SUBJECT_AFTER.match(folded[a[1]:])), None)
    return subject is not None and bool(_CLAUSE_END.search(folded[nearest[1]:start]))


def _gap(figure: tuple[float, int, int, str], span: tuple[int, int, str]) -> int:
    _, start, end, _ = figure
    if end <= span[0]:
        return span[0] - end
    if start >= span[1]:
        return start - span[1]
    return 0
