"""The question-outcomes store on a real SQLite file (and URL), and its report."""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.outcomes import (
    OutcomeSettings,
    OutcomeSettingsError,
    _sqlalchemy_url,
    format_report,
    make_outcome_store,
    question_key,
)

DAY = 86_400.0
T0 = 1_780_000_000.0  # 2026-05-28 ~20:26 UTC


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _record(question: str, outcome: str, answer_id: str, source: str | None = None, latency: float = 800.0,
            surface: str = "mention") -> dict:
    return {"question": question, "outcome": outcome, "source": source, "latency_ms": latency, "surface": surface,
            "user": "U1", "channel": "C1", "answer_id": answer_id}


def _store(tmp_path: Path, log_questions: bool = True, clock: Clock | None = None):
    store = make_outcome_store(str(tmp_path / "data" / "outcomes.sqlite3"), log_questions)
    store._clock = clock or Clock()
    return store


def test_report_counts_days_outcomes_feedback_and_unanswered_questions(tmp_path: Path) -> None:
    clock = Clock(T0 - 2 * DAY)
    store = _store(tmp_path, clock=clock)
    store.record(_record("엑사원 딥 점수는?", "answered", "a1", "lg.md", 500))
    store.record(_record("LG 주가는?", "declined", "a2"))
    clock.now = T0 - DAY
    store.record(_record("lg 주가는", "declined", "a3"))  # the same question, folded
    store.record(_record("LG 매출은?", "uncertain", "a4", "lg.md"))
    store.record(_record("hello", "notice", "a5", latency=5))
    clock.now = T0
    store.record(_record("LG 주가는??", "declined", "a6"))
    store.record(_record("엑사원 딥 구성은?", "answered", "a7", "lg.md", 1500))
    store.record(_record("boom", "failed", "a8", surface="command"))
    store.feedback("a1", "up", "U1")
    store.feedback("a1", "down", "U1")  # changed their mind: one vote
    store.feedback("a1", "up", "U2")
    store.feedback("a7", "up", "U3")
    report = store.report(days=3)

    assert report.total == 8
    assert report.since == "2026-05-26" and report.until == "2026-05-28"
    assert report.per_day == (("2026-05-26", 2), ("2026-05-27", 3), ("2026-05-28", 3))
    assert report.outcomes == {"answered": 2, "uncertain": 1, "declined": 3, "failed": 1, "notice": 1}
    assert report.decline_rate == pytest.approx(3 / 6)
    assert report.feedback == {"up": 2, "down": 1}
    assert report.unanswered == (("LG 주가는?", 3), ("LG 매출은?", 1))
    assert report.sources == (("lg.md", 3),)
    assert report.questions_kept is True
    assert report.surfaces == {"mention": 7, "command": 1}

    # a shorter period leaves the older days out
    assert store.report(days=1).per_day == (("2026-05-28", 3),)
    assert store.report(days=1).unanswered == (("LG 주가는??", 1),)

    text = format_report(report)
    assert "Questions 2026-05-26 .. 2026-05-28 (3 days, UTC): 8" in text
    assert "05-26 2  05-27 3  05-28 3" in text
    assert "declined:  50%" in text and "👍 2  👎 1" in text
    assert "3x  LG 주가는?" in text and "1x  LG 매출은?" in text


def test_no_question_text_is_kept_when_log_questions_is_false(tmp_path: Path) -> None:
    store = _store(tmp_path, log_questions=False)
    secret = "구 회장의 개인 연락처는 무엇인가요 SECRET-QUESTION"
    store.record(_record(secret, "declined", "a1"))
    store.record(_record(secret, "answered", "a2", "lg.md"))
    report = store.report(days=1)
    assert report.total == 2 and report.outcomes["declined"] == 1 and report.unanswered == ()
    assert "LOG_QUESTIONS=false" in format_report(report)
    store.close()
    db = tmp_path / "data" / "outcomes.sqlite3"
    rows = sqlite3.connect(db).execute("select question, question_key, outcome from lg_ai_questions").fetchall()
    assert rows == [(None, None, "declined"), (None, None, "answered")]
    assert b"SECRET-QUESTION" not in db.read_bytes()


