"""What the corpus itself says about its names, derived at index time from the documents.

Nothing here is written for one article: aliases come from parenthetical
pairs (`누리 칩(Nuri Chip)`, `Affective Computing (감성 컴퓨팅)`),
entities from how news copy marks names (capitalised Latin runs, model
versions such as `32B` or `R1`, quoted Hangul terms, names before a title
such as 회장 or 기자, organisation suffixes), and Latin <-> Hangul spellings
of the same name are joined by `knowledge.translit`. A profile depends only
on a document's text, so it is cached by the document's content hash.
"""
from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from knowledge import numbers, translit
from knowledge.locale import ko as ko_locale
from knowledge.locale import en as en_locale
from knowledge.locale import vocab
from knowledge.lexical import mentions
from knowledge.models import Document
from knowledge.text import ENGLISH_STOPWORDS, KOREAN_STOPWORDS, fold, is_hangul, korean_stems, words

# A name in parentheses after its other-script spelling: 누리 칩(Nuri Chip).
_PAREN = re.compile(r"\(([^()\n]{1,40})\)")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9&.+'’ -]*$")
_HANGUL_NAME = re.compile(r"^[\uac00-\ud7a3A-Za-z0-9 ·&-]+$")
# Capitalised Latin runs and versioned names: "Hanbit Electronics", "Nuri Chip", "GPT-4o", "9B", "X1".
_LATIN_RUN = re.compile(
    r"(?<![A-Za-z0-9'’-])(?:[A-Z][A-Za-z0-9&+.'’-]*|\d+(?:\.\d+)?[A-Za-z]+\b)(?:[ -](?:[A-Z][A-Za-z0-9&+.'’-]*|\d+(?:\.\d+)?[A-Za-z]*))*"
)
_VERSION = re.compile(r"(?<![A-Za-z0-9.])(?:\d+(?:\.\d+)?[A-Za-z]{1,2}|[A-Za-z]{1,3}\d+(?:\.\d+)?[A-Za-z]?)(?![A-Za-z0-9])")


def is_plain_unit(token: str) -> bool:
    """"10k", "1.5m", "300kg", "3d", "5th" are numbers with a unit or an ordinal, not a model's version."""
    return bool(re.fullmatch(r"\d+(?:\.\d+)?(?:k|m|km|cm|mm|kg|g|h|d|x|st|nd|rd|th|s)", token))
_QUOTED = re.compile(r"(?:(?<=[\s(\[])|^)['‘\"“]([^'’\"”\n]{2,20})['’\"”]")


# A romanised Korean surname is one syllable: consonants, one Korean vowel, a final consonant ("Saeon" is two).
_ONE_SYLLABLE = re.compile(r"[^aeiouwy]*(?:a|e|i|o|u|ae|eo|eu|oe|oi|oo|ee|ui|ue|wa|wo|we|wi|ya|yeo|yo|yu|ye|yae|wae|yoo|you|ou|ai)h?[^aeiouwy]*")
_COMMON_WORDS = frozenset(fold(f) for group in vocab.GROUPS for f in group)


@dataclass(frozen=True)
class DocumentProfile:
    """Names and aliases of one document (folded forms)."""

    source: str
    sha256: str
    aliases: tuple[tuple[str, str], ...] = ()
    entities: frozenset[str] = frozenset()
    persons: frozenset[str] = frozenset()
    versions: frozenset[str] = frozenset()


_SUBJECT = re.compile(r"(?<![\uac00-\ud7a3])([\uac00-\ud7a3]{3,8})(?:은|는|이|가|의)(?![\uac00-\ud7a3])")


def _recurring_subjects(texts: Sequence[str], entities: set[str]) -> set[str]:
    """Hangul names written without a kind or a Latin alias ("모아실리콘은 …"): a word of three or more
    syllables that the story makes its subject at least three times and that is no general word."""
    counts: dict[str, int] = defaultdict(int)
    for text in texts:
        for m in _SUBJECT.finditer(text):
            counts[m.group(1)] += 1
    return {w for w, n in counts.items() if n >= 3 and w not in _COMMON_WORDS and w not in KOREAN_STOPWORDS
            and not any(w in e for e in entities)}


