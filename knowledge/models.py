"""Value objects passed between the knowledge layer and its callers.

They are frozen so a cached retrieval result or an `Answer` handed to the Slack
layer cannot be changed behind the chain's back.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol, runtime_checkable


@dataclass(frozen=True)
class Sentence:
    """One sentence of a seed document, located by exact character offsets."""

    text: str
    source: str  # file name inside the seeds folder
    title: str
    start: int
    end: int
    paragraph: int  # 1-based paragraph number within the document
    index: int  # 0-based sentence number within the document
    outlet: str = ""  # newspaper, e.g. 가상일보
    byline: str = ""  # e.g. 홍길동 기자
    doc_sha256: str = ""  # content hash of the whole file: part of the record id
    credit: bool = False  # the byline / credit line, indexed so "who wrote this?" has a quote

    @property
    def key(self) -> str:
        return f"{self.source}:{self.start}-{self.end}"

    def metadata(self) -> dict[str, Any]:
        """Everything but the text, as flat metadata (Chroma records, LangChain documents)."""
        return {
            "source": self.source,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "paragraph": self.paragraph,
            "index": self.index,
            "outlet": self.outlet,
            "byline": self.byline,
            "doc_sha256": self.doc_sha256,
            "credit": self.credit,
        }

    @classmethod
    def from_metadata(cls, text: str, meta: Mapping[str, Any]) -> "Sentence":
        """The inverse of `metadata`, tolerant of records written without the optional keys."""
        return cls(
            text=text,
            source=str(meta["source"]),
            title=str(meta.get("title", "")),
            start=int(meta["start"]),
            end=int(meta["end"]),
            paragraph=int(meta.get("paragraph", 0)),
            index=int(meta.get("index", 0)),
            outlet=str(meta.get("outlet", "")),
            byline=str(meta.get("byline", "")),
            doc_sha256=str(meta.get("doc_sha256", "")),
            credit=bool(meta.get("credit", False)),
        )


@dataclass(frozen=True)
class Document:
    """A parsed seed file: its text, metadata and sentences.

    `title` is the article's own title (front matter or `#` heading) and stays
    empty when it has none; `label` is what to call it in an answer.
    """

    source: str
    title: str
    text: str
    sha256: str
    sentences: tuple[Sentence, ...]
    outlet: str = ""
    byline: str = ""
    images: tuple[dict[str, str], ...] = ()
    author: str = ""  # the reporter's name without "기자"
    date: str = ""
    url: str = ""
    language: str = "ko"

    @property
    def label(self) -> str:
        """The title, or the lede's first words when the article has no title."""
        if self.title:
            return self.title
        body = next((s.text for s in self.sentences if not s.credit), "") or self.source
        return body if len(body) <= 40 else body[:38].rstrip() + "…"


@dataclass(frozen=True)
class Passage:
    """A retrieved sentence with the scores that ranked it."""

    sentence: Sentence
    score: float  # fused score in [0, 1]; higher is better
    dense: float = 0.0  # cosine similarity of the embeddings
    lexical: float = 0.0  # share of the question's weighted terms found in the sentence
    rank: int = 0
    context: str = ""  # the previous sentence of its paragraph (folded): what "it" refers to
    # What the answer gate reads: coverage, entity agreement, asked figure present, ...
    features: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def text(self) -> str:
        return self.sentence.text


@dataclass(frozen=True)
class Quote:
    """A verbatim span of a source document: `source_text[start:end] == text`."""

    text: str
    source: str
    start: int
    end: int
    paragraph: int
    title: str = ""  # the article's own title; empty when it has none
    outlet: str = ""
    byline: str = ""
    label: str = ""  # title, or the lede's first words
    date: str = ""
    url: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = {
            "text": self.text,
            "source": self.source,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "paragraph": self.paragraph,
        }
        for key in ("outlet", "byline", "label", "date", "url"):
            if value := getattr(self, key):
                data[key] = value
        return data


@dataclass(frozen=True)
class Turn:
    """An earlier exchange in the same conversation (Slack thread or DM)."""

    question: str
    answer: str = ""


# Replies that are not answers: the text itself says what to do.
NOTICE_KINDS = frozenset({"usage", "injection", "small_talk", "sources"})


@dataclass(frozen=True)
class Answer:
    """What the chain returns: answer text plus the checked quotes behind it."""

    question: str
    text: str
    found: bool
    quotes: tuple[Quote, ...] = ()
    language: str = "ko"
    answerer: str = "offline"
    # Set when the configured answerer failed and another one answered instead.
    fallback_reason: str | None = None
    # True when `quotes` are only the closest passages shown beside a decline.
    closest_only: bool = False
    # A short notice for the user (truncated question, ...), or one of
    # NOTICE_KINDS, which tells programs what kind of reply this is.
    notice: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # The gate's middle outcome: the closest passage is shown as "not exactly said".
    uncertain: bool = False

    @property
    def outcome(self) -> str:
        """One word for logs and reports: answered, uncertain, declined or notice."""
        if self.notice in NOTICE_KINDS:
            return "notice"
        if self.found:
            return "answered"
        return "uncertain" if self.uncertain else "declined"

    @property
    def notice_text(self) -> str | None:
        """The notice worth showing people: kinds such as "usage" are for programs."""
        return None if self.notice in NOTICE_KINDS else self.notice

    def to_dict(self) -> dict[str, Any]:
        data = {
            "question": self.question,
            "answer": self.text,
            "found": self.found,
            "quotes": [q.to_dict() for q in self.quotes],
            "answerer": self.answerer,
            "language": self.language,
        }
        if self.fallback_reason:
            data["fallback_reason"] = self.fallback_reason
        if self.closest_only:
            data["closest_only"] = True
        if self.notice:
            data["notice"] = self.notice
        data["outcome"] = self.outcome
        return data



@dataclass(frozen=True)
class Draft:
    """An answerer's output before verification.

    `cited` holds indices into the passages the answerer was given; the chain
    turns them into quotes cut from the source, so an answerer can never put
    words into a quote.
    """

    text: str
    cited: tuple[int, ...]
    found: bool
    answerer: str
    fallback_reason: str | None = None
    closest_only: bool = False


@runtime_checkable
class Answerer(Protocol):
    """What the chain asks of an answerer (offline, LLM, or a test's fake).

    `invoke` gets the prepared inputs (`AnswerChain._answer_inputs`: the `Question`,
    its passages, the gate's outcome, the documents and aliases) and returns a
    `Draft` that cites passages by index; it never writes quotes. An answerer that
    can stream also has `stream_draft(inputs)`, yielding text deltas, then the Draft.
    """

    def invoke(self, inputs: Mapping[str, Any]) -> Draft: ...


@runtime_checkable
class StreamingAnswerer(Answerer, Protocol):
    def stream_draft(self, inputs: Mapping[str, Any]) -> Iterator[str | Draft]: ...
