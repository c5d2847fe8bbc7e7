"""Fit the answer gate on labelled question files: `python -m knowledge.gate_fit`.

Two models are fitted. The ranker (which candidate sentence answers) is a
listwise softmax model over every candidate of each answerable question,
labelled by the gold spans in the right article. The gate (does the corpus
answer at all) is a logistic regression over the best passage's features,
labelled by `in_scope`, retrieved as the bot retrieves but by a ranker fitted
without the question's fold (cross-fitting), so its passages look as sure as a new question's would. A logistic regression with an L2 penalty,
fitted by Newton's method (deterministic: same files, same corpus, same
parameters), is written to `knowledge/gate_params.json` with what it was
fitted on. The thresholds are chosen on the same data, scored out of bag (by the bootstrap
fits that did not see each question): `answer_at` is the highest cut that still answers 95%
of the answerable questions; `uncertain_at` sits just below it.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.evaluation import load_questions, quote_hits
from knowledge.gate import FEATURES, RANK_FEATURES, GateParams, features, params_file
from knowledge.models import Quote

L2 = 1.0
UNCERTAIN_GAP = 0.08
# Share of the answerable training questions the gate must answer (the rest of the cut declines).
ANSWERED_TARGET = 0.95


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = 50) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-penalised logistic regression (the bias is not penalised)."""
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ w, -30, 30)))
        gradient = design.T @ (p - y) + penalty * w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return w[:-1], float(w[-1])


BAGS = 64
# Folds of the cross-fitted ranker whose passages the gate learns from.
FOLDS = 5


def fit_bagged(x: np.ndarray, y: np.ndarray, bags: int = BAGS, seed: int = 0) -> tuple[np.ndarray, float, np.ndarray]:
    """The mean of logistic fits on bootstrap resamples (a fixed seed: deterministic), and out-of-bag probabilities.

    With a few dozen unanswerable questions, one fit swings with every question
    added or removed; the average of many resampled fits is steadier. The
    out-of-bag probability of a question is the mean over the fits that did not
    see it: an honest estimate of how a question nobody fitted on scores, which
    in-sample probabilities overstate.
    """
    rng = np.random.RandomState(seed)
    ws, bs = [], []
    oob_sum, oob_count = np.zeros(len(y)), np.zeros(len(y))
    for _ in range(bags):
        pick = rng.randint(0, len(y), len(y))
        if len(set(y[pick].tolist())) < 2:
            continue
        w, b = fit_logistic(x[pick], y[pick])
        ws.append(w)
        bs.append(b)
        out = np.ones(len(y), dtype=bool)
        out[pick] = False
        oob_sum[out] += 1.0 / (1.0 + np.exp(-np.clip(x[out] @ w + b, -30, 30)))
        oob_count[out] += 1
    weights, bias = np.mean(ws, axis=0), float(np.mean(bs))
    in_sample = 1.0 / (1.0 + np.exp(-(x @ weights + bias)))
    oob = np.where(oob_count > 0, oob_sum / np.maximum(oob_count, 1), in_sample)
    return weights, bias, oob


def fit_listwise(groups: Sequence[tuple[np.ndarray, np.ndarray]], l2: float = L2 * 0.1, iterations: int = 400,
                 rate: float = 0.5) -> np.ndarray:
    """Ranking weights that maximise the softmax likelihood of the right sentences among each question's candidates.

    `groups` holds, per question, the candidates' feature matrix and a 0/1 vector
    of which candidates answer it. Full-batch gradient ascent from zero: deterministic.
    """
    d = groups[0][0].shape[1]
    w = np.zeros(d)
    for _ in range(iterations):
        gradient = -l2 * w
        for x, y in groups:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            target = y / y.sum()
            gradient += x.T @ (target - p)
        w += rate * gradient / len(groups)
    return w


