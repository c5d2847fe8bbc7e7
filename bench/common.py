"""Shared helpers of the knowledge benchmarks: stats, child processes, temp Chroma, tables.

Nothing here touches the network beyond 127.0.0.1.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "bench" / "results"
DEV_QUESTIONS = ROOT / "tests" / "data" / "qa_dev.jsonl"
RESULT_MARKER = "BENCH_RESULT "
CHROMA_BIN = Path(sys.executable).with_name("chroma")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# -- statistics -----------------------------------------------------------------
def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty sample."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summary(values: Sequence[float]) -> dict[str, float]:
    """median / p95 / min / max / n of a sample (same unit as the input)."""
    if not values:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "min": float("nan"), "max": float("nan")}
    return {
        "n": len(values),
        "p50": statistics.median(values),
        "p95": pct(values, 0.95),
        "min": min(values),
        "max": max(values),
    }


def fmt_summary(s: dict[str, float], unit: str = "s", digits: int = 2) -> str:
    """`median (min..max)` for run-level figures."""
    return f"{s['p50']:.{digits}f} {unit} (min {s['min']:.{digits}f}, max {s['max']:.{digits}f}, n={s['n']})"


# -- process facts ----------------------------------------------------------------
def proc_status(pid: int | str = "self") -> dict[str, float]:
    """VmRSS and VmHWM (peak RSS) in MB from /proc/<pid>/status."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            out[key] = int(rest.split()[0]) / 1024
    return out


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def emit(result: dict[str, Any]) -> None:
    """Print a child's result as one marked JSON line on stdout."""
    print(RESULT_MARKER + json.dumps(result, ensure_ascii=False), flush=True)


def load_questions(path: Path = DEV_QUESTIONS) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# -- child processes ------------------------------------------------------------------
def child_env(**extra: str) -> dict[str, str]:
    """The current environment, quiet logging, the project on the path, plus `extra`."""
    env = dict(os.environ)
    env.setdefault("LOG_LEVEL", "WARNING")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["ANONYMIZED_TELEMETRY"] = "False"
    for key in ("LLM_MODEL", "LLM_BASE_URL", "CHROMA_HOST"):
        env.pop(key, None)  # the offline, embedded defaults unless a benchmark says otherwise
    env.update(extra)
    return env


def run_child(
    argv: Sequence[str],
    env: dict[str, str],
    *,
    ready_marker: str | None = None,
    timeout: float = 600.0,
) -> dict[str, Any]:
    """Run a child; return wall seconds to exit (and to `ready_marker`), stdout and its marked result."""
    # stderr goes to a file: a chatty child must never block on a full pipe.
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True, encoding="utf-8")
        ready_at: float | None = None
        lines: list[str] = []
        assert proc.stdout is not None
        for line in proc.stdout:
            if ready_marker and ready_at is None and line.startswith(ready_marker):
                ready_at = time.perf_counter() - started
            lines.append(line)
        try:
            proc.wait(timeout=timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
        wall = time.perf_counter() - started
        err.seek(0)
        stderr = err.read()[-20000:]
    if proc.returncode != 0:
        raise RuntimeError(f"child {argv!r} failed ({proc.returncode}):\n{''.join(lines)}\n{stderr}")
    result: dict[str, Any] = {}
    for line in lines:
        if line.startswith(RESULT_MARKER):
            result = json.loads(line[len(RESULT_MARKER) :])
    return {"wall": wall, "ready": ready_at, "stdout": "".join(lines), "stderr": stderr, "result": result}


@contextlib.contextmanager
def temp_dir(prefix: str = "bench-chroma-") -> Iterator[Path]:
    """A temporary folder, removed afterwards whatever happens."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# -- Chroma server -----------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChromaServer:
    """`chroma run` on 127.0.0.1 with a temp data folder; a context manager that always stops it."""

    def __init__(self, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self._dir: contextlib.ExitStack = contextlib.ExitStack()
        self.path: Path | None = None
        self.started_in: float = 0.0

    def __enter__(self) -> "ChromaServer":
        self.path = self._dir.enter_context(temp_dir("bench-chroma-server-"))
        started = time.perf_counter()
        self._log = open(self.path.parent / f"{self.path.name}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(CHROMA_BIN), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=child_env(),
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{self.port}/api/v2/heartbeat"
        deadline = time.monotonic() + self.timeout
        while True:
            if self.proc.poll() is not None:
                self.__exit__(None, None, None)
                raise RuntimeError(f"chroma run exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=1.0) as resp:  # noqa: S310 (127.0.0.1 only)
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise TimeoutError(f"chroma run did not answer {url} within {self.timeout}s")
            time.sleep(0.1)
        self.started_in = time.perf_counter() - started
        return self

    def rss(self) -> dict[str, float]:
        try:
            return proc_status(self.proc.pid) if self.proc else {}
        except OSError:
            return {}

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            Path(self._log.name).unlink(missing_ok=True)
        self._dir.close()


# -- output ----------------------------------------------------------------------------
def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain fixed-width table."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = "  ".join("-" * w for w in widths)
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            print(line)


def write_results(name: str, data: dict[str, Any]) -> Path:
    """Save results as JSON under bench/results/ (gitignored)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path


def finish(name: str, res: dict[str, Any], started: float, report: Callable[[dict[str, Any]], None], as_json: bool) -> int:
    """The common end of a bench run: load after, elapsed time, the report, optional JSON."""
    res["load_after"] = load_average()
    res["elapsed_s"] = time.perf_counter() - started
    report(res)
    print(f"total bench time {res['elapsed_s']:.0f} s")
    if as_json:
        print(f"results written to {write_results(name, res)}")
    return 0
