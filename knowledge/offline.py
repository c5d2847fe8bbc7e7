"""The offline answerer: composes the answer from the retrieved sentences, no model.

It decides whether the article answers at all (term coverage, dense
similarity, names of things the article does not discuss), states the fact
plainly (the answering clause; in English, the figures and names read off the
quote) and cites the sentences it used. Quotes themselves are cut by the chain.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.runnables import RunnableLambda

from knowledge.lexical import QueryUnit, coverage, mentions, question_cues
from knowledge.lexicon import ALL_GROUPS
from knowledge.loading import is_credit_line
from knowledge.models import Draft, Passage
from knowledge import numbers
from knowledge.text import fold

NAME = "offline"

# The article answers when the best sentence covers enough of what is asked.
# Coverage counts the question's weighted terms found in the sentence (and
# partly in the sentence before it); dense similarity rescues paraphrases.
MIN_COVERAGE = 0.38
MIN_COVERAGE_WITH_STRONG_DENSE = 0.28
STRONG_DENSE = 0.88
MIN_DENSE = 0.70
# A second quote is shown only when it is nearly as good as the first.
SECOND_QUOTE_RATIO = 0.92
CLOSEST_MIN_SCORE = 0.35

# Clauses end at a comma after a connective ending (…했으며, …하고, …면서).
_CLAUSE_BREAK = re.compile(r"(?<=[며고서데나면]),\s+|(?<=면서)\s+(?=\")")
_NUMBER = re.compile(
    r"(?<![0-9A-Za-z.])\d+(?:[.,]\d+)*(?:\s?[억만천백](?:\d+(?:[.,]\d+)*)?)*"
    r"(?:\s?(?:%|[A-Za-z]+(?![A-Za-z])|여명|점|명|개|년|기|월|일|배))?"
)
# Which figures a question wants, by the words it uses.
_ASKS_WHEN = re.compile(r"언제|when|year|몇\s?년|연도|since")
_WANTED_UNITS = (
    (re.compile(r"점수|score|몇\s?점|points?"), ("점",)),
    (re.compile(r"명|people|인원|참가자|participants?|staff|employees|team|인력"), ("명", "여명")),
    (re.compile(r"매개변수|파라미터|parameters?|크기|size|sizes|몇\s?개"), ("억", "B", "b", "개")),
    (_ASKS_WHEN, ("년",)),
    (re.compile(r"비교|compare|percent|%|수준|규모|how big"), ("%",)),
)
# Connective endings turned into a plain sentence end for the answer line.
_ENDINGS = (("했으며", "했습니다."), ("였으며", "였습니다."), ("있으며", "있습니다."), ("이며", "입니다."),
            ("했고", "했습니다."), ("있고", "있습니다."), ("됐으며", "됐습니다."), ("되며", "됩니다."))

_EN_UNITS = {"점": " points", "명": " people", "개": "", "년": "", "기": " cohorts", "%": "%"}

# Korean names -> English, for the English framing sentence.
_EN_NAMES = (
    ("엑사원 딥", "EXAONE Deep"),
    ("엑사원", "EXAONE"),
    ("딥시크", "DeepSeek"),
    ("오픈AI", "OpenAI"),
    ("구글", "Google"),
    ("알리바바", "Alibaba"),
    ("LG AI연구원", "LG AI Research"),
    ("에이머스", "LG Aimers"),
    ("구광모", "Koo Kwang-mo"),
    ("수능", "the Korean SAT (수능)"),
    ("오픈소스", "open source"),
    ("인공지능·바이오·클린테크", "AI, bio and clean tech"),
    ("석·박사", "master's and doctoral degrees"),
    ("무료", "free of charge"),
    ("온디바이스", "on-device"),
    ("경량", "lightweight"),
    ("싱크탱크", "think tank"),
    ("에이전틱", "agentic"),
    ("가설", "hypotheses"),
    ("고객의 삶", "customers' lives"),
    ("원천기술", "core (source) technology"),
    ("해커톤", "hackathon"),
)


def decide(units: Sequence[QueryUnit], passages: Sequence[Passage]) -> bool:
    """Does the best passage answer the question?"""
    if not passages or not units:
        return False
    top = passages[0]
    folded = fold(top.sentence.text)
    for unit in units:
        if unit.foreign and not any(mentions(f, folded) for f in unit.forms):
            return False
    if not any(u.known for u in units):
        return False
    if top.dense < MIN_DENSE:
        return False
    if top.lexical >= MIN_COVERAGE:
        return True
    return top.dense >= STRONG_DENSE and top.lexical >= MIN_COVERAGE_WITH_STRONG_DENSE


def choose_citations(passages: Sequence[Passage]) -> tuple[int, ...]:
    """The best passage, plus the next one when it is nearly as good."""
    cited = [0]
    if len(passages) > 1:
        first, second = passages[0], passages[1]
        if second.score >= first.score * SECOND_QUOTE_RATIO:
            cited.append(1)
    return tuple(cited)


def best_clause(sentence: str, units: Sequence[QueryUnit]) -> str:
    """The clause of the sentence that carries most of the question's terms."""
    clauses = [c.strip() for c in _CLAUSE_BREAK.split(sentence) if c and c.strip()]
    if len(clauses) <= 1 or not units:
        return sentence.strip()
    scored = [(coverage(units, fold(c)), -i, c) for i, c in enumerate(clauses)]
    return max(scored)[2]


