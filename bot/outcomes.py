"""What people ask and what the articles lack: one row per question, a report per period.

Every question's outcome (answered / uncertain / declined / failed / notice),
the article it cited, its latency, its surface and the 👍/👎 it got go to a
small SQL store: a SQLite file by default, any SQLAlchemy URL (Postgres, ...)
through `DATABASE_URL`. With `LOG_QUESTIONS=false` the question text is never
written, only its outcome. `report(days)` counts questions per day, the
decline rate and the feedback, and lists the questions the articles most often
could not answer: what to add to `seeds/`.

SQLAlchemy is imported only when a store is made (about 12 MB of RSS), so
`--help`, the offline CLI and tests that do not record pay nothing for it.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import re
import statistics
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

OUTCOMES = ("answered", "uncertain", "declined", "failed", "notice")
# Outcomes in which the articles did not answer the question.
UNANSWERED = ("declined", "uncertain")
VOTES = ("up", "down")
SURFACES = ("command", "mention", "dm", "thread", "assistant", "cli")
DEFAULT_PATH = "outcomes.sqlite3"
MAX_QUESTION_CHARS = 500
_FALSE = {"0", "false", "no", "off"}


# Tries at creating the tables when several workers race on a fresh database.
CREATE_ATTEMPTS = 5

class OutcomeSettingsError(ValueError):
    """A malformed outcomes setting; the message says which and how to fix it."""


@dataclass(frozen=True)
class OutcomeSettings:
    """Where outcomes go and who may read the report; read once by the entry point."""

    # A SQLAlchemy URL, or a plain path meaning a SQLite file.
    database_url: str = DEFAULT_PATH
    log_questions: bool = True
    # Slack user ids allowed to run `/lg-ai report`.
    report_admins: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> OutcomeSettings:
        """DATABASE_URL (or OUTCOMES_PATH, a SQLite file), LOG_QUESTIONS, REPORT_ADMINS."""
        url = environ.get("DATABASE_URL", "").strip() or environ.get("OUTCOMES_PATH", "").strip() or DEFAULT_PATH
        raw = environ.get("LOG_QUESTIONS", "").strip().lower()
        if raw and raw not in _FALSE | {"1", "true", "yes", "on"}:
            raise OutcomeSettingsError(f"LOG_QUESTIONS must be true or false, got {raw!r}")
        admins = frozenset(u for u in re.split(r"[\s,]+", environ.get("REPORT_ADMINS", "")) if u)
        return cls(database_url=url, log_questions=raw not in _FALSE, report_admins=admins)


@dataclass(frozen=True)
class Report:
    """The figures of one period; `format_report` turns it into text."""

    days: int
    since: str  # first day, UTC, YYYY-MM-DD
    until: str  # last day (today)
    per_day: tuple[tuple[str, int], ...]
    outcomes: dict[str, int]
    total: int
    decline_rate: float | None  # declined / (answered + uncertain + declined)
    feedback: dict[str, int]
    unanswered: tuple[tuple[str, int], ...]  # most frequent questions the articles could not answer
    sources: tuple[tuple[str, int], ...]  # most cited articles
    latency_p50_ms: float | None
    questions_kept: bool
    surfaces: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "days": self.days, "since": self.since, "until": self.until,
            "per_day": dict(self.per_day), "outcomes": self.outcomes, "total": self.total,
            "decline_rate": self.decline_rate, "feedback": self.feedback,
            "unanswered": [{"question": q, "count": n} for q, n in self.unanswered],
            "sources": [{"source": s, "count": n} for s, n in self.sources],
            "latency_p50_ms": self.latency_p50_ms, "questions_kept": self.questions_kept,
            "surfaces": self.surfaces,
        }


def question_key(question: str) -> str:
    """The form under which repeats of a question are counted: case, width, spaces and end marks folded."""
    folded = " ".join(unicodedata.normalize("NFKC", question).casefold().split())
    return folded.rstrip(" ?？!.。~")[:MAX_QUESTION_CHARS]


def _sqlalchemy_url(database_url: str) -> str:
    """A plain path means a SQLite file; a driverless Postgres URL (Heroku's postgres://) gets the installed driver."""
    if "://" not in database_url:
        path = Path(database_url).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path.resolve()}"
    scheme, rest = database_url.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        # SQLAlchemy's default driver is psycopg2; the `postgres` extra installs psycopg 3.
        driver = "postgresql" if importlib.util.find_spec("psycopg2") or not importlib.util.find_spec("psycopg") else "postgresql+psycopg"
        return f"{driver}://{rest}"
    return database_url


