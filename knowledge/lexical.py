"""Lexical side of retrieval: question analysis, a BM25 index and term coverage.

BM25 runs over character bigrams of Hangul words and whole Latin/number
words, with numpy postings so it stays fast at 100k sentences. Coverage says
how much of what the question asks about a sentence actually contains: it is
what lets the answerer tell "the article says" from "the article is silent".
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from knowledge import numbers
from knowledge.locale import vocab
from knowledge.locale.ko import DEFINITION_MARKERS as KO_MARKERS
from knowledge.locale.en import DEFINITION_MARKERS as EN_MARKERS
from knowledge.text import (
    ENGLISH_STOPWORDS,
    KOREAN_PARTICLES,
    KOREAN_STOPWORDS,
    QUESTION_VERBS,
    fold,
    is_hangul,
    korean_stem,
    english_stem,
    korean_stems,
    text_terms,
    words,
)

# Unknown English words (in no sentence and no alias group) count less: an
# English question about a Korean article always has some of them.
UNKNOWN_LATIN_FACTOR = 0.35
_PARTICLES = KOREAN_PARTICLES
_MARKERS = re.compile(
    "|".join(
        (re.escape(m) + r"(?:이야|야|예요|에요|이에요|는|가|란|를|을|이|요|인가요|인지)?(?=[\s?.!]|$)") if is_hangul(m[0]) else (r"(?<![a-z])" + re.escape(m) + r"(?![a-z])")
        for m in sorted(KO_MARKERS + EN_MARKERS, key=len, reverse=True)
    )
)
# Bounds on what one question can make the matcher do (a 2,000-character paste).
MAX_WORDS = 60
MAX_WORD_CHARS = 24


@dataclass(frozen=True)
class QueryUnit:
    """One thing the question asks about, with the spellings that satisfy it."""

    label: str
    forms: tuple[str, ...]
    weight: float = 1.0
    known: bool = True
    # A name the corpus never mentions (a company, product or person of another story).
    foreign: bool = False
    # Some article names it in one of its spellings (a vocabulary word like "Japan" is known, yet may be absent).
    present: bool = True
    # A cohort or a stage in both languages' spellings ("2기", "cohort 2"): a figure, not a name.
    figure: bool = False


Transliterate = Callable[[str], tuple[str, ...]]


class Aliases:
    """Equivalent spellings: general vocabulary plus the corpus's own alias pairs and transliterations."""

    def __init__(self, groups: Sequence[Sequence[str]] = (), transliterate: Transliterate | None = None) -> None:
        self.by_form: dict[str, tuple[str, ...]] = {}
        self.transliterate = transliterate
        for group in list(vocab.GROUPS) + list(groups):
            forms = tuple(dict.fromkeys(fold(f) for f in group))
            for form in forms:
                merged = self.by_form.get(form, ())
                self.by_form[form] = tuple(dict.fromkeys(merged + forms))
        # Forms the word splitter would cut in pieces ("lg ai연구원", "gpt-4") are matched as phrases.
        self.phrases = sorted((f for f in self.by_form if len(words(f)) != 1 or words(f)[0] != f), key=len, reverse=True)
        self.phrase_patterns = {f: _boundary(f) for f in self.phrases}

    def sounds_like(self, word: str) -> tuple[str, ...]:
        """Corpus spellings in the other script; a trailing version number is kept (nuri2 -> 누리2)."""
        if self.transliterate is None or len(word) < 2:
            return ()
        m = re.fullmatch(r"(.*?[^\d.])(\d+(?:\.\d+)?)", word)
        if m and len(m.group(1)) >= 2:
            return tuple(f + m.group(2) for f in self.transliterate(m.group(1))) + self.transliterate(m.group(1))
        whole = self.transliterate(word)
        # A hyphenated name may keep its short Latin head in Hangul text: K-Link is written K-링크.
        head, dash, tail = word.partition("-")
        if dash and not whole and head.isascii() and len(tail) >= 3 and "-" not in tail:
            return tuple(f"{head}-{t}" for t in self.transliterate(tail))
        return whole


