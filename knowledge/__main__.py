"""`python -m knowledge index|search`: an alias of `lg-ai index|search` that needs no Slack package.

The one command line is `lg-ai` (bot/cli.py); this stays for scripts that call
the knowledge layer alone. Both run the same functions in knowledge.commands.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description="Alias of `lg-ai index` / `lg-ai search`.")
    sub = parser.add_subparsers(dest="command", required=True)
    index = sub.add_parser("index", help="index the seeds into Chroma (only what changed)")
    index.add_argument("--rebuild", action="store_true", help="drop the collection and index everything again")
    index.add_argument("--no-cache-write", action="store_true", help="do not write vectors into the vector cache")
    search = sub.add_parser("search", help="print the ranked sentences for a question")
    search.add_argument("question", nargs="+")
    search.add_argument("-k", type=int, default=5)
    args = parser.parse_args(argv)
    question = " ".join(getattr(args, "question", []))
    if args.command == "search" and not question.strip():
        parser.error("the question is empty")

    from dotenv import load_dotenv

    from knowledge.commands import run_index, run_search
    from knowledge.settings import KnowledgeSettings, SettingsError

    load_dotenv()
    level = os.environ.get("LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(level=level if level in logging.getLevelNamesMapping() else "WARNING", format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("knowledge.progress").setLevel(logging.INFO)
    try:
        settings = KnowledgeSettings.from_env(os.environ)
        if args.command == "index":
            print(run_index(settings, rebuild=args.rebuild, write_cache=not args.no_cache_write).line())
        else:
            print(run_search(settings, question, k=args.k))
    except SettingsError as exc:
        print(f"python -m knowledge: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