def profile_document(doc: Document) -> DocumentProfile:
    # The title is read too: a headline often quotes the name the story is about ("… 새 AI 칩 '누리' 공개").
    title = (doc.title,) if doc.title else ()
    return _profile(doc.source, doc.sha256, title + tuple(s.text for s in doc.sentences))


@lru_cache(maxsize=256)
def _profile(source: str, sha256: str, texts: tuple[str, ...]) -> DocumentProfile:
    aliases: list[tuple[str, str]] = []
    entities: set[str] = set()
    persons: set[str] = set()
    versions: set[str] = set()
    # A capitalised word that also appears in lower case is a word, not a name ("Whether", "He").
    lower_words = {w for text in texts for w in re.findall(r"(?<![A-Za-z])[a-z][a-z'’-]*", text)}
    for text in texts:
        aliases.extend(parenthetical_aliases(text))
        for m in _LATIN_RUN.finditer(text):
            run = m.group(0)
            if re.match(r"[\uac00-\ud7a3]", text[m.end():m.end() + 1]):
                # "GPU 64장", "B 320억원": a number before a Korean counter is a figure, not part of the name.
                run = re.sub(r"[ -]\d+(?:\.\d+)?$", "", run)
            run = _trim_run(run)
            # "People who …": a capitalised vocabulary word opening a sentence is a word, not a name (AI stays).
            common = " " not in run and not run.isupper() and (fold(run) in _COMMON_WORDS or fold(run) in ENGLISH_STOPWORDS)
            if run and not common and not (" " not in run and run.lower() != run and run.lower() in lower_words):
                entities.add(fold(run))
                # "Haneul Cycle's SortSense 2.0": the owner and the thing owned are names of their own.
                for owned in re.split(r"['’]s\s+", run)[1:]:
                    part = _trim_run(owned)
                    if part and (" " in part or part.lower() not in lower_words):
                        entities.add(fold(part))
        versions.update(v for v in map(fold, _VERSION.findall(text)) if not is_plain_unit(v))
        for m in _QUOTED.finditer(text):
            term = m.group(1).split("(")[0].strip()
            # A quoted Hangul name, or one of mixed scripts ('K-링크').
            if (is_hangul(term[:1]) or re.match(r"[A-Za-z0-9]{1,3}-[\uac00-\ud7a3]", term)) and len(term.split()) <= 3:
                entities.add(fold(term))
        persons.update(_persons_before_titles(text))
        for m in en_locale.PERSON_AFTER_TITLE.finditer(text):
            persons.add(fold(m.group(1)))
        for m in en_locale.ROMANISED_KOREAN_NAME.finditer(text):
            persons.add(fold(m.group(1)))
        for m in ko_locale.ORGANISATION.finditer(text):
            entities.add(fold(m.group(0)))
        for m in ko_locale.COMPANY_NAME.finditer(text):
            name = m.group(1)
            if name not in ko_locale.NOT_COMPANY_NAMES and name not in _COMMON_WORDS and name not in KOREAN_STOPWORDS:
                entities.add(name)
    for a, b in aliases:
        entities.update((a, b))
        # A Korean personal name in parentheses after a romanised one: Jamie Park (박재민).
        for latin, hangul in ((a, b), (b, a)):
            if translit.is_latin(latin) and re.fullmatch(r"[\uac00-\ud7a3]{2,4}", hangul) and 2 <= len(latin.split()) <= 3 and \
                    _romanised_person(latin, hangul):
                persons.update((latin, hangul))
    # An event named with its year ("Hanbit AI Challenge 2025") is asked about without it too.
    for a, b in list(aliases):
        a_bare, b_bare = _without_year(a), _without_year(b)
        if a_bare and b_bare:
            aliases.append((a_bare, b_bare))
    entities.update(bare for e in list(entities) if (bare := _without_year(e)))
    entities.update(_heads(entities, [fold(t) for t in texts], lower_words))
    entities.update(_recurring_subjects(texts, entities))
    return DocumentProfile(source, sha256, tuple(dict.fromkeys(aliases)), frozenset(entities), frozenset(persons), frozenset(versions))


# A title is not a name ("사장은 …" before another title).
_TITLES = ("사장", "부사장", "대표", "회장", "부회장", "원장", "교수", "기자", "박사", "전무", "상무", "이사", "단장", "소장", "실장",
           "팀장", "국장", "장관", "차관", "의원", "총장", "본부장", "센터장", "위원장")