def _boundary(form: str) -> re.Pattern[str]:
    if is_hangul(form[0]):
        # The rest of the last word goes with it ("투자 받" of "투자 받았어"): an ending or a particle, no content.
        return re.compile(re.escape(form) + (r"[\uac00-\ud7a3]*" if is_hangul(form[-1]) else ""))
    return re.compile(r"(?<![a-z0-9])" + re.escape(form) + r"(?![a-z0-9])")


@lru_cache(maxsize=1)
def _general_aliases() -> Aliases:
    return Aliases()


def analyse(question: str, aliases: Aliases | None = None) -> list[QueryUnit]:
    """Split a question into units: alias phrases first, then remaining content words."""
    aliases = aliases or _general_aliases()
    text = _MARKERS.sub(" ", fold(question))
    # "투자 얼마 받았어": the question word splits the verb phrase that names the thing ("투자 받", raising a round).
    text = _SPLIT_PHRASE.sub(r"\1 \2", text)
    units: list[QueryUnit] = []
    for phrase in aliases.phrases:
        pattern = aliases.phrase_patterns[phrase]
        if pattern.search(text):
            units.append(QueryUnit(phrase, aliases.by_form[phrase]))
            text = pattern.sub(" ", text)
    tokens = [w[:MAX_WORD_CHARS] for w in words(text)[:MAX_WORDS]]
    paired = _loanword_pairs(tokens, aliases)
    for i, sounds in paired.items():
        units.append(QueryUnit(f"{tokens[i]} {tokens[i + 1]}", (f"{tokens[i]} {tokens[i + 1]}", *sounds), known=True))
    skip = set(paired) | {i + 1 for i in paired}
    previous = ""
    for index, word in enumerate(tokens):
        if index in skip:
            continue
        after_count, previous = previous == "몇", word
        if is_hangul(word):
            stages = korean_stems(word)
            stem = korean_stem(word)
            # A lone particle left over from an alias ("누리 칩" + "의"), a
            # counter after 몇 ("몇 개", "몇 명") or a question verb carries no content.
            if (
                after_count
                or (word.startswith("몇") and len(word) > 1)  # "몇대까지", "몇시간": 몇 glued to its counter
                or word in _PARTICLES
                or any(s in KOREAN_STOPWORDS for s in stages)
                or word.startswith(QUESTION_VERBS)
            ):
                continue
            forms = next((aliases.by_form[s] for s in stages if s in aliases.by_form), None)
            forms = forms or _prefix_alias(stem, aliases)
            sounds = () if forms else next((t for s in stages if len(s) >= 2 and (t := aliases.sounds_like(s))), ())
            if not forms and not sounds and (split := _name_and_kind(stem, aliases)):
                # "두리그룹" -> "두리" (Duri) + "그룹": a name glued to the general word for its kind.
                name, kind, name_sounds = split
                units.append(QueryUnit(name, (name,) + name_sounds, known=True))
                units.append(QueryUnit(kind, aliases.by_form[kind], known=True))
                continue
            units.append(QueryUnit(word, tuple(dict.fromkeys((forms or (stem,)) + sounds)), known=forms is not None or bool(sounds)))
        else:
            bare = word[:-2] if word.endswith("'s") else word
            if bare in ENGLISH_STOPWORDS or (len(bare) < 2 and not bare.isdigit()):
                continue
            forms = _inflected_forms(bare, aliases)
            # A word of the vocabulary is not a name: its spelling in the other script is not sought.
            sounds = aliases.sounds_like(bare) if not bare.isdigit() and not (forms and len(forms) > 1) else ()
            units.append(QueryUnit(bare, tuple(dict.fromkeys((forms or (bare,)) + sounds)), known=forms is not None or bool(sounds)))
    # A cohort or a stage ("2기", "the second cohort", "phase 2") is one unit, spelled as either language writes it.
    for value, start, end, kind in numbers.figures_with_units(question):
        if spellings := numbers.ordinal_spellings(value, kind):
            number = str(int(value))
            parts = {w for form in spellings for w in re.split(r"[\s-]", form)} | {f[len(number):] for f in spellings if is_hangul(f[-1])}
            parts |= set(spellings)
            units = [u for u in units if u.label not in parts]
            label = fold(question[start:end]).strip()
            units.append(QueryUnit(spellings[0] if label.isdigit() else label, spellings, figure=True))
    # A funding round by its letter ("Series B", "시리즈B") is one unit in both scripts; another letter is another round.
    for letter in dict.fromkeys(m.group(1) or m.group(2) for m in _FUNDING_ROUND.finditer(fold(question))):
        units = [u for u in units if u.label not in ("series", "시리즈")]
        units.append(QueryUnit(f"series {letter}", (f"series {letter}", f"시리즈{letter}", f"시리즈 {letter}"), figure=True))
    return _dedupe(units)


