"""The offline (extractive) answerer: states what the best sentence says, no model.

The gate (`knowledge.gate`) has already decided whether the passage answers.
This module only words the answer, in the question's language: the asked
figure first (the one tied to the asked entity, with its unit), then where it
comes from (article, outlet, date, paragraph). It never repeats the quoted
sentence: the quote itself is cut from the source by the chain.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.runnables import RunnableLambda

from knowledge import numbers
from knowledge.lexical import coverage
from knowledge.locale import en as EN
from knowledge.locale import ko as KO
from knowledge.models import Document, Draft, Passage
from knowledge.question import Question
from knowledge.scoping import COMPARED_WORDS, tied_figures
from knowledge.text import fold
from knowledge.translit import is_latin

NAME = "offline"

# A second quote is shown only when it is nearly as good as the first (and from the same article).
SECOND_QUOTE_RATIO = 0.6
# The closest passage is shown beside a decline only when it is at all similar.
CLOSEST_MIN_DENSE = 0.78
# A runner-up may carry the asked figure when the best passage has none tied to the asked name.
RUNNER_UP_RATIO = 0.25

# Clauses end at a comma after a connective ending (…했으며, …하고, …면서).
_CLAUSE_BREAK = re.compile(r"(?<=[며고서데나면]),\s+|(?<=면서)\s+(?=\")|(?<=[a-z]),\s+(?:and|while|but|which)\s+|;\s+")
# Connective endings turned into a plain sentence end for the answer line.
_ENDINGS = (("했으며", "했습니다."), ("였으며", "였습니다."), ("있으며", "있습니다."), ("이며", "입니다."),
            ("했고", "했습니다."), ("있고", "있습니다."), ("됐으며", "됐습니다."), ("되며", "됩니다."), ("하며", "합니다."))
# Korean time units in English, longest first ("개월" before "월").
_DURATION_UNITS = (("개월", "months"), ("시간", "hours"), ("분", "minutes"), ("초", "seconds"), ("주", "weeks"), ("일", "days"),
                   ("년", "years"), ("달", "months"))
_EN_KIND = {"score": "points", "people": "people", "cohort": "", "times": "times", "rank": ""}


def where(doc: Document | None, paragraph: int, language: str) -> str:
    """"「title」(outlet, date) 3번째 문단" / "paragraph 3 of “title” (outlet, date)"."""
    label = doc.label if doc else ""
    extra = ", ".join(x for x in ((doc.outlet, doc.date) if doc else ()) if x)
    if language == "en":
        tail = f" ({extra})" if extra else ""
        return f"paragraph {paragraph} of “{label}”{tail}"
    tail = f"({extra})" if extra else ""
    return f"「{label}」{tail} {paragraph}번째 문단"


_BASELINE = re.compile(r"[^()]{0,12}\)\s?" + COMPARED_WORDS)


def answer_figures(question: Question, text: str, names: Sequence[str] = (), context: str = "") -> list[tuple[float, str, str]]:
    """(value, figure text, kind): the figure that answers, tied to the asked names (`knowledge.scoping`)."""
    found = tied_figures(question, text, names, context)
    if not found:
        return []
    # A baseline in brackets ("전년(62억 원)보다 두 배") is what the answer is compared with, not the answer.
    found = [f for f in found if not _BASELINE.match(text, f[2])] or found
    wants = question.wants
    if wants:
        found.sort(key=lambda f: wants.index(f[3]) if f[3] in wants else len(wants))
        found = [f for f in found if f[3] == found[0][3]]
    elif question.asks == "quantity":
        found = [f for f in found if f[3]] or found
    anchors = _anchors(question, text)
    near = lambda f: min(_distance(f[1], f[2], a) for a in anchors)  # noqa: E731
    if anchors and len(found) > 1:
        found.sort(key=near)
    if anchors and wants and wants[0] in ("percent", "times"):
        # "얼마나 줄었어?" asks a degree; a change told as "42분에서 9분으로" answers it too, when it is what the
        # question's words are next to (the 21% of "체류 시간도 21% 짧아졌다" is another measure).
        every = tied_figures(replace(question, wants=(), asks="quantity"), text, names, context)
        changes = [f for f in every if _changed_to(text, f[1], f[2], f[3])]
        if changes and near(min(changes, key=near)) < near(found[0]):
            found = [min(changes, key=near)]
    value, start, end, kind = found[0]
    if kind == "money" and start and text[start - 1] in "$€£¥₩":
        start -= 1  # "$389", not "389"
    if kind == "date":
        start, end = _whole_date(text, start, end)
    elif after := _changed_to(text, start, end, kind):
        # "평균 42분에서 9분으로 줄었고", "from 4 minutes 20 seconds to 38 seconds": the change is the answer.
        return [(value, text[start:end].strip(), kind), after]
    return [(value, text[start:end].strip(), kind)]


_FROM_KO = re.compile(r"\s*에서\s*(?:약\s*|평균\s*)?$")
_TO_EN = re.compile(r"^\s+to\s+(?:about\s+|around\s+|roughly\s+)?$")


def _changed_to(text: str, start: int, end: int, kind: str) -> tuple[float, str, str] | None:
    """The figure a value changed to, when the sentence says so right after it: "42분에서 9분으로", "from 42 to 9"."""
    english = bool(re.search(r"\bfrom\s+(?:about\s+|around\s+)?$", text[max(0, start - 20):start]))
    for value, s, e, k in numbers.figures_with_units(text):
        if s < end or k != kind or s - end > 12:
            continue
        between = text[end:s]
        if (english and _TO_EN.match(between)) or (not english and _FROM_KO.match(between)):
            return (value, text[s:e].strip(), kind)
        break
    return None


def _whole_date(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a date figure over the year, month and day written next to it: "12일" -> "2025년 3월 12일"."""
    dates = [(s, e) for _, s, e, k in numbers.figures_with_units(text) if k == "date"]
    changed = True
    while changed:
        changed = False
        for s, e in dates:
            if e <= start and not text[e:start].strip() and s < start:
                start, changed = s, True
            elif s >= end and not text[end:s].strip() and e > end:
                end, changed = e, True
    return start, end