def key_figures(text: str, question: str = "") -> list[str]:
    """Figures of the clause, narrowed to the kind the question asks for (점, 명, 년 ...)."""
    figures = [m.group(0).strip() for m in _NUMBER.finditer(text) if m.group(0).strip()]
    folded = fold(question)
    wanted = [units for pattern, units in _WANTED_UNITS if pattern.search(folded)]
    if wanted:
        chosen = [f for f in figures if any(any(u in f for u in units) for units in wanted)]
        if _ASKS_WHEN.search(folded):
            # "10년 먹거리" is a duration, not a date: a when-question gets a year or nothing.
            return [f for f in chosen if not f.endswith("년") or re.search(r"(19|20)\d\d", f)]
        if chosen:
            return chosen
    return [f for f in figures if not re.search(r"(19|20)\d\d", f)] or figures[:1]


def english_figure(figure: str) -> str:
    """94.5점 -> 94.5 points; 320억개 -> 32 billion; 1만2천명 -> 12,000 people."""
    compact = figure.replace(" ", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)((?:[억만천백]\d*)+)?(점|명|개|년|기|%)?(.*)", compact)
    if not m:
        return figure
    number, scaled, unit, rest = m.group(1), m.group(2), m.group(3) or "", m.group(4)
    if scaled:
        value = sum(v for v, _, _ in numbers.figures(number + scaled))
        text = f"{value / 1e9:g} billion" if value >= 1e9 else f"{int(value):,}"
    else:
        text = number
    return f"{text}{_EN_UNITS.get(unit, '')}{rest}".strip()


# Question-type words: they say nothing about the answer.
_NOT_GLOSSED = frozenset({"why", "when", "current", "year", "percent", "first", "problem", "koo kwang-mo"})


def english_names(text: str, limit: int = 10) -> list[str]:
    """English glosses of the names and key terms in a Korean clause, in reading order."""
    found: list[tuple[int, str]] = []
    for korean, english in _EN_NAMES:
        at = text.find(korean)
        if at >= 0:
            found.append((at, english))
            text = text.replace(korean, " " * len(korean))
    for group in ALL_GROUPS:
        english = next((f for f in group if f.isascii() and len(f) > 2), None)
        if english is None or english in _NOT_GLOSSED:
            continue
        for form in group:
            if not form.isascii() and len(form) >= 2 and (at := text.find(form)) >= 0:
                found.append((at, english))
                text = text.replace(form, " " * len(form))
                break
    years = [(m.start(), m.group(1)) for m in re.finditer(r"((?:19|20)\d\d)년", text)]
    ordered = [term for _, term in sorted(found + years)]
    return list(dict.fromkeys(ordered))[:limit]