def choose_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The highest cut that still answers ANSWERED_TARGET of the answerable questions.

    Declining an answerable question helps nobody, and an answer comes with its
    verbatim quote to judge it by; within that bound, as many unanswerable
    questions as possible are declined.
    """
    positives = max(1.0, float(y.sum()))
    best = 0.1
    for cut in np.round(np.arange(0.1, 0.91, 0.01), 2):
        if float(((p >= cut) & (y == 1)).sum()) / positives >= ANSWERED_TARGET:
            best = float(cut)
    return best


def collect(corpora: Sequence[tuple[Path, Sequence[Path]]], default_source: str,
            latent_terms: bool = False) -> dict[str, list]:
    """Candidate features (for the ranker) and best-passage features (for the gate), with labels.

    Each corpus (a seeds folder and the question files about it) is indexed on
    its own, as a team with those articles would index them. The ranker is
    fitted first on every candidate sentence of every corpus; the gate's
    examples are then retrieved with rankers that never saw their question.
    """
    from knowledge.base import build_knowledge_base
    from knowledge.settings import KnowledgeSettings

    data: dict[str, list] = {"rank_x": [], "rank_y": [], "gate_x": [], "gate_y": [], "gate_hit": []}
    with contextlib.ExitStack() as stack:
        # (retriever, row, prepared question, source, hit test) per question, across corpora.
        questions: list[tuple[Any, dict, Any, str, Any]] = []
        groups: list[tuple[np.ndarray, np.ndarray]] = []
        owner: list[int] = []  # the question each group belongs to
        for seeds, files in corpora:
            index = stack.enter_context(tempfile.TemporaryDirectory())
            kb = build_knowledge_base(KnowledgeSettings(seeds_dir=seeds, chroma_path=Path(index), latent_terms=latent_terms))
            retriever = kb.retriever

            def is_hit(row: dict, sentence, source: str, kb=kb) -> bool:
                quote = Quote(text=sentence.text, source=sentence.source, start=sentence.start, end=sentence.end, paragraph=0)
                return bool(row.get("in_scope", True)) and sentence.source == source and quote_hits(
                    quote, row.get("gold", []), kb.source_text(source) or "")

            for path in files:
                for row in load_questions(path):
                    question = retriever.prepare(row["question"])
                    if question.intent != "ask":
                        continue
                    source = row.get("source") or default_source
                    questions.append((retriever, row, question, source, is_hit))
                    if not row.get("in_scope", True):
                        continue
                    passages = retriever.search(question, k=1000, join=False)  # every candidate as it was ranked
                    x = np.array([[p.features.get(k, 0.0) for k in RANK_FEATURES] for p in passages], dtype=np.float64)
                    y = np.array([int(is_hit(row, p.sentence, source)) for p in passages], dtype=np.float64)
                    data["rank_y"].extend(y.tolist())
                    if len(passages) > 1 and y.sum() > 0:
                        groups.append((x, y))
                        owner.append(len(questions) - 1)
        rank_w = fit_listwise(groups)
        final = GateParams(weights={}, bias=0.0, rank=dict(zip(RANK_FEATURES, map(float, rank_w))), rank_bias=0.0)
        data["rank"] = [final]
        # The gate learns from passages ranked by a ranker that never saw the question (cross-fitting):
        # ranked by the final ranker, training questions would look surer than any new one will.
        for fold in range(FOLDS):
            kept = [g for g, i in zip(groups, owner) if i % FOLDS != fold]
            w = fit_listwise(kept)
            ranking = GateParams(weights={}, bias=0.0, rank=dict(zip(RANK_FEATURES, map(float, w))), rank_bias=0.0)
            for i, (retriever, row, question, source, is_hit) in enumerate(questions):
                if i % FOLDS != fold:
                    continue
                retriever.ranking = ranking
                passages = retriever.search(question, k=3)
                if passages:
                    data["gate_x"].append(features(question, passages[0]))
                    data["gate_y"].append(int(bool(row.get("in_scope", True))))
                    data["gate_hit"].append(int(is_hit(row, passages[0].sentence, source)))
        for retriever, *_ in questions:
            retriever.ranking = final
    return data


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge.gate_fit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, help="labelled question files (JSONL) about --seeds")
    parser.add_argument("--seeds", type=Path, help="folder with every article the files ask about")
    parser.add_argument("--corpus", nargs="+", action="append", default=[], metavar=("SEEDS", "FILE"),
                        help="another corpus: a seeds folder, then the question files about it (repeatable)")
    parser.add_argument("--default-source", default="lg-ai-strategy-exaone-deep.md",
                        help="the article of rows without a 'source' field")
    parser.add_argument("--latent-terms", action="store_true",
                        help="rank with latent terms too (writes gate_params_latent.json unless --out)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    args.out = args.out or params_file(args.latent_terms)
    corpora = ([(args.seeds, args.files)] if args.seeds else []) + [(Path(c[0]), [Path(f) for f in c[1:]]) for c in args.corpus]
    if (args.files and not args.seeds) or not corpora or any(not files for _, files in corpora):
        parser.error("give --seeds with question files, or --corpus SEEDS FILE [FILE ...]")
    data = collect(corpora, args.default_source, args.latent_terms)
    rows, labels, ranking = data["gate_x"], data["gate_y"], data["rank"][0]
    if not rows or len(set(labels)) < 2:
        print("need questions of both kinds (answerable with the right passage, and not)", file=sys.stderr)
        return 2
    x = np.array([[r[k] for k in FEATURES] for r in rows], dtype=np.float64)
    y = np.array(labels, dtype=np.float64)
    weights, bias, oob = fit_bagged(x, y)
    # The cut is chosen on out-of-bag probabilities: in-sample ones are too sure of the training questions.
    answer_at = choose_threshold(oob, y)
    p = oob
    params = GateParams(
        weights={k: float(w) for k, w in zip(FEATURES, weights)},
        bias=bias,
        answer_at=answer_at,
        uncertain_at=round(max(0.05, answer_at - UNCERTAIN_GAP), 2),
        rank=ranking.rank,
        rank_bias=ranking.rank_bias,
        meta={"fitted_on": [f.name for _, files in corpora for f in files],
              "seeds": sorted({p.name for seeds, _ in corpora for p in seeds.glob("*.md")}),
              "questions": len(labels), "positives": int(y.sum()), "candidates": len(data["rank_y"]),
              "l2": L2, "answered_target": ANSWERED_TARGET, "latent_terms": args.latent_terms},
    )
    args.out.write_text(params.to_json(), encoding="utf-8")
    answered = p >= answer_at
    print(f"fitted on {len(labels)} questions ({int(y.sum())} answerable), {len(data['rank_y'])} candidates -> {args.out}")
    print(f"threshold {answer_at:.2f} (out of bag): answerable answered {int((answered & (y == 1)).sum())}/{int(y.sum())}, "
          f"unanswerable declined {int((~answered & (y == 0)).sum())}/{int((1 - y).sum())}")
    print("gate:", json.dumps({k: round(v, 3) for k, v in params.weights.items()} | {"bias": round(bias, 3)}))
    print("rank:", json.dumps({k: round(v, 3) for k, v in params.rank.items()} | {"bias": round(params.rank_bias, 3)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