def _persons_before_titles(text: str) -> set[str]:
    """Names before a title ("오세린 대표", "홍길동 한빛그룹 회장"). A rejected word does not hide the name after it:
    "박사 출신인 오세린 대표" tries 박사, then 출신인, then 오세린."""
    found: set[str] = set()
    pos = 0
    while m := ko_locale.PERSON_BEFORE_TITLE.search(text, pos):
        # "재계 안팎에선 구 회장이": the title is 구's (a surname right before it), not the first word's.
        surname_first = re.fullmatch(r"[\uac00-\ud7a3]", m.group(0).split()[-1]) is not None and len(m.group(0).split()) > 1
        if m.group(1) not in _COMMON_WORDS and m.group(1) not in ko_locale.NOT_NAMES and not surname_first and \
                _has_surname(m.group(1)) and not m.group(1).startswith(_TITLES):
            found.add(m.group(1))
        pos = m.start(1) + 1
    return found


def _has_surname(hangul: str) -> bool:
    return hangul[:1] in ko_locale.SURNAMES or hangul[:2] in ko_locale.SURNAMES


def _romanised_person(latin: str, hangul: str) -> bool:
    """Is "Jamie Park (박재민)" / "구광모(Koo Kwang-mo)" a person: a Hangul name that starts with a surname, and a
    Latin one of two or three words of which the first or the last sounds like it ("Park" ~ 박)?"""
    words = latin.split()
    if not 2 <= len(words) <= 3 or not _has_surname(hangul) or ko_locale.ORGANISATION_NAME.match(hangul):
        return False
    surname = hangul[:2] if hangul[:2] in ko_locale.SURNAMES else hangul[:1]
    for word in (words[0], words[-1]):
        if surname in ko_locale.ROMANISED_SURNAMES.get(word, ""):
            return True
        ours, theirs = translit.skeleton(word.split("-")[0]), translit.skeleton(surname)
        if ours and theirs and ours[0] == theirs[0]:
            return True
    return False


def _without_year(name: str) -> str:
    """"z-ai hackathon 2025" -> "z-ai hackathon"; "" when no year ends it or little is left."""
    m = re.fullmatch(r"(.+?)\s+(?:19|20)\d{2}", name)
    bare = m.group(1).strip() if m else ""
    return bare if len(bare) >= 4 and bare not in _COMMON_WORDS and len(bare.split()) >= 2 else ""


def _heads(entities: Iterable[str], folded_texts: Sequence[str], lower_words: frozenset[str] | set[str] = frozenset()) -> set[str]:
    """Words of a multi-word name that the document also uses on their own ("누리" of "한빛 누리").

    News copy names a product in full once and by its head word afterwards; a
    question does the same. A word counts only when some sentence uses it
    without the rest of the name, and never when it is general vocabulary, a
    date word, or a Latin word the document also writes in lower case ("home").
    """
    from knowledge.lexical import mentions  # lexical imports this module's neighbours; keep the edge one-way

    heads: set[str] = set()
    for entity in entities:
        parts = entity.split()
        if len(parts) < 2:
            continue
        for part in parts:
            part = re.sub(r"['’]s$", "", part).strip("'’.-")
            if (len(part) < 2 or not re.search(r"[a-z\uac00-\ud7a3]", part) or part in lower_words
                    or numbers.is_month(part) or part in heads or part in _COMMON_WORDS or part in en_locale.STOPWORDS
                    or part.isdigit() or (part.isascii() and len(part) <= 2)):
                continue
            # A coined, hyphenated part ("z-ai", "zeta-q") names the thing even when never written alone.
            coined = bool(re.fullmatch(r"[a-z]{1,4}-[a-z0-9]{1,4}", part))
            if coined or any(mentions(part, t) and not mentions(entity, t) for t in folded_texts):
                heads.add(part)
    return heads


