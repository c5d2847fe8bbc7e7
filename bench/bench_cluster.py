"""Load and soak for the scaled deployment (not run by pytest).

Real parts only: N workers started as the Procfile starts them (the real
offline chain, what users run), one `chroma run` server, one Redis
(Debian's redis-server), one fake Slack on 127.0.0.1.

* load: QUESTIONS @mentions at RATE per second, spread over the workers'
  sockets like Slack does, with duplicate storms (the same event_id to every
  worker at once) and retry storms (retry_attempt=1 to another worker a
  second later) mixed in. Reports ack p95, answer p95 (push -> answer posted),
  lost and duplicated answers; run with 1 and with 2 workers to see the scaling.
* soak: one worker, SOAK questions (at most 8 in flight), RSS after question
  500 and after the last one.

    python bench/bench_cluster.py [--runs 3] [--workers 1,2] [--questions 1000] [--rate 10] [--soak 5000]
"""
from __future__ import annotations

import argparse
import heapq
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.bot_fixtures import BotProcess, RedisServer, bot_env, free_port, procfile_command, wait_until  # noqa: E402
from tests.fakes.fake_slack import FakeSlack  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else float("nan")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def question_pool() -> list[str]:
    pool = []
    for name in ("qa_dev.jsonl", "qa_extra.jsonl", "qa_holdout.jsonl", "qa_holdout2.jsonl", "qa_holdout3.jsonl"):
        path = ROOT / "tests" / "data" / name
        if path.exists():
            pool += [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]
    return pool or ["LG의 AI 전략은 무엇인가요?", "What is EXAONE Deep?"]


