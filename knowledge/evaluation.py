"""Scoring the chain on question files over one or many articles.

Rows: `question`, `in_scope`, `gold` (substrings of the answering article),
`facts` (groups of spellings, one of each group must appear in the answer or
its quotes), optional `source` (the answering file; rows without it are about
`default_source`) and `forbid`. A quote is a hit when it comes from the right
file and covers at least 60% of a gold span there. "correct" is strict: not
declined, first quote a hit, every facts group present, no forbidden word.
"""
from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.chain import AnswerChain
from knowledge.models import Answer, Quote

GOLD_COVER = 0.6
CALIBRATION_BINS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0001)


class QuestionFileError(ValueError):
    """A question file that cannot be read; the message names the file and line."""


def load_questions(path: Path) -> list[dict[str, Any]]:
    rows = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"cannot read {path}: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("question"), str):
            raise QuestionFileError(f"{path}:{number}: each line needs an object with a \"question\" string")
        rows.append(row)
    return rows


def quote_hits(quote: Quote, golds: Iterable[str], source_text: str) -> bool:
    for gold in golds:
        start = source_text.find(gold)
        while start >= 0:
            overlap = min(quote.end, start + len(gold)) - max(quote.start, start)
            if overlap >= GOLD_COVER * len(gold):
                return True
            start = source_text.find(gold, start + 1)
    return False


def facts_ok(answer: Answer, facts: list[list[str]]) -> bool:
    haystack = (answer.text + "\n" + "\n".join(q.text for q in answer.quotes)).lower()
    return all(any(alt.lower() in haystack for alt in group) for group in facts)


def language_of(question: str) -> str:
    return "ko" if re.search("[\uac00-\ud7a3]", question) else "en"


@dataclass
class Report:
    """Counts for one question set; `summary()` gives the ratios."""

    in_scope: int = 0
    correct: int = 0
    hit1: int = 0
    hit3: int = 0
    facts: int = 0
    wrong_file: int = 0
    wrongly_declined: int = 0
    uncertain_in: int = 0
    out_of_scope: int = 0
    declined: int = 0
    quotes: int = 0
    verbatim: int = 0
    forbidden: int = 0
    by_language: dict[str, dict[str, int]] = field(default_factory=dict)
    # (gate probability, top passage was a hit) for in-scope and out-of-scope questions
    calibration: list[tuple[float, bool]] = field(default_factory=list)
    first_quote_lengths: list[int] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @staticmethod
    def ratio(part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "in_scope": self.in_scope,
            "correct": round(self.ratio(self.correct, self.in_scope), 3),
            "hit@1": round(self.ratio(self.hit1, self.in_scope), 3),
            "hit@3": round(self.ratio(self.hit3, self.in_scope), 3),
            "fact_accuracy": round(self.ratio(self.facts, self.in_scope), 3),
            "wrong_file_first_quote": round(self.ratio(self.wrong_file, self.in_scope), 3),
            "in_scope_declined": round(self.ratio(self.wrongly_declined, self.in_scope), 3),
            "in_scope_uncertain": self.uncertain_in,
            "out_of_scope": self.out_of_scope,
            "out_of_scope_declined": round(self.ratio(self.declined, self.out_of_scope), 3),
            "quotes_verbatim": round(self.ratio(self.verbatim, self.quotes), 3),
            "forbidden_claims": self.forbidden,
            "median_first_quote_chars": statistics.median(self.first_quote_lengths) if self.first_quote_lengths else 0,
            "latency_ms_p50": round(statistics.median(self.latencies_ms), 2) if self.latencies_ms else 0,
        }
        for lang, counts in sorted(self.by_language.items()):
            out[f"correct_{lang}"] = round(self.ratio(counts["correct"], counts["n"]), 3)
            out[f"in_scope_{lang}"] = counts["n"]
        return out

    def calibration_table(self) -> list[tuple[str, int, float]]:
        """(probability bin, questions, share whose best passage was right) per gate-probability bin."""
        rows = []
        for low, high in zip(CALIBRATION_BINS, CALIBRATION_BINS[1:]):
            inside = [hit for p, hit in self.calibration if low <= p < high]
            rows.append((f"{low:.1f}-{min(high, 1.0):.1f}", len(inside), self.ratio(sum(inside), len(inside))))
        return rows


def evaluate(chain: AnswerChain, rows: Sequence[dict[str, Any]], default_source: str | None = None,
             progress: Any = None) -> Report:
    """Ask every question of `rows` and score the answers (see the module docstring)."""
    report = Report()
    default_source = default_source or (chain.documents[0].source if chain.documents else "")
    for row in rows:
        started = time.perf_counter()
        answer = chain.ask(row["question"])
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        if progress is not None:
            progress()
        _score(chain, row, answer, report, row.get("source") or default_source)
    return report