def test_store_survives_a_restart_and_accepts_a_sqlalchemy_url(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    first = make_outcome_store(f"sqlite:///{path}", True)
    first.record(_record("LG 주가는?", "declined", "a1"))
    first.close()
    second = make_outcome_store(f"sqlite:///{path}", True)
    second.record(_record("LG 주가는?", "declined", "a2"))
    assert second.report(days=1).unanswered == (("LG 주가는?", 2),)


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path)
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for i in range(25):
                store.record(_record(f"q{worker}-{i}", "answered", f"a{worker}-{i}", "lg.md"))
                store.feedback(f"a{worker}-{i}", "up", f"U{worker}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    report = store.report(days=1)
    assert report.total == 200 and report.feedback == {"up": 200, "down": 0}


def test_bad_records_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with pytest.raises(ValueError, match="unknown outcome 'great'"):
        store.record(_record("q", "great", "a1"))
    with pytest.raises(ValueError, match="vote must be"):
        store.feedback("a1", "sideways", "U1")
    with pytest.raises(ValueError, match="days must be"):
        store.report(days=0)
    # odd but harmless values are kept as far as they make sense
    store.record({"outcome": "failed", "latency_ms": "n/a"})
    assert store.report(days=1).outcomes["failed"] == 1


def test_settings_from_env() -> None:
    s = OutcomeSettings.from_env({})
    assert (s.database_url, s.log_questions, s.report_admins) == ("outcomes.sqlite3", True, frozenset())
    s = OutcomeSettings.from_env({"OUTCOMES_PATH": "/var/lib/lg/o.db", "LOG_QUESTIONS": "false",
                                  "REPORT_ADMINS": "U1, U2 U3"})
    assert (s.database_url, s.log_questions, s.report_admins) == ("/var/lib/lg/o.db", False, frozenset({"U1", "U2", "U3"}))
    assert OutcomeSettings.from_env({"DATABASE_URL": "postgres://u:p@db/x", "OUTCOMES_PATH": "o.db"}).database_url == "postgres://u:p@db/x"
    with pytest.raises(OutcomeSettingsError, match="LOG_QUESTIONS"):
        OutcomeSettings.from_env({"LOG_QUESTIONS": "maybe"})
    assert _sqlalchemy_url("postgres://u:p@db/x").split("://")[0] in {"postgresql", "postgresql+psycopg"}
    assert _sqlalchemy_url("postgresql+psycopg2://u:p@db/x") == "postgresql+psycopg2://u:p@db/x"
    assert _sqlalchemy_url("sqlite:///x.db") == "sqlite:///x.db"


def test_question_key_folds_case_width_spaces_and_end_marks() -> None:
    assert question_key("  LG   주가는？？ ") == question_key("lg 주가는") == "lg 주가는"
    assert question_key("ＥＸＡＯＮＥ?") == "exaone"


# --------------------------------------------------------------------------- the `report` command


def test_report_command_prints_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from bot.cli import main

    db = tmp_path / "o.sqlite3"
    store = make_outcome_store(str(db), True)
    store.record(_record("LG 주가는?", "declined", "a1"))
    store.record(_record("엑사원 딥 점수는?", "answered", "a2", "lg.md"))
    store.close()
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("DATABASE_URL", "LOG_QUESTIONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OUTCOMES_PATH", str(db))
    assert main(["report", "--days", "2"]) == 0
    out = capsys.readouterr().out
    assert "(2 days, UTC): 2" in out and "1x  LG 주가는?" in out and "declined:  50%" in out
    assert main(["report", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 2 and data["unanswered"] == [{"question": "LG 주가는?", "count": 1}]


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["report", "--days", "0"], {}, "--days must be at least 1"),
        (["report"], {"OUTCOMES_PATH": "missing/o.sqlite3"}, "no outcomes recorded yet at missing/o.sqlite3"),
        (["report"], {"LOG_QUESTIONS": "perhaps"}, "LOG_QUESTIONS must be true or false"),
    ],
)
def test_report_command_usage_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys,
                                                  argv: list[str], env: dict[str, str], message: str) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "LOG_QUESTIONS", "OUTCOMES_PATH"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err


