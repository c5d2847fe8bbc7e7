"""Who wrote an article, for whom, when: front matter and the byline styles of news copy.

Recognised, anywhere a newsroom puts them:
- YAML-style front matter (`---` / `key: value` / `---`): title, outlet, author, date, url;
- a tag `【 outlet 】` (lede) and `【 outlet=reporter 기자 】` (closing credit);
- a dateline `[서울=outlet] reporter 기자 =`, `(서울=outlet) reporter 기자 =` or `[outlet] reporter 기자 =`
  opening the lede, or an English wire dateline `SEOUL, March 3 (Outlet) -`;
- a closing line `reporter 기자 email@example.com`, `/reporter 기자` or `(reporter 기자)`;
- an English `By Name, Outlet` or `By Name | Outlet | date` line, under a title line or opening the text.
Each finder returns the span of the credit text, so the credit can be quoted
verbatim when someone asks who wrote the article.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# 【 가상일보 】 at the start of the lede, 【 가상일보=홍길동 기자 】 as the byline.
TAG = re.compile(r"【\s*([^】=]+?)\s*(?:=\s*([^】]+?)\s*)?】")
# [서울=테크가상] 김영희 기자 = ..., the wire-service form (서울=테크가상) 김영희 기자 = ..., and the outlet alone
# in brackets: [테크가상] 김영희 기자 = ...
DATELINE = re.compile(r"[\[(]\s*(?:([^\])=\n]{1,12}?)\s*=\s*)?([^\])=\n]{1,30}?)\s*[\])]\s*([^\s=\]\[()][^=\n]{0,20}?\s*(?:기자|특파원|記者))\s*=\s*")
# An English wire dateline opening the lede: "SEOUL, March 3 (Meridian Tech Daily) - ".
EN_DATELINE = re.compile(r"([A-Z][A-Z .'-]{1,30}),\s+((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:,\s+\d{4})?)"
                         r"\s+\(([^()\n]{2,40})\)\s*[-–—]+\s*")
# A closing line of its own: "김영희 기자 younghee@example.com", "김영희 기자", "/김영희 기자", "(김영희 기자)".
REPORTER_LINE = re.compile(r"^\s*[/(\-–—]?\s*([\uac00-\ud7a3]{2,4}\s?(?:기자|특파원))\s*\)?\s*(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+)?\s*[)\-–—]?\s*$")
# By Jordan Lee, Fictional Tech Wire  /  By Jordan Lee and Kim Min-ji | Outlet
BY_LINE = re.compile(r"^\s*(?:\*\*|_)?by\s+(?P<names>[^,|\n]{2,80}?)(?:\s*[,|]\s*(?P<outlet>[^\n*_]{2,80}?))?(?:\*\*|_)?\s*$", re.I)
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<body>.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_FM_LINE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
_FM_KEYS = {
    "title": "title", "headline": "title",
    "outlet": "outlet", "publisher": "outlet", "publication": "outlet", "source": "outlet", "newspaper": "outlet",
    "author": "author", "authors": "author", "byline": "author", "reporter": "author", "writer": "author",
    "date": "date", "published": "date", "published_at": "date", "pubdate": "date",
    "url": "url", "link": "url", "canonical": "url",
}
_REPORTER = re.compile(r"\s*(기자|특파원|記者)$")


@dataclass
class Byline:
    """What is known about an article's origin; empty strings when unknown."""

    title: str = ""
    outlet: str = ""
    author: str = ""  # the name(s) alone
    byline: str = ""  # as printed: "홍길동 기자", "Alex Kim"
    date: str = ""
    url: str = ""
    credit: tuple[int, int] | None = None  # span of the credit text in the file

    def fill(self, **values: str) -> None:
        """Set the fields still empty (the first source of a fact wins)."""
        for key, value in values.items():
            if value and not getattr(self, key):
                setattr(self, key, value.strip())


def front_matter(text: str) -> tuple[dict[str, str], int]:
    """(fields, offset where the body starts); ({}, 0) without front matter."""
    fields, end, _ = front_matter_with_credit(text)
    return fields, end