_SPLIT_PHRASE = re.compile(r"([\uac00-\ud7a3]{2,})\s+(?:얼마(?:나|를|씩)?|몇\s?[\uac00-\ud7a3]{0,2})\s+(받|내|들|썼|쓰)")


def _loanword_pairs(tokens: Sequence[str], aliases: Aliases) -> dict[int, tuple[str, ...]]:
    """Two English words an article writes as one Hangul loanword ("think tank" -> 싱크탱크), by the index of the
    first: each word alone sounds like nothing the corpus writes."""
    out: dict[int, tuple[str, ...]] = {}
    for i in range(len(tokens) - 1):
        a, b = tokens[i], tokens[i + 1]
        if (i - 1) in out or not (a.isascii() and b.isascii() and a.isalpha() and b.isalpha()) \
                or a in ENGLISH_STOPWORDS or b in ENGLISH_STOPWORDS or len(a) < 3 or len(b) < 3:
            continue
        if sounds := tuple(t for t in aliases.sounds_like(a + b) if is_hangul(t[:1])):
            out[i] = sounds
    return out


_FUNDING_ROUND = re.compile(r"\bseries[\s-]?([a-f])\b|시리즈\s?([a-f])(?![a-z])")


def _prefix_alias(stem: str, aliases: Aliases) -> tuple[str, ...] | None:
    """`누리칩은` or `시험에서는`: a Hangul alias (2+ syllables) that starts the word."""
    for size in range(len(stem) - 1, 1, -1):
        forms = aliases.by_form.get(stem[:size])
        if forms:
            return forms
    return None


def _name_and_kind(stem: str, aliases: Aliases) -> tuple[str, str, tuple[str, ...]] | None:
    """A Hangul name (2+ syllables) glued to a vocabulary word for its kind (그룹, 연구소), when the name
    is spelled in the other script by some article."""
    for size in range(2, len(stem) - 1):
        name, kind = stem[:size], stem[size:]
        if len(kind) >= 2 and kind in aliases.by_form and (sounds := aliases.sounds_like(name)):
            return name, kind, sounds
    return None


def _inflected_forms(word: str, aliases: Aliases) -> tuple[str, ...] | None:
    """The vocabulary forms of an English word and of its inflections: "damage" also finds the group of
    "damaged" (손상), "ship" that of "shipped". None when no inflection is in the vocabulary."""
    stems = [word, _singular(word)]
    if word.endswith("ed") and len(word) > 4:
        stems += [word[:-2], word[:-1]]  # shipped -> shipp(ed), launched -> launch, damaged -> damage
    else:
        stems += [word + "d" if word.endswith("e") else word + "ed", word + "s"]
    found = [aliases.by_form[s] for s in dict.fromkeys(stems) if s in aliases.by_form]
    return tuple(dict.fromkeys(f for forms in found for f in forms)) if found else None


