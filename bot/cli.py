"""The one command line, `lg-ai` (also `python -m bot <command>`): ask, eval, index, search, serve.

Arguments are parsed before anything heavy is imported, so `--help` and usage
errors answer at once; each command imports what it needs when it runs.
A new command is one `register(...)` call at the bottom, whose run function
does its own imports. Exit codes: 0 done, 2 usage or input error (one line on
stderr), 130 interrupted.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

if TYPE_CHECKING:
    from knowledge.chain import AnswerChain
    from knowledge.models import Answer

PROG = "lg-ai"
DEFAULT_EVAL_FILE = Path("tests") / "data" / "qa_dev.jsonl"
REPL_HISTORY_TURNS = 6


class UsageError(Exception):
    """Bad input from the person at the keyboard: printed as one line, exit 2."""


class Command(NamedTuple):  # not a dataclass: `dataclasses` pulls in `inspect`, a tenth of the --help time
    name: str
    help: str
    run: Callable[[argparse.Namespace], int]
    arguments: Callable[[argparse.ArgumentParser], None] | None = None


COMMANDS: dict[str, Command] = {}


def register(
    name: str,
    help: str,
    run: Callable[[argparse.Namespace], int],
    arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> None:
    """Add a subcommand. `run` gets the parsed arguments and must import heavy modules itself."""
    COMMANDS[name] = Command(name, help, run, arguments)


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Answers questions about LG's AI strategy from the articles in SEEDS_DIR, with verbatim quotes.",
        epilog="Settings come from the environment and .env (see .env.example). `python -m bot` with no command runs the Slack worker.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS.values():
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        if command.arguments:
            command.arguments(child)
    return parser


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    args = build_parser(prog).parse_args(sys.argv[1:] if argv is None else argv)
    from dotenv import load_dotenv

    from bot.logs import configure_logging

    load_dotenv()
    configure_logging(os.environ.get("LOG_LEVEL", "WARNING").upper())
    import logging

    logging.getLogger("knowledge.progress").setLevel(logging.INFO)  # progress lines when not on a terminal
    from knowledge.settings import SettingsError

    try:
        return COMMANDS[args.command].run(args)
    except (UsageError, SettingsError) as exc:
        print(f"{prog} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


def _knowledge_settings() -> Any:
    from knowledge.settings import KnowledgeSettings

    return KnowledgeSettings.from_env(os.environ)


def clean_question(text: str) -> str:
    """Slack markup in a typed or piped question is decoded as the bot decodes it."""
    from bot.messages import clean_question as clean

    return clean(text)


def _build_chain() -> AnswerChain:
    from knowledge.chain import build_chain

    return build_chain(_knowledge_settings())


# -- ask ------------------------------------------------------------------------------------
def _ask_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("question", nargs="*", help="the question; omit it to type questions at a prompt, or to read one per line from stdin")
    p.add_argument("--json", action="store_true", help="print one JSON object per answer")


def run_ask(args: argparse.Namespace) -> int:
    question = " ".join(args.question)
    if args.question and not question.strip():
        raise UsageError('the question is empty: lg-ai ask "your question" (or no question, to type at a prompt)')
    if question.strip():
        _print_answer(_build_chain().ask(clean_question(question)), args.json)
        return 0
    if sys.stdin.isatty():
        return repl(_build_chain, args.json)
    chain = _build_chain()
    for line in sys.stdin:  # one question per line, one JSON object per line, everything loaded once
        if line.strip():
            _print_answer(chain.ask(clean_question(line.rstrip("\n"))), True)
            sys.stdout.flush()
    return 0


def repl(make_chain: Callable[[], AnswerChain], as_json: bool = False, stdin: TextIO | None = None) -> int:
    """Questions typed at a prompt; earlier turns are passed on, so follow-ups work as in a Slack thread."""
    from knowledge.models import Turn

    stdin = stdin or sys.stdin
    print("loading the articles…", file=sys.stderr, flush=True)
    chain = make_chain()
    topic = chain.corpus.topic_in("en") if hasattr(chain, "corpus") else "the indexed articles"
    print(f"Ask about {topic} (Korean or English). Empty line: nothing; Ctrl-D or 'exit': quit.", file=sys.stderr, flush=True)
    history: list[Turn] = []
    while True:
        print("질문> ", end="", flush=True)
        line = stdin.readline()
        if not line:
            print()
            return 0
        question = line.strip()
        if question.lower() in {"exit", "quit", ":q"}:
            return 0
        if not question:
            continue
        answer = chain.ask(clean_question(question), history)
        _print_answer(answer, as_json)
        print(flush=True)
        history = [*history, Turn(question=question, answer=answer.text)][-REPL_HISTORY_TURNS:]


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


# -- eval -----------------------------------------------------------------------------------
def _eval_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="*", type=Path, default=[DEFAULT_EVAL_FILE], metavar="FILE",
                   help=f"question files, one JSON object per line, each scored as its own set; rows may name their "
                        f"article in 'source' (default: {DEFAULT_EVAL_FILE}, from the working directory)")
    p.add_argument("--default-source", default=None,
                   help="the article of rows without a 'source' field (default: the first indexed article)")
    p.add_argument("--misses", action="store_true", help="list every question that was not answered correctly")
    p.add_argument("--json", action="store_true", help="print one JSON summary per set")


def read_question_file(path: Path) -> list[dict[str, Any]]:
    """The rows of a question file; a missing or malformed one is a UsageError naming file and line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"question file not found: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"question file is a folder: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read question file {path}: {exc}") from None
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("question"), str) or not row["question"].strip():
            raise UsageError(f'{path}:{number}: expected an object with a non-empty "question"')
        rows.append(row)
    if not rows:
        raise UsageError(f"question file has no questions: {path}")
    return rows


