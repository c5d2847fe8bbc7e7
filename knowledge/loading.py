"""Seed files -> documents -> sentences with exact character offsets.

Every sentence keeps `start`/`end` into the raw file text, so a quote can be
cut from the source and checked (`text[start:end] == sentence.text`) instead
of trusting anything generated.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from knowledge.models import Document, Sentence

SEED_SUFFIXES = (".md", ".txt")

# 【 청년일보 】 at the start of the lede, 【 청년일보=이창현 기자 】 as the byline.
_TAG = re.compile(r"【\s*([^】=]+?)\s*(?:=\s*([^】]+?)\s*)?】")
# Captions may hold brackets themselves: `![회장. [사진=LG]](http://...)`.
_IMAGE = re.compile(r"^\s*!\[(?P<caption>.*)\]\((?P<url>[^)\s]*)(?:\s+\"[^\"]*\")?\)\s*$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")

_OPENERS = {"(": ")", "[": "]", "“": "”", "‘": "’", "「": "」", "『": "』", "《": "》", "〈": "〉"}
_TERMINATORS = ".?!。？！…"


def load_documents(seeds_dir: Path) -> list[Document]:
    """Parse every `.md` / `.txt` file of the seeds folder, sorted by name."""
    files = sorted(p for p in Path(seeds_dir).iterdir() if p.is_file() and p.suffix.lower() in SEED_SUFFIXES)
    return [parse_document(p.name, p.read_text(encoding="utf-8")) for p in files]


def parse_document(source: str, text: str) -> Document:
    """Split one seed into paragraphs and sentences, keeping offsets into `text`."""
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    outlet = byline = ""
    credit: tuple[int, int] | None = None
    title = ""
    images: list[dict[str, str]] = []
    paragraphs: list[tuple[int, int]] = []  # body spans (start, end) in `text`

    pos = 0
    for line in text.splitlines(keepends=True):
        line_start, pos = pos, pos + len(line)
        body = line.rstrip("\r\n")
        start, end = _strip_span(body, line_start)
        if start == end:
            continue
        if m := _IMAGE.match(body):
            images.append({"caption": m["caption"].strip(), "url": m["url"], "before_paragraph": str(len(paragraphs) + 1)})
            continue
        if m := _HEADING.match(body):
            title = title or m.group(1).strip()
            continue
        # Byline and newspaper tags are metadata; the credit line ("청년일보=이창현
        # 기자") is also kept as the last sentence, so "who wrote this?" has a quote.
        for tag in _TAG.finditer(text, start, end):
            outlet = outlet or tag.group(1).strip()
            if tag.group(2):
                byline = tag.group(2).strip()
                credit = (tag.start(1), tag.end(2))
        start = _skip_tags(text, start, end)
        end = _trim_trailing_tags(text, start, end)
        if start < end:
            paragraphs.append((start, end))

    sentences: list[Sentence] = []
    if not title and paragraphs:
        first = split_sentences(text, *paragraphs[0])
        lede = text[first[0][0]:first[0][1]] if first else text[slice(*paragraphs[0])]
        title = lede if len(lede) <= 80 else lede[:79].rstrip() + "…"
    title = title or Path(source).stem
    if credit is not None and not any(a <= credit[0] < b for a, b in paragraphs):
        paragraphs.append(credit)
    for number, (p_start, p_end) in enumerate(paragraphs, start=1):
        for s_start, s_end in split_sentences(text, p_start, p_end):
            sentences.append(
                Sentence(
                    text=text[s_start:s_end],
                    source=source,
                    title=title,
                    start=s_start,
                    end=s_end,
                    paragraph=number,
                    index=len(sentences),
                    outlet=outlet,
                    byline=byline,
                    doc_sha256=sha,
                )
            )
    return Document(
        source=source,
        title=title,
        text=text,
        sha256=sha,
        sentences=tuple(sentences),
        outlet=outlet,
        byline=byline,
        images=tuple(images),
    )


def is_credit_line(sentence: Sentence) -> bool:
    """The article's closing credit ("청년일보=이창현 기자"), indexed as its last sentence."""
    return bool(sentence.byline) and "=" in sentence.text and sentence.text.endswith(sentence.byline)


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of `text[start:end]`, aware of quotes, brackets and numbers.

    A terminator only ends a sentence outside quotes and brackets and when
    whitespace (or the paragraph end) follows, so `94.5`, `R1(6710억 개 ...)`
    and `"...문제입니다. AI ... 합니다"고 주문하며` stay inside one sentence.
    """
    spans: list[tuple[int, int]] = []
    closers: list[str] = []
    in_double = in_single = False
    sent_start = start
    i = start
    while i < end:
        ch = text[i]
        if ch == '"':
            in_double = not in_double
        elif ch == "'" and not _is_apostrophe(text, i, start, end):
            in_single = not in_single
        elif ch in _OPENERS:
            closers.append(_OPENERS[ch])
        elif closers and ch == closers[-1]:
            closers.pop()
        elif ch in _TERMINATORS and not (closers or in_double or in_single):
            j = i + 1
            while j < end and text[j] in _TERMINATORS + "\"'”’)":
                j += 1
            if j >= end or text[j].isspace():
                spans.append(_strip_span(text[sent_start:j], sent_start))
                sent_start = j
                i = j
                continue
        i += 1
    if sent_start < end:
        spans.append(_strip_span(text[sent_start:end], sent_start))
    if (closers or in_double or in_single) and len(spans) == 1 and end - start > 400:
        # An unbalanced quote swallowed a long paragraph: fall back to plain splitting.
        return _plain_split(text, start, end)
    return [s for s in spans if s[0] < s[1]]


def _plain_split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for m in re.finditer(r"[^.?!。]+(?:[.?!。]+|$)", text[start:end]):
        s = _strip_span(m.group(0), start + m.start())
        if s[0] < s[1]:
            spans.append(s)
    return spans


def _is_apostrophe(text: str, i: int, start: int, end: int) -> bool:
    """`LG's`: a single quote between Latin letters is an apostrophe, not a quote."""
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < end else " "
    return before.isascii() and before.isalpha() and after.isascii() and after.isalpha()


def _strip_span(chunk: str, offset: int) -> tuple[int, int]:
    left = len(chunk) - len(chunk.lstrip())
    right = len(chunk.rstrip())
    return (offset + left, offset + max(right, left))


def _skip_tags(text: str, start: int, end: int) -> int:
    while (m := _TAG.match(text, start, end)) is not None:
        start = m.end()
        while start < end and text[start].isspace():
            start += 1
    return start


def _trim_trailing_tags(text: str, start: int, end: int) -> int:
    tags = [m for m in _TAG.finditer(text, start, end)]
    while tags and tags[-1].end() >= end:
        end = tags.pop().start()
        while end > start and text[end - 1].isspace():
            end -= 1
    return end