class OutcomeStore:
    """Question outcomes and feedback in SQL tables `lg_ai_questions` and `lg_ai_feedback`."""

    def __init__(self, database_url: str, log_questions: bool = True, *, clock=time.time) -> None:
        import sqlalchemy as sa  # lazy: see the module docstring

        self._sa = sa
        self.log_questions = log_questions
        self._clock = clock
        url = _sqlalchemy_url(database_url)
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            # Several listener threads (and worker processes) write: wait for the lock.
            kwargs["connect_args"] = {"timeout": 10, "check_same_thread": False}
        self.engine = sa.create_engine(url, **kwargs)
        meta = sa.MetaData()
        self.questions = sa.Table(
            "lg_ai_questions", meta,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("answer_id", sa.String(64), index=True),
            sa.Column("asked_at", sa.Float, nullable=False, index=True),
            sa.Column("day", sa.String(10), nullable=False),
            sa.Column("outcome", sa.String(16), nullable=False),
            sa.Column("question", sa.Text, nullable=True),
            sa.Column("question_key", sa.String(MAX_QUESTION_CHARS), nullable=True),
            sa.Column("source", sa.String(255), nullable=True),
            sa.Column("latency_ms", sa.Float, nullable=True),
            sa.Column("surface", sa.String(16), nullable=True),
            sa.Column("user_id", sa.String(64), nullable=True),
            sa.Column("channel", sa.String(64), nullable=True),
        )
        self.votes = sa.Table(
            "lg_ai_feedback", meta,
            sa.Column("answer_id", sa.String(64), primary_key=True),
            sa.Column("user_id", sa.String(64), primary_key=True),
            sa.Column("vote", sa.String(4), nullable=False),
            sa.Column("voted_at", sa.Float, nullable=False),
        )
        for attempt in range(CREATE_ATTEMPTS):
            try:
                meta.create_all(self.engine)
                break
            except sa.exc.DBAPIError:
                # Several workers starting at once on a fresh database: another one created a
                # table between our check and our CREATE (once per table). Checking again finds it.
                if attempt == CREATE_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        self._lock = threading.Lock()  # one feedback upsert at a time per process

    # -- writing ------------------------------------------------------------------------
    def record(self, record: Mapping[str, Any]) -> None:
        """Store one question's outcome (the bot's `on_outcome` hook); bad records raise ValueError."""
        outcome = str(record.get("outcome") or "")
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
        now = self._clock()
        question = str(record.get("question") or "")[:MAX_QUESTION_CHARS]
        row = {
            "answer_id": _short(record.get("answer_id")),
            "asked_at": now,
            "day": _day(now),
            "outcome": outcome,
            "question": question if self.log_questions else None,
            "question_key": question_key(question) if self.log_questions and question else None,
            "source": _short(record.get("source"), 255),
            "latency_ms": _number(record.get("latency_ms")),
            "surface": _short(record.get("surface"), 16),
            "user_id": _short(record.get("user")),
            "channel": _short(record.get("channel")),
        }
        with self.engine.begin() as conn:
            conn.execute(self.questions.insert().values(**row))

    def feedback(self, answer_id: str, vote: str, user: str) -> None:
        """A 👍/👎 click (the bot's `on_feedback` hook); a second click by the same person replaces the first."""
        if vote not in VOTES:
            raise ValueError(f"vote must be 'up' or 'down', got {vote!r}")
        key = {"answer_id": _short(answer_id) or "", "user_id": _short(user) or ""}
        sa = self._sa
        with self._lock, self.engine.begin() as conn:
            where = sa.and_(self.votes.c.answer_id == key["answer_id"], self.votes.c.user_id == key["user_id"])
            changed = conn.execute(self.votes.update().where(where).values(vote=vote, voted_at=self._clock()))
            if not changed.rowcount:
                conn.execute(self.votes.insert().values(**key, vote=vote, voted_at=self._clock()))

    # -- reading ------------------------------------------------------------------------
    def report(self, days: int = 7, *, top: int = 10) -> Report:
        """The last `days` days (today included, UTC)."""
        if days < 1:
            raise ValueError("days must be at least 1")
        sa = self._sa
        today = dt.datetime.fromtimestamp(self._clock(), dt.timezone.utc).date()
        first = today - dt.timedelta(days=days - 1)
        since = dt.datetime.combine(first, dt.time(), dt.timezone.utc).timestamp()
        q = self.questions.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(q.day, q.outcome, q.source, q.latency_ms, q.surface, q.question_key, q.question)
                .where(q.asked_at >= since)
            ).all()
            votes = conn.execute(
                sa.select(self.votes.c.vote, sa.func.count()).where(self.votes.c.voted_at >= since).group_by(self.votes.c.vote)
            ).all()
        per_day = Counter(r.day for r in rows)
        outcomes = Counter(r.outcome for r in rows)
        judged = outcomes["answered"] + outcomes["uncertain"] + outcomes["declined"]
        unanswered: Counter[str] = Counter()
        example: dict[str, str] = {}
        for r in rows:
            if r.outcome in UNANSWERED and r.question_key:
                unanswered[r.question_key] += 1
                example.setdefault(r.question_key, r.question or r.question_key)
        latencies = [r.latency_ms for r in rows if r.latency_ms is not None and r.outcome != "notice"]
        return Report(
            days=days,
            since=first.isoformat(),
            until=today.isoformat(),
            per_day=tuple((d.isoformat(), per_day.get(d.isoformat(), 0)) for d in _dates(first, today)),
            outcomes={o: outcomes.get(o, 0) for o in OUTCOMES},
            total=len(rows),
            decline_rate=(outcomes["declined"] / judged) if judged else None,
            feedback={v: 0 for v in VOTES} | {str(v): int(n) for v, n in votes},
            unanswered=tuple((example[k], n) for k, n in _most_common(unanswered, top)),
            sources=tuple(_most_common(Counter(r.source for r in rows if r.source), top)),
            latency_p50_ms=statistics.median(latencies) if latencies else None,
            questions_kept=self.log_questions,
            surfaces=dict(Counter(r.surface for r in rows if r.surface)),
        )

    def close(self) -> None:
        self.engine.dispose()


