"""Command-line jobs: `python -m bot ask [--json] [QUESTION]` and `python -m bot eval [FILE]`."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from dotenv import load_dotenv

from bot.logs import configure_logging
from knowledge.chain import AnswerChain, build_chain
from knowledge.models import Answer
from knowledge.settings import PROJECT_ROOT, KnowledgeSettings

DEFAULT_EVAL_FILE = PROJECT_ROOT / "tests" / "data" / "qa_dev.jsonl"


def main(argv: list[str]) -> int:
    load_dotenv()
    configure_logging(os.environ.get("LOG_LEVEL", "WARNING").upper())
    parser = argparse.ArgumentParser(prog="python -m bot")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer a question (or one per line from stdin)")
    ask.add_argument("question", nargs="*", help="the question; omit to read questions from stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per answer")
    ev = sub.add_parser("eval", help="score retrieval and answers on a question file")
    ev.add_argument("file", nargs="?", type=Path, default=DEFAULT_EVAL_FILE)
    ev.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    chain = build_chain(KnowledgeSettings.from_env(os.environ))
    if args.command == "ask":
        return _ask(chain, " ".join(args.question), args.json)
    return _eval(chain, args.file, args.json)


def _ask(chain: AnswerChain, question: str, as_json: bool) -> int:
    if question.strip():
        _print_answer(chain.ask(question), as_json)
        return 0
    for line in sys.stdin:  # one question per line, everything loaded once
        if line.strip():
            _print_answer(chain.ask(line.rstrip("\n")), True)
            sys.stdout.flush()
    return 0


def _print_answer(answer: Answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    print(answer.text)
    if answer.notice_text:
        print(f"({answer.notice_text})")
    if answer.quotes:
        print()
        label = "가장 가까운 문장 / closest passage" if answer.closest_only else "근거 / sources"
        print(f"{label}:")
        for quote in answer.quotes:
            print(f"  > {quote.text}")
            print(f"    — {quote.outlet or quote.source}, {quote.paragraph}번째 문단 (paragraph {quote.paragraph}), {quote.source}:{quote.start}-{quote.end}")
    if answer.fallback_reason:
        print(f"\n[{answer.answerer}; LLM fallback: {answer.fallback_reason}]")


def _eval(chain: AnswerChain, path: Path, as_json: bool) -> int:
    from knowledge.evaluation import evaluate, load_questions

    report = evaluate(chain, load_questions(path))
    summary = report.summary()
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    print(f"questions: {path}")
    for key, value in summary.items():
        print(f"  {key:28s} {value}")
    if report.misses:
        print("misses:")
        for miss in report.misses:
            print(f"  - {miss}")
    return 0