def _anchors(question: Question, text: str) -> list[tuple[int, int]]:
    """Where the question's names, versions and terms occur in the sentence."""
    folded = fold(text)
    spans = []
    for form in list(question.versions) + list(question.entities) + [f for u in question.units for f in u.forms if len(f) >= 2]:
        at = folded.find(form)
        if at >= 0:
            spans.append((at, at + len(form)))
    return spans


def _distance(start: int, end: int, anchor: tuple[int, int]) -> int:
    if end <= anchor[0]:
        return anchor[0] - end + 2  # a figure before its name ("90억개 … 누리-9B") is a little less likely
    if start >= anchor[1]:
        return start - anchor[1]
    return 0


def english_figure(value: float, text: str, kind: str) -> str:
    """94.5점 -> 94.5 points; 320억개 매개변수 -> 32 billion parameters; 2천570명 -> 2,570 people."""
    if is_latin(text) or not re.search(r"[\uac00-\ud7a3]", text):
        return text
    if kind == "date":
        return english_date(text)
    if kind == "percent":
        return f"{value:g}%"
    if kind == "money":
        unit = "dollars" if "달러" in text else "won"
        return f"{_scaled(value)} {unit}"
    if kind == "size":
        return f"{_scaled(value)} parameters" if value >= 1e6 else text
    if kind == "cohort":
        return f"cohort {value:g}"
    if kind == "duration" and (unit := next((en for ko, en in _DURATION_UNITS if ko in text), "")):
        return f"{value:g} {unit}"
    word = _EN_KIND.get(kind, "")
    return f"{_scaled(value)} {word}".strip()


# Currencies an English figure is written in, and their Korean names.
_CURRENCIES = (("$", "달러"), ("dollar", "달러"), ("€", "유로"), ("euro", "유로"), ("£", "파운드"), ("pound", "파운드"),
               ("¥", "엔"), ("yen", "엔"), ("₩", "원"), ("won", "원"))


def korean_figure(value: float, text: str, kind: str) -> str:
    """An English sum in Korean units, with the article's wording after it: "$650 million" -> "6억5천만 달러($650
    million)"; Korean figures and other kinds stay as written."""
    if kind != "money" or re.search(r"[\uac00-\ud7a3]", text) or value < 1 or value != value:
        return text
    currency = next((ko for mark, ko in _CURRENCIES if mark in text.lower()), "")
    if not currency:
        return text
    amount = _korean_amount(value)
    return f"{amount} {currency}({text})" if amount != text.lstrip("$€£¥₩") else f"{amount}{currency}"


def _korean_amount(value: float) -> str:
    """650000000 -> "6억5천만", 1.1e9 -> "11억", 389 -> "389" (조, 억, 만 as Korean news writes them)."""
    rest = round(value)
    out = []
    for unit, size in (("조", 10**12), ("억", 10**8), ("만", 10**4)):
        part, rest = divmod(rest, size)
        if part:
            out.append(_korean_part(part) + unit)
    if rest:
        out.append(_korean_part(rest) if out else f"{rest:,}")
    return "".join(out) or "0"


def _korean_part(part: int) -> str:
    thousands, rest = divmod(part, 1000)
    return (f"{thousands}천" if thousands else "") + (str(rest) if rest else "")


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_KO_DATE = re.compile(r"(?:(\d{4})\s?(년|학년도))?\s*(?:(\d{1,2})\s?월)?\s*(?:(\d{1,2})\s?일)?")