def make_outcome_store(database_url: str | None, log_questions: bool = True) -> OutcomeStore:
    """The store behind `DATABASE_URL`: a SQLAlchemy URL, or a path meaning a SQLite file (default)."""
    return OutcomeStore(database_url or DEFAULT_PATH, log_questions)


def format_report(report: Report) -> str:
    """The report as plain text, the same on a terminal and in Slack (inside a code block)."""
    lines = [f"Questions {report.since} .. {report.until} ({report.days} day{'s' if report.days != 1 else ''}, UTC): {report.total}"]
    if report.per_day:
        lines.append("per day:   " + "  ".join(f"{d[5:]} {n}" for d, n in report.per_day))
    lines.append("outcomes:  " + "  ".join(f"{o} {report.outcomes.get(o, 0)}" for o in OUTCOMES))
    rate = "-" if report.decline_rate is None else f"{report.decline_rate:.0%}"
    lines.append(f"declined:  {rate} of the questions the articles were asked about")
    lines.append(f"feedback:  👍 {report.feedback.get('up', 0)}  👎 {report.feedback.get('down', 0)}")
    if report.latency_p50_ms is not None:
        lines.append(f"latency:   median {report.latency_p50_ms / 1000:.1f} s")
    if report.sources:
        lines.append("most cited: " + ", ".join(f"{s} ({n})" for s, n in report.sources[:5]))
    lines.append("")
    lines.append("Most frequent questions the articles could not answer (add them to seeds/):")
    if not report.questions_kept:
        lines.append("  (question text is not kept: LOG_QUESTIONS=false)")
    elif not report.unanswered:
        lines.append("  (none)")
    else:
        width = len(str(report.unanswered[0][1]))
        lines += [f"  {n:>{width}}x  {q}" for q, n in report.unanswered]
    return "\n".join(lines)


# `/lg-ai report`, `/lg-ai report 30`, `/lg-ai report 30d`; anything else is a question.
_REPORT_COMMAND = re.compile(r"^\s*report(?:\s+(\d{1,3})\s*d?)?\s*$", re.IGNORECASE)
MAX_REPORT_DAYS = 366
NOT_ADMIN = "관리자만 볼 수 있습니다. / Only the admins listed in REPORT_ADMINS can see the report."


def report_days(text: str, default: int = 7) -> int | None:
    """The period asked for when `text` is the report command, else None (it is a question)."""
    m = _REPORT_COMMAND.match(text or "")
    if not m:
        return None
    return max(1, min(MAX_REPORT_DAYS, int(m.group(1) or default)))


class Outcomes:
    """The store as the Slack app uses it: the outcome and feedback hooks, and the admin-only report."""

    def __init__(self, store: OutcomeStore, admins: Iterable[str] = ()) -> None:
        self.store = store
        self.admins = frozenset(admins)

    def on_outcome(self, record: Mapping[str, Any]) -> None:
        self.store.record(record)

    def on_feedback(self, answer_id: str, vote: str, user: str) -> None:
        self.store.feedback(answer_id, vote, user)

    def report_for(self, user: str, days: int) -> str:
        """Slack text of the report for an admin, a refusal for anyone else (shown privately either way)."""
        if user not in self.admins:
            return NOT_ADMIN
        text = format_report(self.store.report(days))
        # Questions are user text: no Slack markup, no mentions, no way out of the code block.
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("```", "'''")
        return f"```\n{text}\n```"


def make_outcomes(settings: OutcomeSettings) -> Outcomes:
    """What the worker wires into `create_app`: the configured store plus the report admins."""
    return Outcomes(make_outcome_store(settings.database_url, settings.log_questions), settings.report_admins)


def _day(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).date().isoformat()


def _dates(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def _most_common(counter: Counter[str], top: int) -> list[tuple[str, int]]:
    """Most frequent first, ties in alphabetical order (stable reports)."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def _short(value: Any, limit: int = 64) -> str | None:
    return None if value is None or value == "" else str(value)[:limit]


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None
