"""Slack worker benchmark through the fake Slack (not run by pytest).

Starts `python -m bot` (the Procfile worker line, offline answerer) against
tests/fakes/fake_slack.py and measures, over several runs (a fresh worker
each), the medians of:

* slash-command ack latency p95;
* question pushed -> answer posted p50 / p95 (sequential @mentions);
* 50 questions pushed at once: all answered exactly once, max ack latency;
* worker RSS (VmRSS) after 100 and after 200 questions, and the growth between.

    python bench/bench_slack.py [--runs 3] [--samples 40]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.bot_fixtures import BotProcess, bot_env, procfile_command  # noqa: E402
from tests.fakes.fake_slack import FakeSlack  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def ask(fake: FakeSlack, ch: str, text: str, timeout: float = 30.0) -> float:
    """Push an @mention, wait for the answer in its thread; seconds from push to post."""
    started = time.monotonic()
    fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": f"<@UBOT> {text}"})
    question_ts = max(m["ts"] for m in fake.messages(ch) if not m.get("bot_id"))
    call = fake.wait_for_call(
        "chat.postMessage",
        lambda c: c.params.get("channel") == ch and c.params.get("thread_ts") == question_ts and c.status == 200,
        timeout=timeout,
    )
    return call.time - started


QUESTIONS = [
    "LG의 AI 전략은 무엇인가요?",
    "엑사원 딥은 어떤 모델인가요?",
    "What is EXAONE Deep?",
    "How does LG plan to use AI?",
    "엑사원 딥의 성능은 어떤가요?",
]


def one_run(samples: int, checkpoints: tuple[int, ...] = (100, 200, 300, 400)) -> dict[str, float]:
    out: dict[str, float] = {}
    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp:
        bot = BotProcess(procfile_command("worker"), bot_env(fake.base_url, f"{tmp}/chroma"), Path(tmp) / "bot.log")
        try:
            fake.wait_for_connection(timeout=180)
            asked = 0
            # warm-up (first request runs Bolt's lazy auth.test and warms the model)
            for q in QUESTIONS:
                ask(fake, "CWARM", q)
                asked += 1

            acks = []
            for i in range(samples):
                env = fake.push_slash_command(QUESTIONS[i % len(QUESTIONS)], channel_id="CSLASH")
                acks.append(fake.wait_for_ack(env).latency)
                fake.wait_for_call("response_url", count=i + 1, timeout=30)
                asked += 1
            out["slash ack p95 (ms)"] = pct(acks, 0.95) * 1000

            latencies = [ask(fake, "CSEQ", QUESTIONS[i % len(QUESTIONS)]) for i in range(samples)]
            asked += samples
            out["answer p50 (ms)"] = pct(latencies, 0.5) * 1000
            out["answer p95 (ms)"] = pct(latencies, 0.95) * 1000

            ch = "CBURST" + uuid.uuid4().hex[:4].upper()
            envs = [fake.push_event({"type": "app_mention", "channel": ch, "user": "U1",
                                     "text": f"<@UBOT> {QUESTIONS[i % len(QUESTIONS)]} #{i}"}) for i in range(50)]
            out["burst max ack (ms)"] = max(fake.wait_for_ack(e).latency for e in envs) * 1000
            fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch and c.status == 200,
                               count=50, timeout=120)
            questions = sorted(m["ts"] for m in fake.messages(ch) if not m.get("bot_id"))
            answered = sorted(c.params.get("thread_ts") for c in fake.calls_to("chat.postMessage")
                              if c.params.get("channel") == ch and c.status == 200)
            out["burst answered exactly once"] = float(answered == questions and len(questions) == 50)
            asked += 50

            # Unique questions in one channel, so no cache can hide growth; checkpoints
            # past 200 show whether RSS levels off.
            for checkpoint in checkpoints:
                while asked < checkpoint:
                    ask(fake, "CRSS", QUESTIONS[asked % len(QUESTIONS)] + f" {asked}")
                    asked += 1
                out[f"RSS @{checkpoint} (MB)"] = rss_mb(bot.pid)
            if 100 in checkpoints and 200 in checkpoints:
                out["RSS growth 100->200 (MB)"] = out["RSS @200 (MB)"] - out["RSS @100 (MB)"]
        finally:
            code = bot.terminate()
            out["exit code on SIGTERM"] = float(code)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--rss-checkpoints", default="100,200,300,400", help="question counts at which RSS is read")
    args = parser.parse_args()
    runs = []
    checkpoints = tuple(int(x) for x in args.rss_checkpoints.split(","))
    for i in range(args.runs):
        started = time.monotonic()
        runs.append(one_run(args.samples, checkpoints))
        print(f"run {i + 1}/{args.runs} done in {time.monotonic() - started:.1f}s", file=sys.stderr)
    targets = {
        "slash ack p95 (ms)": "<= 50",
        "answer p50 (ms)": "<= 150",
        "answer p95 (ms)": "<= 300",
        "burst max ack (ms)": "<= 1000",
        "burst answered exactly once": "1 (yes)",
        **{f"RSS @{c} (MB)": ("<= 250" if c == 200 else "") for c in checkpoints},
        **({"RSS growth 100->200 (MB)": "~0 (< 1)"} if {100, 200} <= set(checkpoints) else {}),
        "exit code on SIGTERM": "0",
    }
    print(f"{'metric':32} {'median':>10}  {'runs':32} target")
    for key, target in targets.items():
        values = [r[key] for r in runs]
        shown = " ".join(f"{v:.1f}" for v in values)
        print(f"{key:32} {statistics.median(values):>10.1f}  {shown:32} {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