def english_date(text: str) -> str:
    """2025년 3월 12일 -> March 12, 2025; 2025년 3월 -> March 2025; 13일 -> the 13th; 2025학년도 -> the 2025 school year."""
    m = _KO_DATE.fullmatch(text.strip())
    if not m or not any(m.groups()):
        return text.replace("학년도", " school year").replace("년", "").replace("월", "/").replace("일", "").strip()
    year, era, month, day = m.groups()
    if era == "학년도":
        return f"the {year} school year"
    name = _MONTHS[int(month) - 1] if month and 1 <= int(month) <= 12 else None
    if name and day:
        return f"{name} {int(day)}, {year}" if year else f"{name} {int(day)}"
    if name:
        return f"{name} {year}" if year else name
    if day:
        d = int(day)
        suffix = "th" if 10 <= d % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
        return f"the {d}{suffix}"
    return year or text


def _scaled(value: float) -> str:
    for size, name in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= size:
            return f"{value / size:g} {name}"
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


def best_clause(sentence: str, question: Question) -> str:
    """The clause of the sentence that carries most of the question's terms."""
    clauses = [c.strip() for c in _CLAUSE_BREAK.split(sentence) if c and c.strip()]
    if len(clauses) <= 1 or not question.units:
        return sentence.strip()
    scored = [(coverage(question.units, fold(c)), -i, c) for i, c in enumerate(clauses)]
    return max(scored)[2]


def _as_statement(clause: str) -> str:
    clause = clause.rstrip().rstrip(",")
    for ending, plain in _ENDINGS:
        if clause.endswith(ending):
            return clause[: -len(ending)] + plain
    if clause.endswith((".", "다", "?", "!", "\"", "'")):
        return clause if clause.endswith((".", "?", "!")) else clause + "."
    return clause + " …"


def english_names(question: Question, text: str, aliases: Mapping[str, Sequence[str]]) -> list[str]:
    """Latin forms of the names in a Korean sentence, where the corpus gives one (alias pairs)."""
    folded = fold(text)
    out = []
    for form, others in aliases.items():
        if not re.search(r"[\uac00-\ud7a3]", form) or form not in folded:
            continue
        latin = next((o for o in others if is_latin(o)), None)
        if latin:
            out.append((folded.find(form), _title(latin)))
    years = [(m.start(), m.group(1)) for m in re.finditer(r"((?:19|20)\d\d)년", text)]
    return list(dict.fromkeys(name for _, name in sorted(out + years)))[:5]


def _title(latin: str) -> str:
    return latin if any(c.isupper() for c in latin) else " ".join(w.upper() if len(w) <= 3 else w.capitalize() for w in latin.split())


def compose(question: Question, passages: Sequence[Passage], documents: Mapping[str, Document],
            aliases: Mapping[str, Sequence[str]] | None = None, names: Sequence[str] = ()) -> Draft:
    """Word the answer: the fact first, then where it comes from; the quotes follow in the chain."""
    primary, figs = _figure_passage(question, passages, names)
    top = passages[primary].sentence
    doc = documents.get(top.source)
    language = question.language
    source_language = doc.language if doc else "ko"
    clause = best_clause(top.text, question)
    partial = clause != top.text.strip() and len(clause) < len(top.text) * 0.8
    # A runner-up that carries the figure stands alone, unless it answers a later part of a multi-part
    # question ("Who led it, and how much did it raise?"): then the best passage answers the first part.
    cited = (primary,) if primary and passages[primary].features.get("part", 0.0) < 2 else choose_citations(passages)
    place = where(doc, top.paragraph, language)
    change = len(figs) == 2 and question.asks != "when"
    if language == "en":
        if figs:
            fig_text = ", ".join(english_figure(v, t, k) for v, t, k in figs)
            lead = EN.WHEN.format(figure=fig_text) if question.asks == "when" else EN.FIGURE.format(figure=fig_text)
            if change:
                lead = EN.CHANGE.format(before=english_figure(*figs[0]), after=english_figure(*figs[1]))
            text = f"{lead} Source: {place}."
        elif source_language == "en" and partial:
            text = EN.ACCORDING.format(where=place, statement=clause.rstrip(".") + ".")
        elif source_language == "en":
            text = EN.SEE_QUOTE.format(where=place)
        else:
            text = EN.SEE_QUOTE_KO.format(where=place)
            names = english_names(question, top.text, aliases or {})
            if names:
                text += EN.MENTIONS.format(names=_join_en(names))
    else:
        if figs:
            lead = KO.FIGURE.format(figure=", ".join(korean_figure(v, t, k) for v, t, k in figs))
            if change:
                after = korean_figure(*figs[1])
                lead = KO.CHANGE.format(before=korean_figure(*figs[0]), after=after, ro=KO.particle_ro(after))
            text = f"{lead} {KO.ACCORDING.format(where=place, statement=_as_statement(clause))}" if partial and source_language == "ko" \
                else f"{lead} 출처: {place}."
        elif partial and source_language == "ko":
            text = KO.ACCORDING.format(where=place, statement=_as_statement(clause))
        else:
            text = KO.SEE_QUOTE.format(where=place)
    if figs and primary == 0 and len(passages) > 1 and passages[1].features.get("rival"):
        text, cited = _with_rival(question, passages[1], documents, names, text, cited)
    return Draft(text=text, cited=cited, found=True, answerer=NAME)