def parenthetical_aliases(text: str) -> list[tuple[str, str]]:
    """(form, other form) pairs from `X(Y)` where X and Y are in different scripts."""
    out = []
    for m in _PAREN.finditer(text):
        inner = m.group(1).strip()
        before = text[: m.start()].rstrip()
        if not inner or not before:
            continue
        inner_latin = translit.is_latin(inner) and bool(_LATIN_NAME.match(inner))
        inner_hangul = is_hangul(inner[:1]) and bool(_HANGUL_NAME.match(inner)) and len(inner.split()) <= 3
        if inner_latin:
            outer = _preceding_words(before, len(inner.split()), hangul=True)
            if not re.search(r"[\uac00-\ud7a3]", outer):
                continue
        elif inner_hangul:
            outer = _preceding_words(before, 4, hangul=False)
            if not translit.is_latin(outer) or not _LATIN_NAME.match(outer):
                continue
        else:
            continue
        if outer and fold(outer) != fold(inner):
            out.append((fold(outer), fold(inner)))
    return out


def _preceding_words(before: str, count: int, *, hangul: bool) -> str:
    """The name just before a parenthesis: up to `count` Hangul words, or a capitalised Latin run."""
    tail = re.split(r"['‘’\"“”「」『』<>《》\[\]]", before)[-1]
    tokens = tail.split()
    if hangul:
        picked = []
        for token in reversed(tokens):
            if len(picked) == count or not re.search(r"[\uac00-\ud7a3]", token):
                if picked or not re.fullmatch(r"[A-Za-z0-9]+", token):
                    break
            picked.insert(0, token)
            if len(picked) == count:
                break
        # "농기계 업체 한빛농기(Hanbit Agri)": a general word before the name is not part of it.
        while len(picked) > 1 and fold(picked[0]) in _COMMON_WORDS:
            picked.pop(0)
        return " ".join(picked)
    picked = []
    for token in reversed(tokens):
        # A brand written in lower case with capitals inside ("nuri-GEN", "iPhone") is a name just before the parenthesis.
        brand = not picked and re.fullmatch(r"[a-z][A-Za-z0-9.+&-]*[A-Z][A-Za-z0-9.+&-]*", token)
        if not (token[:1].isupper() or brand) or len(picked) == count:
            break
        picked.insert(0, token)
    return " ".join(picked)


def _trim_run(run: str) -> str:
    """Drop sentence-initial function words ("The", "At") from a capitalised run."""
    tokens = run.split()
    # A date inside a capitalised run ("May 20", "Between April 1") is no name: drop the month and its day.
    tokens = [t for i, t in enumerate(tokens) if not numbers.is_month(t.rstrip(","))
              and not (i > 0 and numbers.is_month(tokens[i - 1].rstrip(",")) and t.rstrip(",").isdigit())]
    while tokens and (fold(tokens[0]) in en_locale.STOPWORDS or fold(tokens[0]) in en_locale.PREPOSITIONS):
        tokens.pop(0)
    run = re.sub(r"['’]s$", "", " ".join(tokens)).strip(" -.,'’")
    # A name has letters: "20" left of "May 20" is not one.
    return run if len(run) >= 2 and re.search(r"[A-Za-z]", run) else ""


TRANSLITERATION_MEMORY = 4096