def front_matter_with_credit(text: str) -> tuple[dict[str, str], int, tuple[int, int] | None]:
    """Front matter fields, the body's offset, and the span of the author line ("author: 홍길동 기자"),
    which is the article's credit: quoted verbatim when someone asks who wrote it."""
    m = FRONT_MATTER.match(text)
    if not m:
        return {}, 0, None
    fields: dict[str, str] = {}
    credit = None
    pos = m.start("body")
    for line in m.group("body").splitlines(keepends=True):
        line_start, pos = pos, pos + len(line)
        if (kv := _FM_LINE.match(line.rstrip("\r\n"))) and (key := _FM_KEYS.get(kv.group(1).lower())):
            value = _unquote(kv.group(2).strip())
            if value.startswith("[") and value.endswith("]"):  # authors: [A, B]
                value = ", ".join(_unquote(v.strip()) for v in value[1:-1].split(",") if v.strip())
            if key == "author" and value and credit is None:
                stripped = line.rstrip("\r\n")
                credit = (line_start + len(stripped) - len(stripped.lstrip()), line_start + len(stripped.rstrip()))
            fields.setdefault(key, value)
    return fields, m.end(), credit


def _unquote(value: str) -> str:
    """One pair of surrounding quotes off: "'AI 챌린지' 폐막" keeps its inner quote marks."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def reporter_name(byline: str) -> str:
    """"홍길동 기자" -> "홍길동"."""
    return _REPORTER.sub("", byline).strip()


def dateline(text: str, start: int, end: int) -> re.Match[str] | None:
    """A `[서울=outlet] reporter 기자 =` dateline at `start`."""
    return DATELINE.match(text, start, end)


# A line that only dates the article: "October 14, 2025", "2025.08.26 14:20", "송고시간 2025-11-12 10:05", "입력 2025.03.01".
DATE_LINE = re.compile(r"^\s*(?:(?:송고시간|입력|수정|기사입력|최종수정|등록|발행|published|updated|posted|date)\s*:?\s*)?"
                       r"(?P<date>(?:19|20)\d{2}\s*[-./년]\s*\d{1,2}\s*[-./월]\s*\d{1,2}\s*일?|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+(?:19|20)\d{2}|"
                       r"\d{1,2}\s+[A-Za-z]{3,9}\.?\s+(?:19|20)\d{2})\.?\s*(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AP]M|KST|UTC|GMT)?)?\s*$", re.I)
# An e-mail address on a line of its own (the reporter's, under the credit).
EMAIL_LINE = re.compile(r"^\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*$")
# "[중부테크뉴스 최수아 기자]" opening the lede: the outlet and the reporter in one bracket.
OUTLET_REPORTER = re.compile(r"\[\s*([^\[\]=\n]{2,30}?)\s+([\uac00-\ud7a3]{2,4}\s?(?:기자|특파원))\s*\]\s*")


def date_line(line: str) -> str:
    """The ISO date of a line that only dates the article, else ""."""
    m = DATE_LINE.match(line)
    return iso_date(m["date"]) if m else ""


def outlet_reporter(text: str, start: int, end: int) -> re.Match[str] | None:
    """A `[outlet reporter 기자]` bracket at `start`: groups outlet, reporter."""
    return OUTLET_REPORTER.match(text, start, end)


def en_dateline(text: str, start: int, end: int) -> re.Match[str] | None:
    """A `SEOUL, March 3 (Outlet) -` dateline at `start`: groups place, date, outlet."""
    return EN_DATELINE.match(text, start, end)


_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def iso_date(text: str) -> str:
    """"June 12, 2025", "12 June 2025", "2025.06.12", "2025년 6월 12일" -> "2025-06-12" ("" when it is no date)."""
    if m := re.search(r"((?:19|20)\d{2})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})", text):
        year, month, day = m.groups()
    elif m := re.search(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+((?:19|20)\d{2})", text):
        month, day, year = str(_MONTHS.get(m.group(1)[:3].lower(), 0)), m.group(2), m.group(3)
    elif m := re.search(r"(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+((?:19|20)\d{2})", text):
        day, month, year = m.group(1), str(_MONTHS.get(m.group(2)[:3].lower(), 0)), m.group(3)
    else:
        return ""
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return ""
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def by_line_parts(m: re.Match[str]) -> tuple[str, str]:
    """(outlet, date) of a `By Name | Outlet | June 12, 2025` line: a part that reads as a date is the date."""
    parts = [p.strip() for p in re.split(r"\s*\|\s*", m["outlet"] or "") if p.strip()]
    date = next((iso_date(p) for p in parts if iso_date(p)), "")
    outlet = next((p for p in parts if not iso_date(p)), "")
    return outlet, date


def reporter_line(line: str) -> re.Match[str] | None:
    """A closing `reporter 기자 email` line (a line of its own)."""
    return REPORTER_LINE.match(line)


def by_line(line: str) -> re.Match[str] | None:
    """An English `By Name, Outlet` line (a line of its own, short)."""
    if len(line) > 160:
        return None
    return BY_LINE.match(line)