def _with_rival(question: Question, rival: Passage, documents: Mapping[str, Document], names: Sequence[str],
                text: str, cited: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
    """Add what another article gives for the same figure, with its date, and quote it second."""
    figs = answer_figures(question, rival.sentence.text, names, rival.context)
    if not figs:
        return text, cited
    place = where(documents.get(rival.sentence.source), rival.sentence.paragraph, question.language)
    if question.language == "en":
        text += EN.RIVAL.format(figure=", ".join(english_figure(v, t, k) for v, t, k in figs), where=place)
    else:
        figure = ", ".join(korean_figure(v, t, k) for v, t, k in figs)
        text += KO.RIVAL.format(figure=figure, ro=KO.particle_ro(figure), where=place)
    return text, (*[i for i in cited if i != 1], 1)


def _figure_passage(question: Question, passages: Sequence[Passage], names: Sequence[str]) -> tuple[int, list[tuple[float, str, str]]]:
    """The passage whose figure answers a figure question: the best one, or a close runner-up of the same article."""
    if not (question.wants or question.asks in ("quantity", "when")):
        return 0, []
    first = passages[0]
    for i, passage in enumerate(passages[:3]):
        if i and (passage.sentence.source != first.sentence.source or passage.score < first.score * RUNNER_UP_RATIO
                  or passage.features.get("version_miss", 0.0) > first.features.get("version_miss", 0.0)):
            continue  # another article's, far behind, or about another version than the best one ("VoltSense 4 … 2027")
        figs = answer_figures(question, passage.sentence.text, names, passage.context)
        if figs:
            return i, figs
    return 0, []


def _join_en(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def choose_citations(passages: Sequence[Passage]) -> tuple[int, ...]:
    """The best passage and one per later part of a multi-part question; else the next one when it is nearly
    as good and from the same article."""
    cited = [0] + [i for i, p in enumerate(passages[1:], 1) if p.features.get("part")]
    if len(cited) == 1 and len(passages) > 1:
        first, second = passages[0], passages[1]
        if second.score >= first.score * SECOND_QUOTE_RATIO and second.sentence.source == first.sentence.source:
            cited.append(1)
    return tuple(cited)


def decline(language: str, passages: Sequence[Passage]) -> Draft:
    """Say plainly that the articles do not answer; show the closest passage if any."""
    closest = bool(passages) and passages[0].dense >= CLOSEST_MIN_DENSE
    words = EN if language == "en" else KO
    text = words.DECLINE_CLOSEST if closest else words.DECLINE
    return Draft(text=text, cited=(0,) if closest else (), found=False, answerer=NAME, closest_only=closest)


def uncertain(question: Question, passages: Sequence[Passage], documents: Mapping[str, Document]) -> Draft:
    """"The article doesn't say exactly; the closest it comes is ...": shown, but not an answer."""
    top = passages[0].sentence
    words = EN if question.language == "en" else KO
    text = words.UNCERTAIN.format(where=where(documents.get(top.source), top.paragraph, question.language))
    return Draft(text=text, cited=(0,), found=False, answerer=NAME, closest_only=True)


def answer(inputs: Mapping[str, Any]) -> Draft:
    """The offline answerer's runnable body (dict -> Draft); the gate's verdict is in `inputs`."""
    question: Question = inputs["prepared"]
    passages: Sequence[Passage] = inputs.get("passages", [])
    documents: Mapping[str, Document] = inputs.get("documents", {})
    outcome = inputs.get("outcome", "answer")
    if not passages or outcome == "decline":
        return decline(question.language, passages)
    if outcome == "uncertain":
        return uncertain(question, passages, documents)
    return compose(question, passages, documents, inputs.get("aliases"), inputs.get("names", ()))


def make_offline_answerer() -> RunnableLambda:
    """The offline answerer as a LangChain runnable (dict -> Draft)."""
    return RunnableLambda(answer, name=NAME)