@dataclass
class CorpusProfile:
    """Every document's profile, and lookups across them."""

    profiles: dict[str, DocumentProfile] = field(default_factory=dict)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    entity_docs: dict[str, frozenset[str]] = field(default_factory=dict)
    _words: frozenset[str] = frozenset()
    _by_skeleton: dict[str, set[str]] | None = None
    _persons_ko: tuple[str, ...] | None = None
    _persons_latin: tuple[str, ...] | None = None
    _families: dict[str, frozenset[str]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    # Transliterations already looked up (questions repeat their words across checks); cleared when full.
    _spelled: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, documents: Sequence[Document]) -> "CorpusProfile":
        profiles = {d.source: profile_document(d) for d in documents}
        merged: dict[str, set[str]] = defaultdict(set)
        for profile in profiles.values():
            for a, b in profile.aliases:
                group = merged[a] | merged[b] | {a, b}
                for form in group:
                    merged[form] = group
        entity_docs: dict[str, set[str]] = defaultdict(set)
        for profile in profiles.values():
            for form in profile.entities | profile.persons | profile.versions:
                entity_docs[form].add(profile.source)
        # A name found in one article (quoted there: '누리-1') is named by every article that writes it.
        folded_docs = {d.source: fold(d.text) for d in documents}
        for form, docs in entity_docs.items():
            if len(form) >= 2:
                docs.update(src for src, text in folded_docs.items() if src not in docs and mentions(form, text))
        return cls(
            profiles=profiles,
            groups={form: tuple(sorted(group)) for form, group in merged.items()},
            entity_docs={form: frozenset(docs) for form, docs in entity_docs.items()},
            _words=frozenset(w for doc in documents for w in words(doc.text)),
        )

    def _skeleton_index(self) -> dict[str, set[str]]:
        """Corpus words by consonant skeleton, built on first use (start-up stays fast with many articles)."""
        with self._lock:
            if self._by_skeleton is None:
                index: dict[str, set[str]] = defaultdict(set)
                for word in self._words:
                    stems = korean_stems(word) if is_hangul(word) else [word]
                    if is_hangul(word) and word.endswith("인") and len(word) >= 4:
                        stems.append(word[:-1])  # "싱크탱크인", "플랫폼인": a loanword before the copula's 인 (which is)
                    for stem in stems:
                        if len(stem) >= 2:
                            for key in translit.skeletons(stem):
                                index[key].add(stem)
                    # An English plural is written without its s in Hangul: Tides 타이드, royalties 로열티.
                    if not is_hangul(word) and (singular := _singular(word)) != word:
                        for key in translit.skeletons(singular):
                            index[key].add(word)
                # A Latin name of a few words is often one word in Hangul (Nova Cycle, 노바사이클).
                people = {form for profile in self.profiles.values() for form in profile.persons}
                for entity in self.entity_docs:
                    # A Hangul name the corpus writes only inside a longer word ("누리" of "누리손해보험은").
                    if re.fullmatch(r"[\uac00-\ud7a3]{2,}", entity):
                        for key in translit.skeletons(entity):
                            index[key].add(entity)
                    parts = entity.split()
                    if 2 <= len(parts) <= 3 and entity not in people and all(re.fullmatch(r"[a-z]+", w) for w in parts):
                        for key in translit.skeletons(entity.replace(" ", "")) | translit.skeletons(_singular(entity).replace(" ", "")):
                            index[key].add(entity)
                self._by_skeleton = dict(index)
            return self._by_skeleton

    def families(self) -> dict[str, frozenset[str]]:
        """Product lines by name, with the single words that name their members: {"mira": {"lite", "max"}},
        {"koyo 4": {"pro", "mini"}}. A company with many divisions ("LG …") names more than a few and is no such line."""
        with self._lock:
            if self._families is None:
                heads: dict[str, set[str]] = defaultdict(set)
                for entity in self.entity_docs:
                    # The last word names the member; a versioned line keeps its number: "koyo 4 mini" of "koyo 4".
                    head, _, tail = entity.rpartition(" ")
                    if head and tail and not any(ch.isdigit() for ch in tail):
                        heads[head].add(tail)
                self._families = {h: frozenset(t) for h, t in heads.items()
                                  if 2 <= len(t) <= 5 and len(h) >= 2 and all(" " not in x for x in t)}
            return self._families

    def aliases_of(self, form: str) -> tuple[str, ...]:
        """Other spellings the corpus gives for `form` (parenthetical pairs)."""
        return tuple(f for f in self.groups.get(form, ()) if f != form)

    def transliterations(self, word: str) -> tuple[str, ...]:
        """Corpus words in the other script that sound like `word` (한빛 -> hanbit)."""
        if (known := self._spelled.get(word)) is not None:
            return known
        if len(self._spelled) >= TRANSLITERATION_MEMORY:
            self._spelled.clear()
        self._spelled[word] = found = self._transliterations(word)
        return found

    def _transliterations(self, word: str) -> tuple[str, ...]:
        index = self._skeleton_index()
        latin = translit.is_latin(word)
        found = {w for key in translit.skeletons(word) for w in index.get(key, ())}
        # A person's full Hangul name is surname + given name: one Latin word ("Serin") does not spell it.
        people = set(self._korean_persons()) if latin else set()
        return tuple(sorted(w for w in found if translit.is_latin(w) != latin and w not in people
                            and (translit.same_name(word, w) or translit.same_name(word, _singular(w)))))

    def surname_matches(self, token: str) -> tuple[str, ...]:
        """Korean personal names whose surname a short romanised token spells ("Park" -> 박재민, "Kim" -> 김영희)."""
        if not translit.is_latin(token) or len(token) > 5 or not _ONE_SYLLABLE.fullmatch(token.lower()):
            return ()
        key = translit.skeleton(token)
        written = ko_locale.ROMANISED_SURNAMES.get(token.lower(), "")
        if not key and not written:
            return ()
        names = set()
        for person in self._korean_persons():
            if person[0] in written or (not written and translit.skeleton(person[0]) == key):
                names.add(person)
        return tuple(sorted(names))

    def given_name_matches(self, token: str) -> tuple[str, ...]:
        """Korean personal names whose given name a romanised token spells ("Gil-dong" -> 홍길동)."""
        if not translit.is_latin(token) or not (3 <= len(token) <= 12):
            return ()
        key = translit.skeleton(token)
        if len(key) < 2:
            return ()
        return tuple(sorted(p for p in self._korean_persons()
                            if len(p) >= 3 and translit.skeleton(p[1:]) == key and translit.same_name(token, p[1:])))

    def romanised_matches(self, token: str) -> tuple[str, ...]:
        """Romanised Korean names in the articles that a Hangul name spells ("홍길동" -> "hong gil-dong"):
        the surname by the usual spellings or by sound, the given name by sound."""
        if not re.fullmatch(r"[\uac00-\ud7a3]{3,4}", token):
            return ()
        out = []
        for person in self._romanised_persons():
            surname, given = person.split(" ", 1)
            written = ko_locale.ROMANISED_SURNAMES.get(surname, "")
            if not (token[0] in written or (not written and translit.same_name(surname, token[0]))):
                continue
            if translit.skeleton(given) == translit.skeleton(token[1:]) and translit.same_name(given, token[1:]):
                out.append(person)
        return tuple(sorted(out))

    def _romanised_persons(self) -> tuple[str, ...]:
        """The articles' people written "Surname Given-name" in Latin letters, listed once."""
        if self._persons_latin is None:
            self._persons_latin = tuple(sorted({person for profile in self.profiles.values() for person in profile.persons
                                                if re.fullmatch(r"[a-z]{1,5} [a-z]{2,6}-[a-z]{2,6}", person)}))
        return self._persons_latin

    def _korean_persons(self) -> tuple[str, ...]:
        """The articles' people written in Hangul (2-4 syllables), listed once: names are matched per question."""
        if self._persons_ko is None:
            self._persons_ko = tuple(person for profile in self.profiles.values() for person in profile.persons
                                     if re.fullmatch(r"[\uac00-\ud7a3]{2,4}", person))
        return self._persons_ko

    def docs_naming(self, form: str) -> frozenset[str]:
        return self.entity_docs.get(form, frozenset())

    def entities_in(self, folded_question: str) -> list[str]:
        """Corpus entities (and aliases) that the question names, longest first, without overlaps."""
        found: list[str] = []
        taken: list[tuple[int, int]] = []
        for form in sorted(self.entity_docs, key=len, reverse=True):
            if len(form) < 2:
                continue
            for start in _occurrences(form, folded_question):
                end = start + len(form)
                if any(a < end and start < b for a, b in taken):
                    continue
                taken.append((start, end))
                found.append(form)
                break
        return found


def _occurrences(form: str, text: str) -> Iterable[int]:
    start = text.find(form)
    while start >= 0:
        end = start + len(form)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        latin_edge = form[:1].isascii() and (before.isascii() and before.isalnum())
        latin_tail = form[-1:].isascii() and (after.isascii() and after.isalnum())
        hangul_glued = is_hangul(form[:1]) and is_hangul(before)
        if not (latin_edge or latin_tail or hangul_glued):
            yield start
        start = text.find(form, start + 1)


def _singular(word: str) -> str:
    """An English plural's singular (tides -> tide, royalties -> royalty); other words as they are."""
    head, _, last = word.rpartition(" ")
    if len(last) <= 4 or not last.endswith("s") or last.endswith("ss"):
        return word
    return head + (" " if head else "") + (last[:-3] + "y" if last.endswith("ies") else last[:-1])
