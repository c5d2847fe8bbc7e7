"""`python -m knowledge index [--rebuild]` and `python -m knowledge search "question"`."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time

from dotenv import load_dotenv

from knowledge.base import build_knowledge_base
from knowledge.settings import KnowledgeSettings
from knowledge.text import normalize_question


def main(argv: list[str] | None = None) -> int:
    load_dotenv()
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING").upper(), format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m knowledge")
    sub = parser.add_subparsers(dest="command", required=True)
    index = sub.add_parser("index", help="index the seeds into Chroma (only what changed)")
    index.add_argument("--rebuild", action="store_true", help="drop the collection and index everything again")
    search = sub.add_parser("search", help="print the ranked sentences for a question")
    search.add_argument("question", nargs="+")
    search.add_argument("-k", type=int, default=5)
    args = parser.parse_args(argv)
    settings = KnowledgeSettings.from_env(os.environ)
    started = time.perf_counter()
    if args.command == "index":
        kb = build_knowledge_base(settings, sync=False)
        report = kb.store.sync(kb.documents, rebuild=args.rebuild)
        where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.uses_server else str(settings.chroma_path)
        print(
            f"indexed {len(kb.documents)} document(s), {kb.store.count()} sentences in {where} "
            f"({report.added} added, {report.removed} removed, {report.kept} kept) in {time.perf_counter() - started:.2f}s"
        )
        return 0
    kb = build_knowledge_base(settings)
    question = " ".join(args.question)
    print(f"question: {normalize_question(question)}")
    for p in kb.retriever.search(question, k=args.k):
        s = p.sentence
        print(f"{p.rank}. score={p.score:.3f} dense={p.dense:.3f} coverage={p.lexical:.2f}  {s.source}:{s.start}-{s.end} ¶{s.paragraph}")
        print(f"   {s.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