def _singular(word: str) -> str:
    """The vocabulary's form of an English plural: universities -> university, chips -> chip."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _dedupe(units: list[QueryUnit]) -> list[QueryUnit]:
    """Drop repeats, and words already inside an alias phrase ("LG AI연구원 연구원들")."""
    seen: set[tuple[str, ...]] = set()
    phrase_forms = [f for u in units if " " in u.label or "-" in u.label for f in u.forms]
    out = []
    for unit in units:
        if unit.forms in seen:
            continue
        inside = " " not in unit.label and any(
            len(f) >= 2 and is_hangul(f[0]) and any(f in p and f != p for p in phrase_forms) for f in unit.forms
        )
        if inside and not any(f in phrase_forms for f in unit.forms):
            continue
        seen.add(unit.forms)
        out.append(unit)
    return out


def form_match(form: str, text: str) -> float:
    """How much of `form` occurs in the folded sentence `text` (0..1)."""
    if not form:
        return 0.0
    if is_hangul(form[0]):
        if len(form) > 1 and form in text:
            # A word of its own (endings may follow) counts fully; inside another word only half
            # ("나이" in "하나이다" is not "age", though Korean compounds do hide real matches).
            return 1.0 if _find_word(form, text, hangul=True) else 0.5
        if not is_hangul(form[-1]) and form[-1].isalnum():
            return 0.0  # "시리즈b", "누리2": a letter or number ends the name, and 시리즈c or 누리3 is another one
        if len(form) == 1:
            # A lone syllable (명, 점, 억) counts only as a counter or a word of its own.
            return 1.0 if _lone_syllable(form).search(text) else 0.0
        # Stems meet endings: "설립됐" -> "설립". Longest prefix of 2+ syllables.
        for size in range(len(form) - 1, 1, -1):
            if form[:size] in text:
                return size / len(form)
        return 0.0
    if _find_word(form, text):
        return 1.0
    if len(form) == 3 and form.isascii() and form.isalpha() and _find_word(form + "s", text):
        return 1.0  # "gpu" of "3,800 GPUs": too short to stem, but a plural is the same word
    if " " not in form and form.isascii() and form.isalpha() and len(form) > 3:
        return 1.0 if english_stem(form) in _latin_stems(text) else 0.0
    return 0.0


_LATIN_WORD = re.compile(r"[a-z]{4,}")


@lru_cache(maxsize=8192)
def _latin_stems(text: str) -> frozenset[str]:
    """The English stems of a sentence's words, once per sentence: every question form is compared with them."""
    return frozenset(english_stem(w) for w in _LATIN_WORD.findall(text)) if text.isascii() or _LATIN_WORD.search(text) else frozenset()


def mentions(form: str, text: str) -> bool:
    """Does the folded `text` name `form` as a word (a Hangul form may carry endings, not a prefix)?"""
    if not form:
        return False
    return _find_word(form, text, hangul=is_hangul(form[0]))


def _find_word(form: str, text: str, *, hangul: bool = False) -> bool:
    """`form` in `text`, not glued to the letters around it.

    Latin forms need no [a-z0-9] on either side; Hangul forms need no syllable
    before them (endings may follow). Plain scanning rather than a regex per
    form: question words are open-ended, and a cache of patterns would grow.
    """
    start = text.find(form)
    while start >= 0:
        end = start + len(form)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if hangul:
            if not (before and is_hangul(before)):
                return True
        elif not _latin_or_digit(before) and not _latin_or_digit(after) and not (
                form.isdigit() and (after in _MAGNITUDES or len(form) <= 2 and after in _DATE_PARTS)):
            return True
        start = text.find(form, start + 1)
    return False


# "3월", "5일": a small number glued to a month or a day is part of a date, not "three teams" or "5 models";
# "3천명", "12만": a number glued to a Korean magnitude is another number.
_DATE_PARTS = frozenset("월일")
_MAGNITUDES = frozenset("십백천만억조")