def _score(chain: AnswerChain, row: dict[str, Any], answer: Answer, report: Report, source: str) -> None:
    for quote in answer.quotes:
        report.quotes += 1
        text = chain.kb.source_text(quote.source) or ""
        report.verbatim += text[quote.start : quote.end] == quote.text
    forbidden = any(word.lower() in answer.text.lower() for word in row.get("forbid", []))
    report.forbidden += forbidden
    if forbidden:
        report.misses.append(f"{row.get('id')}: forbidden claim in answer: {answer.text[:80]}")
    retrieved = _retrieved_quotes(chain, answer)
    probability = float(answer.meta.get("gate", {}).get("p", 1.0 if answer.found else 0.0))
    top_hit = bool(retrieved) and row.get("in_scope", True) and _hits(chain, retrieved[0], row.get("gold", []), source)
    report.calibration.append((probability, bool(top_hit)))
    if not row.get("in_scope", True):
        report.out_of_scope += 1
        if not answer.found:
            report.declined += 1
        else:
            report.misses.append(f"{row.get('id')}: out of scope but answered: {row['question']} -> {answer.text[:60]}")
        return
    report.in_scope += 1
    lang = report.by_language.setdefault(language_of(row["question"]), {"n": 0, "correct": 0})
    lang["n"] += 1
    declined = not answer.found
    report.wrongly_declined += declined
    report.uncertain_in += answer.uncertain
    quotes = list(answer.quotes)
    if quotes:
        report.first_quote_lengths.append(len(quotes[0].text))
        report.wrong_file += quotes[0].source != source
    hit1 = bool(quotes) and _hits(chain, quotes[0], row["gold"], source)
    hit3 = hit1 or any(_hits(chain, q, row["gold"], source) for q in (quotes + retrieved)[:3])
    ok_facts = facts_ok(answer, row.get("facts", []))
    correct = hit1 and ok_facts and not declined and not forbidden
    report.hit1 += hit1
    report.hit3 += hit3
    report.facts += ok_facts
    report.correct += correct
    lang["correct"] += correct
    if not correct:
        first = f"[{quotes[0].source}] {quotes[0].text[:50]}" if quotes else "(no quote)"
        why = "declined" if declined else ("wrong quote" if not hit1 else "fact missing")
        report.misses.append(f"{row.get('id')}: {why}: {row['question']} -> {answer.text[:70]} | {first}")


def _hits(chain: AnswerChain, quote: Quote, golds: Iterable[str], source: str) -> bool:
    return quote.source == source and quote_hits(quote, golds, chain.kb.source_text(source) or "")


def _retrieved_quotes(chain: AnswerChain, answer: Answer) -> list[Quote]:
    """The ranked sentences the chain retrieved for this answer, as quotes."""
    quotes = []
    for hit in answer.meta.get("retrieved", []):
        text = chain.kb.source_text(hit["source"]) or ""
        quotes.append(Quote(text=text[hit["start"] : hit["end"]], source=hit["source"], start=hit["start"], end=hit["end"], paragraph=0))
    return quotes


def format_report(name: str, report: Report) -> str:
    """A readable block for one set: the figures, the calibration table, then the misses."""
    s = report.summary()
    lines = [f"== {name}",
             f"  correct {s['correct']:.3f}  hit@1 {s['hit@1']:.3f}  hit@3 {s['hit@3']:.3f}  facts {s['fact_accuracy']:.3f}"
             f"  wrong-file 1st quote {s['wrong_file_first_quote']:.3f}",
             f"  in-scope {s['in_scope']}: declined {s['in_scope_declined']:.3f} (uncertain {s['in_scope_uncertain']})"
             f"  out-of-scope {s['out_of_scope']}: declined {s['out_of_scope_declined']:.3f}"
             f"  verbatim {s['quotes_verbatim']:.3f}  forbidden {s['forbidden_claims']}  p50 {s['latency_ms_p50']} ms"]
    langs = [k.removeprefix("correct_") for k in s if k.startswith("correct_")]
    if langs:
        lines.append("  by language: " + ", ".join(f"{l} {s['correct_' + l]:.3f} (n={s['in_scope_' + l]})" for l in langs))
    lines.append("  calibration (gate p -> share whose best passage was right): "
                 + "; ".join(f"{b}: {n} q, {r:.2f}" for b, n, r in report.calibration_table() if n))
    return "\n".join(lines)
