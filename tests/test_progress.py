"""Progress: a tqdm bar on a terminal, a bounded number of log lines otherwise."""
from __future__ import annotations

import io
import logging

from knowledge.progress import Progress, track


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_log_lines_when_not_a_terminal(caplog) -> None:
    caplog.set_level(logging.INFO, logger="knowledge.progress")
    stream = io.StringIO()
    with Progress(1000, "embedding", unit="sentences", stream=stream) as progress:
        for _ in range(1000):
            progress.update()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 11  # "to do", then one per tenth
    assert lines[0] == "embedding: 1000 sentences to do" and lines[-1].startswith("embedding: 1000/1000 sentences (100%")
    assert stream.getvalue() == ""  # no bar characters in a log


def test_a_bar_on_a_terminal_and_nothing_for_no_work(caplog) -> None:
    caplog.set_level(logging.INFO, logger="knowledge.progress")
    terminal = Terminal()
    items = track(range(50), "questions", unit="q", stream=terminal)
    assert len(items) == 50 and list(items) == list(range(50))
    assert "questions:" in terminal.getvalue() and "0/50 [" in terminal.getvalue()  # a bar (cleared at the end)
    assert not caplog.records
    with Progress(0, "nothing", stream=io.StringIO()) as progress:
        progress.update(3)
    assert not caplog.records