def _latin_or_digit(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isalnum()


@lru_cache(maxsize=256)
def _lone_syllable(form: str) -> re.Pattern[str]:
    # After a digit, a Korean numeral (1만2천명, 70여명) or at a word start.
    return re.compile(r"(?:(?<![\uac00-\ud7a3])|(?<=[천만백십억여약]))" + re.escape(form))


class LexicalIndex:
    """BM25 over sentences plus document frequencies for unit weights."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.6) -> None:
        self.size = len(texts)
        self.folded = [fold(t) for t in texts]
        # Whether each form occurs as a word of its own somewhere, filled on first use.
        self._mentioned: dict[str, bool] = {}
        postings: dict[str, list[tuple[int, int]]] = {}
        lengths = np.zeros(self.size, dtype=np.float32)
        for i, text in enumerate(self.folded):
            counts = Counter(text_terms(text))
            lengths[i] = sum(counts.values())
            for term, tf in counts.items():
                postings.setdefault(term, []).append((i, tf))
        avg = float(lengths.mean()) if self.size else 1.0
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, plist in postings.items():
            ids = np.fromiter((p[0] for p in plist), dtype=np.int32, count=len(plist))
            tf = np.fromiter((p[1] for p in plist), dtype=np.float32, count=len(plist))
            norm = tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[ids] / avg))
            self._postings[term] = (ids, norm.astype(np.float32))

    def df(self, form: str) -> int:
        """Sentences containing the form (upper bound via its rarest term)."""
        counts = [len(self._postings[t][0]) if t in self._postings else 0 for t in text_terms(form) or [form]]
        return min(counts) if counts else 0

    def idf(self, df: int) -> float:
        return math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))

    def weigh(self, units: Sequence[QueryUnit]) -> list[QueryUnit]:
        """Give each unit an IDF weight from its most common spelling in the corpus."""
        out = []
        for unit in units:
            df = max((self.df(f) for f in unit.forms), default=0)
            weight = self.idf(df)
            if not unit.known and df == 0:
                weight *= UNKNOWN_LATIN_FACTOR
            short = max(len(f) for f in unit.forms) == 1
            # Something the article does not discuss stays so unless a sentence
            # names it as a word of its own ("나이" inside "하나이다" is not "age").
            foreign = unit.foreign and not any(self._mentions(f) for f in unit.forms)
            # Known: in the vocabulary, or named as a word of its own somewhere ("나이" inside "하나이다" is not "age").
            present = df > 0 and any(self._mentions(f) for f in unit.forms)
            known = unit.known or present
            out.append(QueryUnit(unit.label, unit.forms, weight * (0.5 if short else 1.0), known, foreign, present, unit.figure))
        return out

    def _mentions(self, form: str) -> bool:
        """Does any sentence name `form` as a word? Scanned once per form, then remembered."""
        if form not in self._mentioned:
            self._mentioned[form] = any(mentions(form, t) for t in self.folded)
        return self._mentioned[form]

    def search(self, units: Sequence[QueryUnit], k: int) -> list[tuple[int, float]]:
        """Top-k (sentence index, BM25 score)."""
        if not self.size or not units:
            return []
        scores = self.scores(units)
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k] if k < self.size else np.arange(self.size)
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def scores(self, units: Sequence[QueryUnit]) -> np.ndarray:
        """BM25 score of every sentence for these units."""
        scores = np.zeros(self.size, dtype=np.float32)
        for unit in units:
            # Spellings of one unit are alternatives: a sentence that has both
            # "에이전틱" and "Agentic" must not score twice for one concept.
            best: np.ndarray | None = None
            for form in unit.forms:
                form_terms = text_terms(form)
                if not form_terms:
                    continue
                qw = 1.0 / len(form_terms) ** 0.5
                form_scores = np.zeros(self.size, dtype=np.float32)
                hit_any = False
                for term in dict.fromkeys(form_terms):
                    hit = self._postings.get(term)
                    if hit is None:
                        continue
                    ids, norm = hit
                    form_scores[ids] += qw * self.idf(len(ids)) * norm
                    hit_any = True
                if hit_any:
                    best = form_scores if best is None else np.maximum(best, form_scores)
            if best is not None:
                scores += best
        return scores


# Credit for a unit found only in the sentence before (same paragraph).
CONTEXT_CREDIT = 0.6


def coverage(units: Sequence[QueryUnit], folded_text: str, context: str = "") -> float:
    """Weighted share of the question's units that the sentence contains (0..1).

    `context` is the preceding sentence of the paragraph: a sentence that says
    "누적 참가자는 ..." right after naming the programme still answers for it.
    """
    total = sum(u.weight for u in units)
    if total <= 0:
        return 0.0
    got = 0.0
    for unit in units:
        score = max(form_match(f, folded_text) for f in unit.forms)
        if score < 1.0 and context:
            score = max(score, CONTEXT_CREDIT * max(form_match(f, context) for f in unit.forms))
        got += unit.weight * score
    return got / total