def run_eval(args: argparse.Namespace) -> int:
    from knowledge.evaluation import evaluate, format_report
    from knowledge.progress import Progress

    sets = [(path, read_question_file(path)) for path in (args.files or [DEFAULT_EVAL_FILE])]
    chain = _build_chain()
    for path, rows in sets:
        with Progress(len(rows), "questions", unit="q") as progress:
            report = evaluate(chain, rows, default_source=args.default_source, progress=progress.update)
        if args.json:
            print(json.dumps({"set": str(path), **report.summary()}, ensure_ascii=False))
            continue
        print(format_report(str(path), report))
        if args.misses and report.misses:
            print("  misses:")
            for miss in report.misses:
                print(f"   - {miss}")
    return 0


# -- index / search -----------------------------------------------------------------------------
def _index_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rebuild", action="store_true", help="drop the collection and index everything again")
    p.add_argument("--no-cache-write", action="store_true", help="do not write vectors into the vector cache (VECTOR_CACHE_DIR)")


def run_index(args: argparse.Namespace) -> int:
    from knowledge.commands import run_index as index

    print(index(_knowledge_settings(), rebuild=args.rebuild, write_cache=not args.no_cache_write).line())
    return 0


def _search_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("question", nargs="+")
    p.add_argument("-k", type=int, default=5, help="how many sentences (default 5)")


def run_search(args: argparse.Namespace) -> int:
    from knowledge.commands import run_search as search

    question = " ".join(args.question)
    if not question.strip():
        raise UsageError("the question is empty")
    if args.k < 1:
        raise UsageError("-k must be at least 1")
    print(search(_knowledge_settings(), question, k=args.k))
    return 0


# -- report ---------------------------------------------------------------------------------
def _report_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--days", type=int, default=7, help="how many days back, today included (default 7)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")


def run_report(args: argparse.Namespace) -> int:
    """What people asked (DATABASE_URL or OUTCOMES_PATH): per day, decline rate, feedback, unanswered questions."""
    from bot.outcomes import OutcomeSettings, OutcomeSettingsError, format_report, make_outcome_store

    if args.days < 1:
        raise UsageError("--days must be at least 1")
    try:
        settings = OutcomeSettings.from_env(os.environ)
    except OutcomeSettingsError as exc:
        raise UsageError(str(exc)) from None
    if "://" not in settings.database_url and not Path(settings.database_url).expanduser().is_file():
        raise UsageError(f"no outcomes recorded yet at {settings.database_url} (set OUTCOMES_PATH or DATABASE_URL)")
    store = make_outcome_store(settings.database_url, settings.log_questions)
    try:
        report = store.report(args.days)
    finally:
        store.close()
    print(json.dumps(report.to_dict(), ensure_ascii=False) if args.json else format_report(report))
    return 0


# -- serve ----------------------------------------------------------------------------------
def run_serve(args: argparse.Namespace) -> int:
    from bot import worker

    return worker.main([])


register("ask", "answer a question (no question: a prompt on a terminal, else one question per line from stdin)", run_ask, _ask_arguments)
register("eval", "score retrieval and answers on a question file", run_eval, _eval_arguments)
register("index", "index the seeds into the configured store and write the vector cache", run_index, _index_arguments)
register("search", "print the ranked sentences for a question", run_search, _search_arguments)
register("report", "questions per day, decline rate, feedback and the questions the articles could not answer", run_report, _report_arguments)
register("serve", "run the Slack worker (Socket Mode with SLACK_APP_TOKEN, else HTTP mode), as `python -m bot`", run_serve)


def command_names() -> Iterable[str]:
    return COMMANDS.keys()
