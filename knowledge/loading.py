"""Seed files -> documents -> sentences with exact character offsets.

Every sentence keeps `start`/`end` into the raw file text, so a quote can be
cut from the source and checked (`text[start:end] == sentence.text`) instead
of trusting anything generated.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from knowledge import bylines
from knowledge.models import Document, Sentence
from knowledge.text import detect_language

SEED_SUFFIXES = (".md", ".txt")

# Captions may hold brackets themselves: `![회장. [사진=LG]](http://...)`.
_IMAGE = re.compile(r"^\s*!\[(?P<caption>.*)\]\((?P<url>[^)\s]*)(?:\s+\"[^\"]*\")?\)\s*$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
# A section heading ("■ …", "◆ …") or a photo caption ("▲ …") on a line of its own.
_SUBHEAD = re.compile(r"^\s*[■□◆◇▲△▶▷●◎]\s*\S")


def _untitled_line(text: str, start: int, end: int) -> bool:
    """A single line without a sentence end, short enough to be a headline (not a lede)."""
    line = text[start:end]
    return "\n" not in line and len(line) <= 160 and line.rstrip()[-1:] not in _TERMINATORS + "다\"'”’"
_TAG = bylines.TAG

_OPENERS = {"(": ")", "[": "]", "“": "”", "‘": "’", "「": "」", "『": "』", "《": "》", "〈": "〉"}
_TERMINATORS = ".?!。？！…"


def load_documents(seeds_dir: Path) -> list[Document]:
    """Parse every `.md` / `.txt` file of the seeds folder, sorted by name."""
    files = sorted(p for p in Path(seeds_dir).iterdir() if p.is_file() and p.suffix.lower() in SEED_SUFFIXES)
    return [parse_document(p.name, p.read_text(encoding="utf-8")) for p in files]


def parse_document(source: str, text: str) -> Document:
    """Split one seed into paragraphs and sentences, keeping offsets into `text`.

    Front matter, `#` titles, image lines and byline tags are metadata, not
    sentences; the credit ("가상일보=홍길동 기자", "[서울=…] … 기자", "By …", "홍길동 기자 hong@…")
    is kept as one extra sentence marked `credit`, so "who wrote this?" has a quote.
    """
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    fields, body_start, fm_credit = bylines.front_matter_with_credit(text)
    meta = bylines.Byline()
    meta.fill(**fields)
    # Front matter names the author; the line itself is the credit a "who wrote this?" answer quotes.
    meta.fill(byline=fields.get("author", ""))
    meta.credit = fm_credit
    images: list[dict[str, str]] = []
    paragraphs: list[tuple[int, int]] = []  # body spans (start, end) in `text`

    pos = body_start
    for line in text[body_start:].splitlines(keepends=True):
        line_start, pos = pos, pos + len(line)
        body = line.rstrip("\r\n")
        start, end = _strip_span(body, line_start)
        if start == end:
            continue
        if m := _IMAGE.match(body):
            images.append({"caption": m["caption"].strip(), "url": m["url"], "before_paragraph": str(len(paragraphs) + 1)})
            continue
        if m := _HEADING.match(body):
            meta.fill(title=m.group(1).strip())
            continue
        if date := bylines.date_line(body):
            meta.fill(date=date)  # "October 14, 2025" under the by-line, "송고시간 2025-11-12 10:05" at the end
            continue
        if bylines.EMAIL_LINE.match(body):
            continue  # the reporter's address under the credit
        if _SUBHEAD.match(body):
            # "■ 라이트는 스마트폰에 …" heads a section and "▲ … 시연하고 있다" captions a photo: the body says it.
            images.extend([{"caption": body.strip().lstrip("▲△").strip(), "url": "", "before_paragraph": str(len(paragraphs) + 1)}]
                          if body.lstrip()[:1] in "▲△" else [])
            continue
        title_line = len(paragraphs) == 1 and not meta.title and _untitled_line(text, *paragraphs[0])
        if (not paragraphs or title_line) and (m := bylines.by_line(body)):
            if title_line:
                # A first line with no sentence end, right above the by-line, is the title ("Tsubame Labs launches …").
                meta.fill(title=text[slice(*paragraphs.pop())])
            outlet, date = bylines.by_line_parts(m)
            meta.fill(author=m["names"], byline=m["names"], outlet=outlet, date=date)
            meta.credit = meta.credit or (start, end)
            continue
        if paragraphs and (m := bylines.reporter_line(body)):
            meta.fill(byline=m.group(1), author=bylines.reporter_name(m.group(1)))
            meta.credit = meta.credit or (start, end)
            continue
        for tag in _TAG.finditer(text, start, end):
            meta.fill(outlet=tag.group(1))
            if tag.group(2):
                meta.fill(byline=tag.group(2), author=bylines.reporter_name(tag.group(2)))
                meta.credit = meta.credit or (tag.start(1), tag.end(2))
        start = _skip_tags(text, start, end)
        if m := bylines.dateline(text, start, end):
            meta.fill(outlet=m.group(2), byline=m.group(3), author=bylines.reporter_name(m.group(3)))
            meta.credit = meta.credit or (m.start(), m.end(3))
            start = m.end()
        elif m := bylines.outlet_reporter(text, start, end):
            meta.fill(outlet=m.group(1), byline=m.group(2), author=bylines.reporter_name(m.group(2)))
            meta.credit = meta.credit or (m.start(), m.end() - (len(m.group(0)) - len(m.group(0).rstrip())))
            start = m.end()
        elif not paragraphs or (len(paragraphs) == 1 and meta.title == text[slice(*paragraphs[0])]):
            if m := bylines.en_dateline(text, start, end):
                meta.fill(outlet=m.group(3), date=bylines.iso_date(m.group(2)))
                start = m.end()
        end = _trim_trailing_tags(text, start, end)
        if start < end:
            paragraphs.append((start, end))

    sentences: list[Sentence] = []
    spans = [(p, split_sentences(text, *p)) for p in paragraphs]
    if meta.credit is not None and not any(a <= meta.credit[0] < b for a, b in paragraphs):
        # The credit is a paragraph of its own (a dateline is cut off the lede's line).
        spans.append((meta.credit, [meta.credit]))
        spans.sort(key=lambda item: item[0][0])
    for number, ((p_start, _), pieces) in enumerate(spans, start=1):
        for s_start, s_end in pieces:
            sentences.append(
                Sentence(
                    text=text[s_start:s_end],
                    source=source,
                    title=meta.title,
                    start=s_start,
                    end=s_end,
                    paragraph=number,
                    index=len(sentences),
                    outlet=meta.outlet,
                    byline=meta.byline,
                    doc_sha256=sha,
                    credit=meta.credit is not None and (s_start, s_end) == meta.credit,
                )
            )
    return Document(
        source=source,
        title=meta.title,
        text=text,
        sha256=sha,
        sentences=tuple(sentences),
        outlet=meta.outlet,
        byline=meta.byline,
        images=tuple(images),
        author=meta.author,
        date=meta.date,
        url=meta.url,
        language=detect_language(" ".join(s.text for s in sentences[:8])),
    )


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
