"""Scoring the chain on a question file (`gold`, `facts`, `in_scope`, `forbid`).

A quote is a hit when its place in the source covers at least 60% of a gold
substring; facts are groups of spellings, one of which must appear in the
answer text or its quotes.
"""
from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.chain import AnswerChain
from knowledge.models import Answer, Quote

GOLD_COVER = 0.6


def load_questions(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


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


@dataclass
class Report:
    in_scope: int = 0
    hit1: int = 0
    hit3: int = 0
    facts: int = 0
    wrongly_declined: int = 0
    out_of_scope: int = 0
    declined: int = 0
    quotes: int = 0
    verbatim: int = 0
    forbidden: int = 0
    first_quote_lengths: list[int] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def ratio(self, part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "in_scope": self.in_scope,
            "hit@1": round(self.ratio(self.hit1, self.in_scope), 3),
            "hit@3": round(self.ratio(self.hit3, self.in_scope), 3),
            "fact_accuracy": round(self.ratio(self.facts, self.in_scope), 3),
            "in_scope_declined": self.wrongly_declined,
            "out_of_scope": self.out_of_scope,
            "out_of_scope_declined": self.declined,
            "quotes_verbatim": round(self.ratio(self.verbatim, self.quotes), 3),
            "forbidden_claims": self.forbidden,
            "median_first_quote_chars": statistics.median(self.first_quote_lengths) if self.first_quote_lengths else 0,
            "latency_ms_p50": round(statistics.median(self.latencies_ms), 2) if self.latencies_ms else 0,
        }


def evaluate(chain: AnswerChain, rows: list[dict[str, Any]]) -> Report:
    report = Report()
    for row in rows:
        started = time.perf_counter()
        answer = chain.ask(row["question"])
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        for quote in answer.quotes:
            report.quotes += 1
            source = chain.kb.source_text(quote.source) or ""
            report.verbatim += source[quote.start : quote.end] == quote.text
        if any(word.lower() in answer.text.lower() for word in row.get("forbid", [])):
            report.forbidden += 1
            report.misses.append(f"{row.get('id')}: forbidden claim in answer: {answer.text[:80]}")
        if not row.get("in_scope", True):
            report.out_of_scope += 1
            if not answer.found:
                report.declined += 1
            else:
                report.misses.append(f"{row.get('id')}: out of scope but answered: {row['question']}")
            continue
        report.in_scope += 1
        if not answer.found:
            report.wrongly_declined += 1
            report.misses.append(f"{row.get('id')}: declined: {row['question']}")
        quotes = list(answer.quotes) if answer.found else []
        if quotes:
            report.first_quote_lengths.append(len(quotes[0].text))
        retrieved = _retrieved_quotes(chain, answer)
        text_of = lambda q: chain.kb.source_text(q.source) or ""  # noqa: E731
        hit1 = bool(quotes) and quote_hits(quotes[0], row["gold"], text_of(quotes[0]))
        hit3 = hit1 or any(quote_hits(q, row["gold"], text_of(q)) for q in retrieved[:3])
        report.hit1 += hit1
        report.hit3 += hit3
        ok_facts = answer.found and facts_ok(answer, row.get("facts", []))
        report.facts += ok_facts
        if not hit1:
            first = quotes[0].text[:60] if quotes else "(no quote)"
            report.misses.append(f"{row.get('id')}: hit@1 miss ({'hit@3' if hit3 else 'not in top 3'}): {row['question']} -> {first}")
        elif not ok_facts:
            report.misses.append(f"{row.get('id')}: fact missing: {row['question']} -> {answer.text[:80]}")
    return report


def _retrieved_quotes(chain: AnswerChain, answer: Answer) -> list[Quote]:
    """The ranked sentences the chain retrieved for this answer, as quotes."""
    quotes = []
    for hit in answer.meta.get("retrieved", []):
        text = chain.kb.source_text(hit["source"]) or ""
        quotes.append(Quote(text=text[hit["start"] : hit["end"]], source=hit["source"], start=hit["start"], end=hit["end"], paragraph=0))
    return quotes