@contextmanager
def chroma_server(tmp: Path) -> Iterator[int]:
    cli = Path(sys.executable).with_name("chroma")
    port = free_port()
    proc = subprocess.Popen([str(cli) if cli.exists() else (shutil.which("chroma") or "chroma"), "run", "--path",
                             str(tmp / "chroma-server"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                return True
        except OSError:
            return proc.poll() is None and False

    try:
        wait_until(ready, timeout=60, message="chroma run")
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def cluster(n: int) -> Iterator[tuple[FakeSlack, list[tuple[BotProcess, int]]]]:
    with tempfile.TemporaryDirectory() as tmp_name, FakeSlack() as fake:
        tmp = Path(tmp_name)
        redis = RedisServer(tmp).start()
        try:
            with chroma_server(tmp) as chroma_port:
                workers: list[tuple[BotProcess, int]] = []
                try:
                    for i in range(n):  # one after the other: the first one indexes into the server
                        before = set(fake.connection_ids())
                        env = bot_env(fake.base_url, str(tmp / f"unused-{i}"), REDIS_URL=redis.url,
                                      CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(chroma_port), LOG_LEVEL="WARNING")
                        process = BotProcess(procfile_command("worker"), env, tmp / f"worker{i}.log")
                        workers.append((process, -1))
                        wait_until(lambda: set(fake.connection_ids()) - before, timeout=180, message=f"worker {i}")
                        (conn,) = set(fake.connection_ids()) - before
                        workers[-1] = (process, conn)
                    yield fake, workers
                finally:
                    for process, _ in workers:
                        code = process.terminate(timeout=30)
                        if code != 0:
                            print(f"worker exited {code}:\n{process.output()[-2000:]}", file=sys.stderr)
        finally:
            redis.stop()


def load_run(n_workers: int, questions: int, rate: float, dup: float, retry: float, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    pool = question_pool()
    with cluster(n_workers) as (fake, workers):
        conns = [conn for _, conn in workers]
        # warm-up (Bolt's first request, model pages): not measured
        for i, conn in enumerate(conns * 3):
            ch = f"CWARM{i}"
            fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": f"<@UBOT> {pool[i % len(pool)]}"}, to=conn)
            fake.wait_for_call("chat.postMessage", lambda c, ch=ch: c.params.get("channel") == ch and c.status == 200, timeout=60)
        asked: list[tuple[str, str, float]] = []  # channel, ts, pushed at
        envelopes: list[str] = []
        extra = {"dup": 0, "retry": 0}
        plan: list[tuple[float, int, dict[str, Any]]] = []
        start = time.monotonic() + 0.5
        for i in range(questions):
            heapq.heappush(plan, (start + i / rate, i, {"kind": "ask", "i": i}))
        seq = questions
        while plan:
            at, _, step = heapq.heappop(plan)
            delay = at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if step["kind"] == "ask":
                i = step["i"]
                ch = f"CLOAD{i // 100:03d}"
                ts = f"{1_900_000_000 + i}.000100"
                event = {"type": "app_mention", "channel": ch, "user": "U1", "ts": ts,
                         "text": f"<@UBOT> {pool[i % len(pool)]}"}
                event_id = f"EvLOAD{i:06d}"
                target = conns[i % len(conns)]
                pushed = time.monotonic()
                envelopes.append(fake.push_event(event, event_id=event_id, to=target))
                asked.append((ch, ts, pushed))
                if rng.random() < dup:  # a duplicate storm: the same event to every worker at once
                    extra["dup"] += len(conns)
                    for conn in conns:
                        envelopes.append(fake.push_event(event, event_id=event_id, to=conn))
                if rng.random() < retry:  # Slack's retry, to another worker, a second later
                    extra["retry"] += 1
                    other = conns[(i + 1) % len(conns)]
                    seq += 1
                    heapq.heappush(plan, (time.monotonic() + 1.0, seq, {"kind": "retry", "event": event,
                                                                        "event_id": event_id, "to": other}))
            else:
                envelopes.append(fake.push_event(step["event"], event_id=step["event_id"], to=step["to"],
                                                 retry_attempt=1, retry_reason="timeout"))
        push_seconds = time.monotonic() - start
        acks = [fake.wait_for_ack(e, timeout=60).latency for e in envelopes]
        wanted = {(ch, ts) for ch, ts, _ in asked}

        def all_answered() -> bool:
            done = {(c.params.get("channel"), c.params.get("thread_ts")) for c in fake.calls_to("chat.postMessage")
                    if c.status == 200}
            return wanted <= done

        try:
            wait_until(all_answered, timeout=180, interval=0.5, message="every question answered")
        except AssertionError:
            pass
        time.sleep(3.0)  # late duplicates would show up now
        first_post: dict[tuple[str, str], float] = {}
        for c in fake.calls_to("chat.postMessage"):
            key = (c.params.get("channel"), c.params.get("thread_ts"))
            if c.status == 200 and key in wanted and key not in first_post:
                first_post[key] = c.time
        latencies = [first_post[(ch, ts)] - pushed for ch, ts, pushed in asked if (ch, ts) in first_post]
        counts = {key: 0 for key in wanted}
        for ch in {ch for ch, _ in wanted}:
            for m in fake.messages(ch):
                key = (ch, m.get("thread_ts"))
                if m.get("bot_id") and key in counts:
                    counts[key] += 1
        return {
            "questions": float(questions),
            "push seconds": push_seconds,
            "duplicate envelopes": float(extra["dup"]),
            "retry envelopes": float(extra["retry"]),
            "ack p95 (ms)": pct(acks, 0.95) * 1000,
            "ack max (ms)": max(acks) * 1000,
            "answer p50 (ms)": pct(latencies, 0.5) * 1000,
            "answer p95 (ms)": pct(latencies, 0.95) * 1000,
            "lost": float(sum(1 for v in counts.values() if v == 0)),
            "duplicated": float(sum(1 for v in counts.values() if v > 1)),
            "RSS per worker (MB)": statistics.mean(rss_mb(p.pid) for p, _ in workers),
        }


def soak_run(questions: int, window: int = 8) -> dict[str, float]:
    pool = question_pool()
    out: dict[str, float] = {}
    with cluster(1) as (fake, [(worker, conn)]):
        inflight: list[tuple[str, str]] = []
        done = 0

        def answered(key: tuple[str, str]) -> bool:
            return any(m.get("bot_id") and m.get("thread_ts") == key[1] for m in fake.messages(key[0]))

        started = time.monotonic()
        for i in range(questions):
            ch, ts = f"CSOAK{i // 200:03d}", f"{1_950_000_000 + i}.000100"
            fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "ts": ts,
                             "text": f"<@UBOT> {pool[i % len(pool)]}"}, event_id=f"EvSOAK{i:06d}", to=conn)
            inflight.append((ch, ts))
            while len(inflight) >= window or (i == questions - 1 and inflight):
                fake.wait_for_call("chat.postMessage", lambda c, k=inflight[0]: c.params.get("channel") == k[0]
                                   and c.params.get("thread_ts") == k[1] and c.status == 200, timeout=60)
                inflight.pop(0)
                done += 1
                if done in (500, 1000, 2500, questions):
                    out[f"RSS @{done} (MB)"] = rss_mb(worker.pid)
        out["soak seconds"] = time.monotonic() - started
        out["RSS growth 500->end (MB)"] = out[f"RSS @{questions} (MB)"] - out["RSS @500 (MB)"]
        out["answered"] = float(sum(1 for c in fake.calls_to("chat.postMessage") if c.status == 200
                                    and str(c.params.get("channel", "")).startswith("CSOAK")))
    return out


def show(title: str, runs: list[dict[str, float]]) -> None:
    print(f"\n{title}  ({len(runs)} run(s); median, then each run)")
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"  {key:28} {statistics.median(values):>10.1f}   " + " ".join(f"{v:.1f}" for v in values))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", default="1,2", help="worker counts to load-test, e.g. 1,2")
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--dup", type=float, default=0.1, help="share of questions followed by a duplicate storm")
    parser.add_argument("--retry", type=float, default=0.1, help="share of questions retried to another worker")
    parser.add_argument("--soak", type=int, default=5000, help="questions for the one-worker soak (0: skip)")
    args = parser.parse_args()
    for n in [int(x) for x in args.workers.split(",") if x]:
        runs = []
        for r in range(args.runs):
            t = time.monotonic()
            runs.append(load_run(n, args.questions, args.rate, args.dup, args.retry, seed=r))
            print(f"load, {n} worker(s), run {r + 1}/{args.runs}: {time.monotonic() - t:.0f}s", file=sys.stderr)
        show(f"LOAD: {n} worker(s), {args.questions} questions at {args.rate:g}/s (targets: ack p95 <= 50 ms, "
             "answer p95 <= 500 ms, 0 lost, 0 duplicated)", runs)
    if args.soak:
        t = time.monotonic()
        soak = soak_run(args.soak)
        print(f"soak: {time.monotonic() - t:.0f}s", file=sys.stderr)
        show(f"SOAK: 1 worker, {args.soak} questions (target: RSS growth 500->end within 5 MB)", [soak])
    print(f"\nload average: {Path('/proc/loadavg').read_text().split()[:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
