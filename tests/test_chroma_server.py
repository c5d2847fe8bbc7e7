"""The knowledge base against a real `chroma run` server on 127.0.0.1, started by the test."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.base import build_knowledge_base
from knowledge.chain import build_chain


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chroma_cli() -> str:
    candidate = Path(sys.executable).with_name("chroma")
    return str(candidate) if candidate.exists() else (shutil.which("chroma") or "chroma")


def _wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma run exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("chroma server did not become ready")


@pytest.fixture()
def chroma_server(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen]]:
    port = _free_port()
    proc = subprocess.Popen(
        [_chroma_cli(), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(port, proc)
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_index_and_answer_through_a_chroma_server(chroma_server, knowledge_settings, embeddings) -> None:
    port, proc = chroma_server
    settings = knowledge_settings.with_(chroma_host="127.0.0.1", chroma_port=port, collection="server_test")
    kb = build_knowledge_base(settings, embeddings=embeddings)
    total = sum(len(d.sentences) for d in kb.documents)
    assert kb.store.count() == total

    # A second worker sharing the server finds the index up to date.
    second = build_knowledge_base(settings, embeddings=embeddings)
    assert second.sync_report is None and second.store.count() == total

    chain = build_chain(settings, kb=second)
    answer = chain.ask("엑사원 딥은 수능 수학에서 몇 점을 받았나?")
    assert answer.found and "94.5" in answer.quotes[0].text
    assert "degraded" not in answer.meta

    # The server goes away: answers keep coming from the lexical side, and say so.
    proc.terminate()
    proc.wait(timeout=10)
    degraded = chain.ask("LG AI연구원은 언제 설립됐나요?")
    assert "2020" in degraded.quotes[0].text
    assert degraded.meta.get("degraded", "").startswith("vector store unavailable")