# --------------------------------------------------------------------------- what the Slack app uses


@pytest.mark.parametrize(
    ("text", "days"),
    [("report", 7), ("REPORT 30", 30), (" report 14d ", 14), ("report 0", 1), ("report 9999", None),
     ("report on LG sales", None), ("엑사원 딥 점수는?", None), ("", None)],
)
def test_report_days(text: str, days: int | None) -> None:
    from bot.outcomes import report_days

    assert report_days(text) == days


def test_report_is_for_admins_only_and_escaped(tmp_path: Path) -> None:
    from bot.outcomes import NOT_ADMIN, Outcomes

    outcomes = Outcomes(_store(tmp_path), admins={"UADMIN"})
    outcomes.on_outcome(_record("<!channel> ```x``` & 주가?", "declined", "a1"))
    outcomes.on_feedback("a1", "down", "U2")
    assert outcomes.report_for("U2", 7) == NOT_ADMIN
    text = outcomes.report_for("UADMIN", 7)
    assert text.startswith("```\n") and text.endswith("\n```") and text.count("```") == 2
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text and "&amp; 주가" in text
    assert "👍 0  👎 1" in text


# --------------------------------------------------------------------------- a real Postgres server


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A throwaway Postgres cluster on 127.0.0.1 and a free port (Debian's postgresql), as a driverless URL."""
    import os
    import shutil
    import socket
    import subprocess

    pytest.importorskip("psycopg", reason="the Postgres driver (pip install -e '.[postgres]')")
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not (initdb and pg_ctl):
        bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bindir:
            pytest.skip("no Postgres server binaries (apt-get install postgresql)")
        initdb, pg_ctl = str(bindir[-1] / "initdb"), str(bindir[-1] / "pg_ctl")
    import tempfile

    # Not under pytest's tmp folder: that is private to root, and Postgres refuses to run as root.
    data = Path(tempfile.mkdtemp(prefix="lg-ai-pg-")) / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser")
        as_user = ["runuser", "-u", "postgres", "--"]
        data.parent.chmod(0o777)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = lambda *argv: subprocess.run([*as_user, *argv], check=True, capture_output=True, timeout=120)  # noqa: E731
    run(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
    run(pg_ctl, "-D", str(data), "-w", "-t", "60", "-l", str(data.parent / "pg.log"), "-o",
        f"-p {port} -k {data.parent} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(data.parent, ignore_errors=True)


def test_postgres_through_database_url(postgres: str) -> None:
    clock = Clock()
    store = make_outcome_store(postgres, True)
    store._clock = clock
    store.record(_record("LG 주가는?", "declined", "p1"))
    store.record(_record("lg 주가는", "declined", "p2"))
    store.record(_record("엑사원 딥 점수는?", "answered", "p3", "lg.md", 900))
    store.feedback("p3", "up", "U1")
    store.feedback("p3", "down", "U1")
    report = store.report(days=1)
    store.close()
    assert report.total == 3 and report.outcomes["declined"] == 2
    assert report.unanswered == (("LG 주가는?", 2),) and report.feedback == {"up": 0, "down": 1}
    # a second process (here: a second store) sees the same rows
    again = make_outcome_store(postgres, False)
    again._clock = clock
    assert again.report(days=1).total == 3
    again.close()


def test_workers_starting_at_once_on_a_fresh_database(tmp_path: Path) -> None:
    url = str(tmp_path / "fresh.sqlite3")
    stores, errors = [], []

    def open_store() -> None:
        try:
            stores.append(make_outcome_store(url, True))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(stores) == 6
    stores[0].record(_record("q", "answered", "a1"))
    assert stores[-1].report(days=1).total == 1
