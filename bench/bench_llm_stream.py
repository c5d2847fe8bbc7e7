"""LLM streaming benchmark: time to the first streamed text vs the whole answer, at the chain level.

A local OpenAI-compatible server (tests/fakes/fake_openai.py, 127.0.0.1 only)
emits the model's JSON reply in 4-character tokens with a fixed delay between
them, streamed as SSE or, for comparison, as one body after the same total
time (a server that cannot stream). `AnswerChain.stream` runs against the real
knowledge base over the project's seeds (a temporary Chroma). Figures are
medians over several runs.

    python bench/bench_llm_stream.py [--runs 5] [--delay 0.03] [--json]
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.base import build_knowledge_base  # noqa: E402
from knowledge.chain import build_chain  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402
from tests.fakes.fake_openai import FakeOpenAI  # noqa: E402

QUESTION = "엑사원 딥은 수능 수학에서 몇 점을 받았나?"
ANSWER = "엑사원 딥은 2025학년도 수능 수학영역에서 94.5점을 기록했습니다. 경량 모델과 온디바이스 모델도 함께 공개됐습니다."


def _sid(server: FakeOpenAI, needle: str) -> str:
    for line in server.prompt_text(-1).splitlines():
        if needle in line:
            return re.search(r"(S\d+)", line).group(1)
    raise SystemExit(f"{needle!r} was not retrieved")


def run(mode: str, runs: int, delay: float, kb) -> dict[str, float]:
    firsts, totals, tokens = [], [], 0
    with FakeOpenAI(stream_mode=mode) as server:
        settings = kb.settings.with_(llm_model="openai:bench-model", llm_base_url=server.base_url,
                                     llm_api_key="bench", llm_timeout=30.0)
        chain = build_chain(settings, kb=kb)
        server.push(json.dumps({"answer": "x", "found": False, "citations": []}))
        chain.ask(QUESTION)
        reply = json.dumps({"answer": ANSWER, "found": True, "citations": [_sid(server, "94.5점")]}, ensure_ascii=False)
        pieces = [reply[i : i + 4] for i in range(0, len(reply), 4)]
        tokens = len(pieces)
        for _ in range(runs + 1):  # the first run warms the client up and is dropped
            server.push(("tokens", pieces, delay), ("tokens", pieces, delay))
            started = time.monotonic()
            first = None
            for item in chain.stream(QUESTION):
                if isinstance(item, str) and first is None:
                    first = time.monotonic() - started
                elif not isinstance(item, str):
                    assert item.found and item.fallback_reason is None, item
            total = time.monotonic() - started
            firsts.append(first if first is not None else total)
            totals.append(total)
    firsts, totals = firsts[1:], totals[1:]
    return {"mode": mode, "tokens": tokens, "delay_s": delay, "first_text_s": statistics.median(firsts),
            "total_s": statistics.median(totals), "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--delay", type=float, default=0.03, help="seconds between two tokens")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as chroma:
        kb = build_knowledge_base(KnowledgeSettings().with_(chroma_path=Path(chroma)))
        results = [run(mode, args.runs, args.delay, kb) for mode in ("sse", "json")]
    if args.json:
        print(json.dumps(results))
        return
    for r in results:
        print(f"{r['mode']:>4}: {r['tokens']} tokens x {r['delay_s'] * 1000:.0f} ms; first text "
              f"{r['first_text_s'] * 1000:.0f} ms, whole answer {r['total_s'] * 1000:.0f} ms (median of {r['runs']})")


if __name__ == "__main__":
    main()