def compose(question: str, language: str, units: Sequence[QueryUnit], passages: Sequence[Passage]) -> Draft:
    """Write the answer: the fact first, then (in the chain) the quotes."""
    top = passages[0].sentence
    if is_credit_line(top):
        # "청년일보=이창현 기자": say who wrote it rather than quote the tag as a sentence.
        outlet = top.outlet or top.text.split("=")[0].strip()
        if language == "ko":
            text = f"이 기사는 {outlet} {top.byline}가 썼습니다 (기사 끝의 바이라인)."
        else:
            name = top.byline.removesuffix("기자").strip() or top.byline
            text = f"The article was written by reporter {name} ({top.byline}) of {outlet}, per the byline at its end."
        return Draft(text=text, cited=(0,), found=True, answerer=NAME)
    clause = best_clause(top.text, units)
    cues = question_cues(question)
    figures = key_figures(clause, question) if (cues.quantity or cues.when) else []
    cited = choose_citations(passages)
    if language == "ko":
        lead = f"{', '.join(figures)}입니다. " if figures else ""
        text = f"{lead}기사에 따르면 {_as_statement(clause)} ({top.paragraph}번째 문단)"
    else:
        figures_en = [english_figure(f) for f in figures]
        names = english_names(clause)
        lead = f"{'; '.join(figures_en)}. " if figures_en else ""
        terms = f" Key terms: {', '.join(names)}." if names else ""
        text = f"{lead}According to the article (paragraph {top.paragraph}, quoted below in Korean).{terms}"
    return Draft(text=text, cited=cited, found=True, answerer=NAME)


def _as_statement(clause: str) -> str:
    clause = clause.rstrip().rstrip(",")
    for ending, plain in _ENDINGS:
        if clause.endswith(ending):
            return clause[: -len(ending)] + plain
    if clause.endswith((".", "다", "?", "!", "\"", "'")):
        return clause if clause.endswith((".", "?", "!")) else clause + "."
    return clause + " …"


def decline(language: str, passages: Sequence[Passage]) -> Draft:
    """Say plainly that the article does not answer; show the closest passage if any."""
    closest = bool(passages) and passages[0].score >= CLOSEST_MIN_SCORE
    if language == "ko":
        text = "기사에는 이 질문에 대한 내용이 없습니다."
        if closest:
            text += " 가장 가까운 문장을 참고로 보여 드립니다."
    else:
        text = "The article does not say."
        if closest:
            text += " The closest passage is shown for reference."
    return Draft(text=text, cited=(0,) if closest else (), found=False, answerer=NAME, closest_only=closest)


def summarize(language: str, passages: Sequence[Passage]) -> Draft:
    """A summary request: the key sentences (chosen by the retriever) are the summary."""
    if not passages:
        return decline(language, passages)
    where = sorted({p.sentence.paragraph for p in passages})
    if language == "ko":
        text = f"기사의 요점을 담은 문장 {len(passages)}개입니다 ({', '.join(map(str, where))}번째 문단)."
    else:
        names = english_names(" ".join(p.sentence.text for p in passages))
        terms = f" Key terms: {', '.join(names)}." if names else ""
        text = (f"The article's main points, in {len(passages)} sentences "
                f"(paragraphs {', '.join(map(str, where))}; quoted below in Korean).{terms}")
    return Draft(text=text, cited=tuple(range(len(passages))), found=True, answerer=NAME)


def answer(inputs: Mapping[str, Any]) -> Draft:
    question: str = inputs["question"]
    language: str = inputs.get("language", "ko")
    passages: Sequence[Passage] = inputs.get("passages", [])
    units: Sequence[QueryUnit] = inputs.get("units", [])
    if inputs.get("summary"):
        return summarize(language, passages)
    if inputs.get("unknown_figures"):
        # "6기", "EXAONE 3.5", "in 2023": a figure the article never states.
        return decline(language, passages)
    if decide(units, passages):
        return compose(question, language, units, passages)
    return decline(language, passages)


def make_offline_answerer() -> RunnableLambda:
    """The offline answerer as a LangChain runnable (dict -> Draft)."""
    return RunnableLambda(answer, name=NAME)
