"""Helpers for bot tests: a fake answerer and an in-process recording WebClient."""
from __future__ import annotations

import threading
import time
from typing import Any, Iterator, Sequence

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from knowledge.models import Answer, Quote, Turn


def fake_answer(question: str, history: Sequence[Turn] = ()) -> Answer:
    """Deterministic answer that echoes the question and the number of earlier turns."""
    found = "unknown" not in question
    quote = Quote(text="LG는 엑사원 딥을 공개했다. <!channel>", source="lg.md", start=0, end=10, paragraph=2,
                  title="LG의 AI 전략", outlet="청년일보", byline="이창현 기자")
    return Answer(
        question=question,
        text=f"Answer to: {question} (history={len(history)})" if found else "The article does not say.",
        found=found,
        quotes=(quote,),
        language="en",
        closest_only=not found,
        meta={"history": [t.question for t in history]},
    )


class RecordingClient(WebClient):
    """A WebClient that records calls instead of making them; `fail` makes a method return ok:false."""

    def __init__(self, **kwargs: Any):
        super().__init__(token="xoxb-test", **kwargs)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.replies: dict[str, list[dict[str, Any]]] = {}
        self.failures: dict[str, str] = {}
        self._cond = threading.Condition()

    def api_call(self, api_method: str, *, http_verb: str = "POST", files=None, data=None, params=None, json=None, headers=None, auth=None) -> SlackResponse:  # type: ignore[override]
        args = {**(params or {}), **(data or {}), **(json or {})}
        with self._cond:
            self.calls.append((api_method, args))
            self._cond.notify_all()
        if api_method in self.failures:
            body: dict[str, Any] = {"ok": False, "error": self.failures[api_method]}
        elif api_method == "auth.test":
            body = {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "user": "bot", "team": "t"}
        elif api_method == "conversations.replies":
            body = {"ok": True, "messages": self.replies.get(args.get("ts", ""), [])}
        elif api_method in ("chat.postMessage", "chat.startStream"):
            body = {"ok": True, "ts": f"{time.time():.6f}", "channel": args.get("channel")}
        else:
            body = {"ok": True}
        return SlackResponse(client=self, http_verb=http_verb, api_url=api_method, req_args=args, data=body,
                             headers={}, status_code=200).validate()

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._cond:
            return [args for name, args in self.calls if name == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len([1 for name, _ in self.calls if name == method]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{method} called fewer than {count} times: {[n for n, _ in self.calls]}")
                self._cond.wait(left)
        return self.calls_to(method)


# ------------------------------------------------------------------ the bot as a subprocess

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def procfile_command(kind: str, port: int | None = None) -> list[str]:
    """The Procfile's `worker:` (or documented, commented `web:`) line as argv, exactly as a PaaS runs it."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        m = re.match(rf"^#?\s*{kind}:\s*(.+)$", line.strip())
        if m:
            command = m.group(1).replace("$PORT", str(port or 0))
            argv = shlex.split(command)
            # Use the virtualenv's interpreter / scripts, as the platform's PATH would.
            if argv[0] == "python":
                argv[0] = sys.executable
            elif (Path(sys.executable).parent / argv[0]).exists():
                argv[0] = str(Path(sys.executable).parent / argv[0])
            return argv
    raise AssertionError(f"no {kind}: line in Procfile")


def bot_env(fake_base_url: str, chroma_path: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "OPENAI_", "LLM_")) and k not in ("DATABASE_URL", "LOG_QUESTIONS", "REPORT_ADMINS")}
    env.update({
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_APP_TOKEN": "xapp-test",
        "SLACK_API_BASE_URL": fake_base_url,
        "CHROMA_PATH": chroma_path,
        # question outcomes next to the index, never in the repository's folder
        "OUTCOMES_PATH": str(Path(chroma_path).parent / "outcomes.sqlite3"),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return {k: v for k, v in env.items() if v != ""}


class BotProcess:
    """`python -m bot` (or gunicorn) in a subprocess; output goes to a file tests can read."""

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path):
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def terminate(self, timeout: float = 20.0) -> int:
        """SIGTERM and wait; returns the exit code (kills the group only if it hangs)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
            raise AssertionError("bot did not exit within %.0fs of SIGTERM\n%s" % (timeout, self.output()[-3000:]))
        finally:
            self._log.close()


def start_worker(fake: Any, env: dict[str, str], log_path: Path, timeout: float = 120) -> "BotProcess":
    """The Procfile's worker line against `fake`, connected; if it never connects, stopped, with its log in the error."""
    process = BotProcess(procfile_command("worker"), env, log_path)
    try:
        fake.wait_for_connection(timeout=timeout)
    except AssertionError:
        process.terminate()
        raise AssertionError("bot did not connect:\n" + process.output()[-4000:]) from None
    return process


def run_worker(fake: Any, tmp: Path, **extra: str) -> "Iterator[BotProcess]":
    """A module fixture's worker: its own index under `tmp`, started, handed out, then stopped (it must exit 0)."""
    process = start_worker(fake, bot_env(fake.base_url, str(tmp / "chroma"), **extra), tmp / "bot.log")
    yield process
    assert process.terminate() == 0, process.output()[-3000:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02, message: str = "condition") -> None:
    """Poll a cheap predicate (for things the fake cannot signal, e.g. an HTTP port opening)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")


# ------------------------------------------------------------------ a real Redis server


class RedisServer:
    """Debian's `redis-server` on 127.0.0.1 and a free port, no persistence; stop() / start() simulate outages."""

    def __init__(self, workdir: Path, port: int | None = None):
        import shutil

        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise FileNotFoundError("redis-server")
        self.workdir = workdir
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 10.0) -> "RedisServer":
        argv = [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
                "--dir", str(self.workdir), "--protected-mode", "yes", "--loglevel", "warning"]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

        def up() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"redis-server exited with {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_until(up, timeout=timeout, message=f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def flush(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(b"FLUSHALL\r\n")
            s.recv(16)
