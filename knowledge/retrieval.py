"""Hybrid retrieval over many documents: dense (Chroma) + lexical (BM25), scoped by entities.

Each passage carries the scores that ranked it and the features the answer
gate reads (`Passage.features`): dense similarity, coverage of the question's
terms, whether the names and versions the question uses occur in the
sentence, its paragraph or its document, and whether a figure of the asked
kind is there. A question that names a company, product or model is answered
from a sentence about that thing, not from a neighbour with similar numbers.
"""
from __future__ import annotations

import logging
import math
from collections import OrderedDict
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
import numpy as np
from pydantic import ConfigDict

from knowledge import numbers, translit
from knowledge.gate import GateParams, load_params, metric_missing, params_file
from knowledge.latent import LatentTerms
from knowledge.lexical import Aliases, LexicalIndex, QueryUnit, analyse, coverage, form_match, mentions
from knowledge.locale import en as en_locale
from knowledge.locale import ko as ko_locale
from knowledge.locale import vocab
from knowledge.models import Document, Passage, Sentence, Turn
from knowledge.profile import _VERSION, CorpusProfile, is_plain_unit
from knowledge.question import Question, is_follow_up, read_question
from knowledge.scoping import SUBJECT_AFTER, compared, name_spans, related, tied_figures
from knowledge.summary import key_sentences
from knowledge.text import ENGLISH_STOPWORDS, KOREAN_STOPWORDS, fold, is_hangul, korean_stem, korean_stems, normalize_question

log = logging.getLogger(__name__)

DenseSearch = Callable[[Sequence[float], int], list[tuple[Sentence, float]]]
# Stored vectors of some sentences, by `Sentence.key`; missing keys are embedded.
VectorLookup = Callable[[Sequence[Sentence]], dict[str, list[float]]]

# Weights of the fused ranking score; dense similarity is rescaled from the band
# in which multilingual-e5 cosines actually move (about 0.70 .. 0.92).
W_DENSE, W_BM25, W_COVERAGE, W_ENTITY, W_DOC, W_KIND = 0.35, 0.10, 0.40, 0.15, 0.10, 0.10
VERSION_MISS = 0.20
DENSE_FLOOR, DENSE_CEIL = 0.70, 0.92
# Sentence vectors remembered between questions (384 floats each: about 6 MB at most).
VECTOR_MEMORY = 4096
# Within-document word weights remembered, by (document, spellings); cleared when full.
LOCAL_MEMORY = 4096
# A best sentence about another stage or cohort than the asked one gives way to one of the next few
# candidates that is not, when that one holds at least this share of the ranking's belief.
PLACE_RERANK, PLACE_RERANK_SHARE = 5, 0.001
# A runner-up within this share of the best passage's score comes first when only it states the asked kind of figure.
KIND_RERANK_RATIO = 0.5
# A model size taken for a name ("8B", "2.4b"): written "8-billion-parameter" as well, it is no thing of its own.
_SIZE_NAME = re.compile(r"[\d.]+\s?[a-z]?")
# Below this prominence in its article (1.0: in the title or lede) a thing is mentioned in passing.
MINOR_PROMINENCE = 0.5
# A runner-up whose figure is the running total (or the round's own sum) asked, at this share of the best's belief.
TOTAL_RERANK_RATIO = 0.3
# A figure told as a running total, and a question that asks one ("so far" is not one: "the largest intake so far").
_TOTAL_LABEL = re.compile(r"누적|지금까지|통틀어|cumulative|to date|in total|brings? the total|altogether|all told")
_ASKS_THIS_ONE = re.compile(r"이번|올해|this (?:round|year|time)|latest|the (?:new |latest )?round|시리즈\s?[a-f](?![a-z])|series [a-f]\b")
_ASKS_TOTAL = re.compile(r"누적|지금까지|통틀어|총\s?(?:투자|금액|액수|규모|합)|cumulative|\btotal\b|to date|altogether|all told|in all\b")
# Kinds told by a unit of measure, which no other kind of figure is written with.
MEASURE_KINDS = frozenset({"weight", "power", "duration", "size"})
# A runner-up matching at least this share of the question's words, with at least this share of the best one's
# belief, replaces a best sentence matching none.
COVERED_RERANK, COVERED_RERANK_RATIO = 0.3, 0.5
# A sentence stating the asked year replaces the best one only when it covers at least this share of its words.
YEAR_RERANK_COVERAGE = 0.5
# Credit for a name found in the previous sentence / the document's title or lede / elsewhere in it.
CONTEXT_NAME, LEDE_NAME, DOC_NAME = 0.9, 0.8, 0.7
# A candidate naming the asked member of a product line replaces a best sentence about a sibling member when it
# is among this many and matches at least this share of the words the best one matches.
MEMBER_CANDIDATES = 8
MEMBER_RERANK_COVERAGE = 0.5
# Another article's figure for the same thing ("누적 참가자 1만2천명" in March, "1만7천명" in September) is shown
# beside the answer when its sentence is among the best three, holds this share of belief, matches the
# question's words as well and at least this much, names what the question names as closely (within the slack)
# and shares a name with the best sentence.
RIVAL_SHARE, RIVAL_COVERAGE, RIVAL_ENTITY_SLACK = 0.15, 0.5, 0.15
# A question asking why, and the words a sentence gives a reason or a purpose with.
_WHY = re.compile(r"\bwhy\b|what for\b|for what purpose|\bthe (?:reason|purpose|aim|goal)\b|왜|이유|목적|무엇 때문|뭐 때문|어째서")
_REASON = re.compile(r"위해|위한|때문|덕분|목적|이유|하고자|려고|(?:으)?로 인해|\b(?:because|due to|in order to|so that|so as to|"
                     r"aims? to|aimed at|the (?:reason|purpose|goal|aim)|thanks to|as a result of)\b", re.I)
# Sentences of the answering article tried for each part of a multi-part question.
PART_CANDIDATES = 4

_ROMANISED_PERSON = re.compile(r"(?<![A-Za-z])(?:([A-Z][a-z]{0,4}) ([A-Z][a-z]{1,5}-[a-z]{1,5})|([A-Z][a-z]{1,5}-[a-z]{1,5}) ([A-Z][a-z]{0,4}))(?![A-Za-z-])")
_LATIN_NAME = re.compile(r"(?<![A-Za-z0-9])([A-Z][A-Za-z0-9]*(?:[-'’.][A-Za-z0-9]+)*|[A-Za-z]+-?\d+[A-Za-z0-9.]*)")
# A name with a version number: 누리-4, Nuri2, 누리2는, Dami 3.0, 루나CX 2 (two-digit versions at most, not years).
_NAMED_VERSION = re.compile(
    r"(?<![A-Za-z0-9\uac00-\ud7a3])([A-Za-z][A-Za-z]+|[\uac00-\ud7a3]{2,}|[\uac00-\ud7a3]+[A-Za-z]+)(-|\s|)(\d{1,2}(?:\.\d)?)(?![0-9A-Za-z.])"
    # "미라봇2세대", "누리 3기": a counter after the number makes it a generation or a count, not a version.
    r"(?!\s?(?:세대|단계|차|기|명|개|대|년|월|일|위|등|배|곳|건|시간|분|초|억|만|천|조|원|%)(?![가-힣]{2}))"
)
# Words after a member's name that say it is one ("the Enterprise edition", "프로 모델", "Lite plan").
_EDITION_WORDS = frozenset("edition editions version tier plan model 에디션 모델 버전 요금제 제품 판".split())
# Words after a product family's name that name no member of it ("Mira model", "미라 시리즈").
_MEMBER_WORDS = frozenset("model models version versions series family line lineup 모델 버전 시리즈 계열 제품 라인업".split())
_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)")
# Parts of a web address that name no outlet.
_HOST_WORDS = frozenset({"www", "com", "net", "org", "news", "http", "https", "html", "co", "kr", "example"})
_SLACK_TOKEN = re.compile(r"<[@#!][^>]*>")
# A name with its version number glued on: "루나CX2", "Koyo4".
_GLUED_NUMBER = re.compile(r"(?<![\w.])([\uac00-\ud7a3A-Za-z][\w-]*?[\uac00-\ud7a3A-Za-z])(\d{1,2}(?:\.\d)?)(?![\w.])")
# Parenthesised aliases and quote marks, which may sit inside a versioned name: "'루미벤치(LumiBench) 4.0'".
_PLAIN = re.compile(r"\s?\([^()]{1,40}\)|['‘’\"“”]")


_ONE_PARTICLE = frozenset("은 는 이 가 을 를 의 도 와 과 랑 로 에 만")
_TWO_PARTICLES = frozenset("이랑 으로 에서 까지 부터 하고 에게 보다 처럼".split())


def _writes_any(names: Sequence[str], folded: str) -> bool:
    """Whether the text writes one of these names, a numbered one perhaps with an alias or quote marks inside."""
    return any(mentions(n, folded) or (n[-1].isdigit() and _names_version(n, folded)) for n in names)


def _bare_forms(token: str) -> set[str]:
    """A question word as written and without its particle, one ending at a time ("프로는" -> 프로, not only 프)."""
    if not is_hangul(token[:1]):
        return {token}
    forms = {token, *korean_stems(token)}
    if len(token) >= 3 and token[-1] in _ONE_PARTICLE:
        forms.add(token[:-1])
    if len(token) >= 4 and token[-2:] in _TWO_PARTICLES:
        forms.add(token[:-2])
    return forms


def _names_version(version: str, folded: str) -> bool:
    """Whether the folded text writes the version, perhaps with an alias or quote marks inside it, or by its number
    as a version ("4.0 버전", "version 4.0") in the article's own text."""
    if mentions(version, folded) or (("(" in folded or "'" in folded) and mentions(version, _PLAIN.sub("", folded))):
        return True
    m = re.search(r"(\d+\.\d+)$", version)
    return bool(m) and re.search(rf"(?<![\d.]){re.escape(m.group(1))}\s?버전|\bversion\s{re.escape(m.group(1))}(?![\d.])", folded) is not None
_GENERAL_FORMS = frozenset(fold(f) for group in vocab.GROUPS for f in group)


_NAMED_TEAM = re.compile(r"['‘\"“]([^'’\"”]{1,40})['’\"”]\s?(?:팀|team(?![a-z]))|\bteam\s['‘\"“]([^'’\"”]{1,40})['’\"”]", re.I)


def _english_word(token: str, text: str, *, vocabulary: bool = True) -> bool:
    """Is this Latin word of the question an English word rather than a name to spell in Hangul? A word of the
    general vocabulary, or an inflected one written in lower case ("rated" is no 라이트, "showing" no 쇼잉)."""
    if not token.isascii() or not token.isalpha():
        return False
    if vocabulary and token in _GENERAL_FORMS:
        return True
    return len(token) >= 5 and token.endswith(("ed", "ing", "ly")) and re.search(rf"(?<![A-Za-z]){token}(?![A-Za-z])", text) is not None


class HybridRetriever:
    """Finds the sentences that answer a question, in Korean or English, across documents."""

    def __init__(
        self,
        sentences: Sequence[Sentence],
        embeddings: Embeddings,
        dense_search: DenseSearch,
        candidates: int = 32,
        lexical: LexicalIndex | None = None,
        vector_lookup: VectorLookup | None = None,
        documents: Sequence[Document] | None = None,
        ranking: GateParams | None = None,
        terms: LatentTerms | None = None,
    ) -> None:
        self.sentences = list(sentences)
        self.embeddings = embeddings
        self.dense_search = dense_search
        self.candidates = candidates
        self.lexical = lexical or LexicalIndex([s.text for s in self.sentences])
        self.vector_lookup = vector_lookup

        self.documents = list(documents) if documents is not None else _documents_of(self.sentences)
        self.profile = CorpusProfile.build(self.documents)
        self.aliases = Aliases(
            [group for group in self.profile.groups.values()],
            transliterate=self.profile.transliterations,
        )
        self._by_key = {s.key: i for i, s in enumerate(self.sentences)}
        self._doc_folded = {d.source: fold(d.text) for d in self.documents}
        self._doc_text = {d.source: d.text for d in self.documents}
        # The same without parenthesised aliases and quote marks: "'루미벤치(LumiBench) 4.0'" names 루미벤치 4.0.
        self._doc_plain = {src: _PLAIN.sub("", text) for src, text in self._doc_folded.items()}
        self._language = {d.source: d.language for d in self.documents}
        self._persons = {source: p.persons for source, p in self.profile.profiles.items()}
        self._lede = {d.source: fold(" ".join([d.title] + [s.text for s in d.sentences[:2] if not s.credit])) for d in self.documents}
        self._doc_rows: dict[str, list[int]] = {}
        for i, sentence in enumerate(self.sentences):
            self._doc_rows.setdefault(sentence.source, []).append(i)
        # Each document's first sentence after any credit line: the lede, which touches every topic.
        self._lede_key = {src: next((self.sentences[i].key for i in rows if not self.sentences[i].credit), "")
                          for src, rows in self._doc_rows.items()}
        self._prominence_memo: dict[str, dict[str, float]] = {}
        self._naming_memo: dict[str, frozenset[str]] = {}  # names are the corpus's own: a bounded set
        self._doc_years: dict[str, frozenset[str]] = {}
        self._doc_year: dict[str, int | None] = {}
        self._doc_stages: dict[str, frozenset[tuple[float, str]]] = {}
        self._sibling_cache: dict[tuple[str, ...], frozenset[str]] = {}
        self._lines: dict[str, frozenset[str]] | None = None
        self._members: frozenset[str] = frozenset()
        self._compounds: list[tuple[str, frozenset[str], str]] | None = None
        self._all_people: frozenset[str] | None = None
        self._topics: dict[int, str] = {}  # sentence index -> its paragraph's topic sentence, or ""
        self._heads: dict[str, str] | None = None  # a name's first word that stands for it ("moa" -> "moa robotics")
        # Latent terms of every sentence, in this order (see `knowledge.latent`); None = not used.
        self.terms = terms if terms is not None and len(terms) == len(self.sentences) else None
        # The fitted ranking model (see `knowledge.gate_fit`), fitted with or without latent terms.
        self.ranking = ranking or load_params(params_file(self.terms is not None))
        # Within-document weights of question words, by (document, spellings); cleared when full.
        self._local_memo: dict[tuple[str, tuple[str, ...]], float] = {}
        self._vector_memory: OrderedDict[str, Any] = OrderedDict()
        # Set while the vector store is failing, so callers can say so.
        self.degraded: str | None = None
        self._overviews: dict[tuple[str, int], list[Sentence]] = {}
        self._figures: frozenset[float] | None = None
        self._kinds: tuple[frozenset[tuple[float, str]], dict[str, frozenset[str]]] | None = None
        # Names a figure can belong to (see `knowledge.scoping`); two-letter Latin names (AI, LG, TV) are too general.
        # A generation, cohort or stage ("2세대", "3기") is a figure, not a thing a figure belongs to.
        self.names = tuple(
            sorted(n for n in self.profile.entity_docs if n not in _GENERAL_FORMS and not (n.isalpha() and n.isascii() and len(n) <= 2)
                   and not numbers.is_ordinal_word(n))
        )

    # -- question analysis ------------------------------------------------------
    def units(self, question: str) -> list[QueryUnit]:
        return self.lexical.weigh(analyse(question, self.aliases))

    def prepare(self, raw: str, history: Sequence[Turn] = (), limit: int = 2000) -> Question:
        """Read the question and analyse it against this corpus (once per question)."""
        return self.analyse(read_question(raw, limit, history))

    def analyse(self, question: Question) -> Question:
        if question.intent not in ("ask", "summary", "byline"):
            return question
        question = replace(question, text=self._spaced_names(question.text))
        query = self._spaced_names(self._resolve_follow_up(question))
        units = self.units(query)
        # A romanised surname on its own ("Koo", "Park") names the article's person of that surname.
        for m in re.finditer(r"(?<![A-Za-z-])([A-Z][a-z]{1,4}(?:-[a-z]{1,5})?)(?![A-Za-z-])", question.text):
            # ... and a romanised given name ("Gil-dong") the article's person of that given name.
            people = self.profile.given_name_matches(m.group(1)) if "-" in m.group(1) else self.profile.surname_matches(m.group(1))
            folded_token = fold(m.group(1))
            if people and folded_token not in ENGLISH_STOPWORDS:
                units = [u for u in units if u.label != folded_token] + [QueryUnit(folded_token, people, weight=self.lexical.idf(1))]
        # A Korean name in Hangul names the person an English article writes "Hong Gil-dong".
        for i, unit in enumerate(units):
            if is_hangul(unit.label[:1]) and (people := self.profile.romanised_matches(korean_stem(unit.label))):
                units[i] = self.lexical.weigh([replace(unit, forms=tuple(dict.fromkeys(unit.forms + people)), known=True)])[0]
        # Names in the other script count too: "Nuri2" names 누리2, "한빛" names Hanbit.
        spelled = " ".join(f for u in units if not u.figure for f in u.forms if f != u.label and f not in _GENERAL_FORMS)
        # A name the question writes in the other script than the articles ("누리봇" for Nuribot, "Hanbit" for 한빛).
        spelled += " | " + " | ".join(t for u in units if u.label not in _GENERAL_FORMS and not _english_word(u.label, question.text)
                                      for t in self.profile.transliterations(korean_stem(u.label) if is_hangul(u.label[:1]) else u.label))
        # A name of several words in the other script: "Seoul Zeta Campus" is 서울 제타 캠퍼스, word by word.
        spelled += " | " + self._respelled(question.text)
        named_versions = self._version_spellings(question.text)
        # "Nuri-1" names 누리-1 when an article writes only that spelling.
        spelled += " | " + " | ".join(f for _, used in named_versions for f in used)
        spelled += " | " + " | ".join(self._translated_compounds(query))
        spelled += " | " + " | ".join(self._named_by_head(question.text))
        entities = tuple(self.profile.entities_in(fold(query) + " | " + spelled))
        unknown = tuple(self._unknown_names(question.text))
        if unknown:
            units = [replace(u, foreign=True) if any(fold(n) in u.forms or u.label == fold(n) for n in unknown) else u for u in units]
        plain = _SLACK_TOKEN.sub(" ", question.text)  # "<@U123>" is a user, not version U123
        versions = tuple(v for v in dict.fromkeys(fold(m) for m in _VERSION.findall(plain)) if not is_plain_unit(v))
        # A versioned known name must be named in an article's spelling; one no article mentions is unknown.
        versions += tuple(dict.fromkeys(f for _, used in named_versions for f in used if f not in versions))
        unknown_versions = tuple(asked for asked, used in named_versions if not used) + self._unknown_members(question.text)
        return replace(
            question,
            query=query,
            units=tuple(units),
            entities=entities,
            unknown_names=unknown,
            unknown_figures=tuple(self.unknown_figures(question.text)) + unknown_versions,
            versions=versions,
            members=self._asked_members(question.text),
        )

    def _named_by_head(self, text: str) -> list[str]:
        """A capitalised word that the articles write only as the first word of one name ("Moa" of Moa Robotics):
        the question names that thing by its short name. A word also written alone ("Seoul") names nothing."""
        if self._heads is None:
            by_head: dict[str, set[str]] = {}
            for entity in self.profile.entity_docs:
                parts = entity.split()
                if len(parts) >= 2 and re.fullmatch(r"[a-z]{3,}", parts[0]) and parts[0] not in ENGLISH_STOPWORDS \
                        and parts[0] not in _GENERAL_FORMS:
                    by_head.setdefault(parts[0], set()).add(entity)
            heads = {}
            for head, entities in by_head.items():
                alone = re.compile(rf"(?<![a-z0-9-]){head}(?![a-z0-9-])")
                full = [re.compile(rf"(?<![a-z0-9-]){re.escape(e)}(?![a-z0-9])") for e in entities]
                # Written alone nowhere, in neither script ("Hanbit" is also 한빛 of another article).
                if len(entities) == 1 and not self.profile.transliterations(head) and \
                        all(len(alone.findall(doc)) == sum(len(f.findall(doc)) for f in full) for doc in self._doc_folded.values()):
                    heads[head] = next(iter(entities))
            self._heads = heads
        return [self._heads[w] for w in dict.fromkeys(fold(m) for m in re.findall(r"(?<![A-Za-z])[A-Z][a-z]{2,}(?![A-Za-z])", text))
                if w in self._heads]

    def _translated_compounds(self, text: str) -> list[str]:
        """Names made of a Latin word and a Korean noun ("AI연구원", "LG전자") that the question writes with the
        noun in English, in lower case, right after the Latin word ("the AI research institute"): a thing, not a
        kind of people, and not another name ("AI Lab 2.0")."""
        folded = re.sub(r"(?<![A-Za-z])[A-Z][a-z]+", lambda m: "\0" * len(m.group(0)), text).lower()
        if self._compounds is None:
            # (Latin word, the English spellings of the Korean noun, the name), found once per corpus.
            self._compounds = [(m.group(1), frozenset(f for group in vocab.GROUPS if m.group(2) in group for f in group if f.isascii()), e)
                               for e in self.profile.entity_docs if (m := re.fullmatch(r"([a-z][a-z0-9]*)\s?([\uac00-\ud7a3]{2,})", e))]
        out = []
        for latin, forms, entity in self._compounds:
            if not forms:
                continue
            for m in re.finditer(rf"(?<![a-z0-9]){re.escape(latin)}\s+((?:[a-z-]+\s+)?[a-z-]+)", folded):
                words = m.group(1)
                if any(words == f or words.endswith(" " + f) for f in forms) and not numbers.counts_people(words):
                    out.append(entity)
        return out

    def _spaced_names(self, text: str) -> str:
        """A name typed without the space before its number ("루나CX2" for 루나CX 2, "Koyo4" for Koyo 4) is
        written as the articles write it, when they write it only with the space."""
        def spaced(m: re.Match[str]) -> str:
            glued, name = m.group(0), f"{m.group(1)} {m.group(2)}"
            folded = fold(name)
            if folded in self.profile.entity_docs and not any(fold(glued) in doc for doc in self._doc_folded.values()):
                return name
            return glued
        return _GLUED_NUMBER.sub(spaced, text)

    def _respelled(self, text: str) -> str:
        """The question with each word that sounds like a corpus word of the other script written in that
        script (the shortest such spelling), in order, so that names of several words are found whole."""
        out = []
        tokens = [fold(t) for t in re.findall(r"[A-Za-z]+|[\uac00-\ud7a3]+|\d+(?:\.\d+)?", _SLACK_TOKEN.sub(" ", text))]
        i = 0
        while i < len(tokens):
            word = tokens[i]
            # Two Hangul words may spell one Latin name of two words ("팀버 타이드" for Timber Tides), and two
            # Latin words one Hangul name written solid ("Daon Intelligence" for 다온인텔리전스).
            if i + 1 < len(tokens) and is_hangul(word[0]) and is_hangul(tokens[i + 1][0]):
                whole = [t for t in self.profile.transliterations(word + korean_stem(tokens[i + 1])) if " " in t]
                if whole:
                    out.append(min(whole, key=len))
                    i += 2
                    continue
            if i + 1 < len(tokens) and word.isalpha() and word.isascii() and tokens[i + 1].isalpha() and tokens[i + 1].isascii() \
                    and word not in ENGLISH_STOPWORDS and tokens[i + 1] not in ENGLISH_STOPWORDS \
                    and not self.profile.transliterations(tokens[i + 1]):  # "Seoul Zeta Campus" is 서울 제타 캠퍼스
                solid = [t for t in self.profile.transliterations(word + tokens[i + 1]) if len(t) >= 4]
                if solid:
                    out.append(min(solid, key=len))
                    i += 2
                    continue
            # Vocabulary words stay candidates here: a name may be made of them ("Seoul Zeta Campus").
            spellings = () if word in ENGLISH_STOPWORDS or _english_word(word, text, vocabulary=False) else \
                self.profile.transliterations(korean_stem(word) if is_hangul(word[0]) else word)
            out.append(min(spellings, key=len) if spellings else word)
            i += 1
        return " ".join(out)

    def _unknown_members(self, text: str) -> tuple[str, ...]:
        """"Mira Ultra", "미라 2.0 울트라" of a family whose named members are Mira Lite, Core and Max: a member
        no article names in any spelling is another thing, whose figures the articles do not give."""
        families = self.profile.families()
        if not families:
            return ()
        raw = re.findall(r"[A-Za-z]+|[\uac00-\ud7a3]+|\d+(?:\.\d+)?", _SLACK_TOKEN.sub(" ", text))
        tokens = [fold(t) for t in raw]
        out = []
        for i, token in enumerate(tokens[:-1]):
            head = korean_stem(token) if is_hangul(token[0]) else token
            numbered = re.fullmatch(r"\d+(?:\.\d+)?", tokens[i + 1]) is not None
            family = self._family_named(head, tokens[i + 1] if numbered else "", families)
            if not family:
                continue
            j = i + 2 if numbered and i + 2 < len(tokens) else i + 1
            word = tokens[j]
            # A member is written as a name: capitalised in Latin ("Mira Ultra"), after the version in Hangul ("미라 2.0 울트라").
            if (is_hangul(word[0]) and j == i + 1) or (not is_hangul(word[0]) and not raw[j][:1].isupper()):
                continue
            stem = korean_stem(word) if is_hangul(word[0]) else word
            if stem.isdigit() or stem in ENGLISH_STOPWORDS or stem in KOREAN_STOPWORDS or stem in _MEMBER_WORDS \
                    or any(st in self.aliases.by_form for st in (word, stem)) \
                    or any(mentions(stem, doc) for doc in self._doc_folded.values()) or self.profile.transliterations(stem) \
                    or translit.skeleton(stem) in {translit.skeleton(m) for m in families[family]}:
                continue  # a general word, a spelling of the articles, or a member in the other script ("미라 맥스")
            out.append(f"{token} {word}")
        return tuple(dict.fromkeys(out))

    def _latinised(self, text: str) -> str:
        """The folded text with each Hangul word that sounds like a Latin corpus word written in Latin ("케스트럴 K3"
        -> "kestrel k3"), the rest as it is."""
        def spelled(m: re.Match[str]) -> str:
            found = self.profile.transliterations(korean_stem(m.group(0)))
            return min(found, key=len) if found else m.group(0)
        return re.sub(r"[\uac00-\ud7a3]+", spelled, fold(_SLACK_TOKEN.sub(" ", text)))

    def _family_named(self, word: str, number: str, families: Mapping[str, frozenset[str]]) -> str:
        """The product line a question word (and the version number after it) names, in either script:
        "코요" "4" names "koyo 4", "하람" "2" names "하람2", "Mira" names "mira"."""
        for spelling in (word, *self.profile.transliterations(word)):
            for name in ((f"{spelling} {number}", f"{spelling}{number}", f"{spelling}-{number}") if number else ()) + (spelling,):
                if name in families:
                    return name
        return ""

    def _product_lines(self) -> dict[str, frozenset[str]]:
        """The families whose members are names, not general words ("LG AI" and "LG AI연구원" are no line of LG's).
        A numbered sibling counts as a member too: SortSense Lite beside SortSense 2.0 is a line of two."""
        if self._lines is None:
            lines = {f: set(m for m in members if m not in _GENERAL_FORMS) for f, members in self.profile.families().items()}
            words: dict[str, set[str]] = {}
            for entity in self.profile.entity_docs:
                head, _, tail = entity.rpartition(" ")
                if len(head) >= 2 and tail and not any(ch.isdigit() for ch in tail) and tail not in _GENERAL_FORMS:
                    words.setdefault(head, set()).add(tail)
            editions = set()
            for head, tails in words.items():
                numbered = self._numbered_siblings(head)
                if numbered and len(tails) + len(numbered) >= 2:
                    lines.setdefault(head, set()).update(tails | numbered)
                elif head[-1].isdigit() and head in self.profile.entity_docs and not lines.get(head):
                    # A versioned product named on its own and with one edition word ("Kestrel K3" and "Kestrel K3
                    # Mini", "패스파인더 3" and "패스파인더 3 미니") is a line of two: the product and its edition.
                    lines[head] = set(tails)
                    editions.add(head)
            self._lines = {f: frozenset(members) for f, members in lines.items() if len(members) >= 2 or f in editions}
            self._members = frozenset(m for members in self._lines.values() for m in members)
        return self._lines

    def _numbered_siblings(self, head: str) -> set[str]:
        """The version numbers the articles write after a name ("2.0" of "sortsense 2.0", "2" of "하람2")."""
        out = set()
        for entity in self.profile.entity_docs:
            if entity.startswith(head) and (m := re.fullmatch(r"[\s-]?(\d{1,2}(?:\.\d)?)", entity[len(head):])):
                out.add(m.group(1))
        return out

    def _member_words(self) -> frozenset[str]:
        """The words that name members of product lines, in any article ("pro", "mini", "라이트")."""
        self._product_lines()
        return self._members

    def _asked_members(self, text: str) -> tuple[str, ...]:
        """Members of known product lines the question asks about, as their articles write them ("누리3 라이트",
        "koyo 4 mini"): a member word in either script ("프로" for Pro, "Enterprise" for 엔터프라이즈) after the
        line's name, or before an edition word ("the Enterprise edition", "프로 모델")."""
        families = self._product_lines()
        if not families:
            return ()
        tokens = [fold(t) for t in re.findall(r"[A-Za-z]+|[\uac00-\ud7a3]+|\d+(?:\.\d+)?", _SLACK_TOKEN.sub(" ", text))]
        stems = [korean_stem(t) if is_hangul(t[0]) else t for t in tokens]
        bare = [_bare_forms(t) for t in tokens]
        # The name as written and as stemmed: "코요" is no 코 with the ending 요.
        named = {self._family_named(w, stems[i + 1] if i + 1 < len(stems) and stems[i + 1][0].isdigit() else "", families)
                 for i, (t, st) in enumerate(zip(tokens, stems)) for w in {t, st} if not w[0].isdigit()} - {""}
        # A line whose version is glued to letters ("Kestrel K3", "케스트럴 K3"), named in either script.
        latin = self._latinised(text)
        named |= {f for f in families if f[-1].isdigit() and (mentions(f, latin) or mentions(f, fold(text)))}
        out = []
        for i, (token, word, forms) in enumerate(zip(tokens, stems, bare)):
            if word[0].isdigit():
                # "씨패스 2.0" of a line whose members are Lite and 2.0: the numbered member is asked.
                if i and (family := self._family_named(stems[i - 1], "", families)) and token in families[family]:
                    out.append(f"{family} {token}")
                continue
            if token in ENGLISH_STOPWORDS or token in KOREAN_STOPWORDS:
                continue
            edition = i + 1 < len(stems) and (tokens[i + 1] in _EDITION_WORDS or stems[i + 1] in _EDITION_WORDS)
            for family, members in families.items():
                # A line the question names is the one asked about; without one, "the Enterprise edition" names its own.
                if family not in named and (named or not (edition and len(token) >= 2)):
                    continue
                for member in members:
                    # "프로" is a name, not 프 with the particle 로: the word as written counts as well as its stem.
                    if (member in forms or any(len(w) >= 2 and translit.is_latin(w) != translit.is_latin(member)
                                               and translit.same_name(w, member) for w in forms)) \
                            and (len(member) >= 2 or family in named):
                        out.append(f"{family} {member}")
        return tuple(dict.fromkeys(out))

    def _member_miss(self, question: Question, sentence: Sentence, *, clash: bool = False) -> float:
        """1.0 when the question asks about a member of a product line ("Koyo 4 Mini") and the sentence of that
        line's article does not name it; with `clash`, only when it names another member instead ("Koyo 4 Pro
        scored 95.1%"): the figure is the sibling's. The sentence before speaks for one that names no member."""
        miss = 0.0
        for asked in question.members:
            family, _, member = asked.rpartition(" ")
            if sentence.source not in self.profile.docs_naming(asked):
                continue
            # A numbered sibling is named with its line's name ("SortSense 2.0"), a member word on its own too ("the Pro
            # model"), in either script ("라이트" for Lite).
            others = [s for m in self._product_lines().get(family, ()) if m != member for s in self._member_spellings(family, m)]
            spellings = self._member_spellings(family, member)
            own = self._own_text(sentence)
            if _writes_any(spellings, own):
                return 0.0
            if _writes_any(others, own):
                miss = 1.0
            elif not clash:
                context = self._context(sentence)
                told = any(mentions(m, context) for m in spellings) or _names_version(asked, context)
                miss = max(miss, 0.0 if told and not _writes_any(others, context) else 1.0)
        return miss

    def _version_spellings(self, text: str) -> list[tuple[str, list[str]]]:
        """Each versioned known name in the question ("누리-3", "Nuri-3"), with the spellings of it that
        some article uses (in either script; empty when no article mentions that version).

        The used spellings are versions the sentence must name (누리-3 is not answered from a sentence
        about 누리-2); a version no article mentions ("누리-4", "Nuri4" when only 누리-2/3 exist) is a
        different thing the articles say nothing about."""
        out = []
        for m in _NAMED_VERSION.finditer(_SLACK_TOKEN.sub(" ", text)):
            name, sep, number = fold(m.group(1)), m.group(2), m.group(3)
            if name not in self.profile.entity_docs and not self.profile.transliterations(name):
                continue  # a name no article writes ("Nuri-1" counts when an article writes 누리, 미라마인드 when Miramind)
            spellings = (name,) + self.profile.aliases_of(name) + self.profile.transliterations(name)
            if sep == " " and "." not in number and not any(f"{s} {number}" in self.profile.entity_docs for s in spellings):
                continue  # "두리 7기", "한빛 4개": a count after a name, not a version, unless an article names one so ("Mira 3")
            forms = dict.fromkeys(f"{s}{joint}{number}" for s in spellings for joint in ("-", "", " "))
            used = [f for f in forms if any(mentions(f, doc) for docs in (self._doc_folded, self._doc_plain) for doc in docs.values())]
            if not used:
                # "Unlike version 1.0, Nuribot 2.0 …": an article about the name may write the version on its own.
                own = [self._doc_folded[src] for s in spellings for src in self.profile.docs_naming(s) if src in self._doc_folded]
                used = [f for f in (f"version {number}", f"버전 {number}", f"{number} 버전", f"{number} version", f"v{number}")
                        if any(mentions(f, doc) for doc in own)]
            out.append((m.group(0), used))
        return out

    def unknown_figures(self, question: str) -> list[str]:
        """Figures the question names that no sentence states (see `knowledge.numbers`)."""
        if self._figures is None:
            self._figures = numbers.values(s.text for s in self.sentences)
        return numbers.unknown_figures(question, self._figures, self._figure_kinds()[0])

    def _figure_kinds(self) -> tuple[frozenset[tuple[float, str]], dict[str, frozenset[str]]]:
        """(value, kind) of every figure stated, and the kinds each article states: one pass, on first use."""
        if self._kinds is None:
            by_doc: dict[str, set[tuple[float, str]]] = {}
            for sentence in self.sentences:
                by_doc.setdefault(sentence.source, set()).update(numbers.kinded_values([sentence.text]))
            self._kinds = (frozenset().union(*by_doc.values()),
                           {src: frozenset(kind for _, kind in pairs) for src, pairs in by_doc.items()})
        return self._kinds

    def _unknown_names(self, text: str) -> list[str]:
        """Proper names in the question that no document mentions in any spelling."""
        out = []
        first = True
        text = _SLACK_TOKEN.sub(" ", text)  # <@U024BE7LH>, <#C123|general>: ids, not names
        out.extend(self._unknown_persons(text))
        previous: str | None = None  # the name just before, when only a space separates them
        last_end = -2
        for m in _LATIN_NAME.finditer(text):
            token = re.sub(r"['’]s$", "", m.group(1).rstrip("."))
            at_start = first and not text[: m.start()].strip()
            first = False
            before = previous if text[last_end : m.start()].strip() == "" else None
            previous, last_end = token, m.end()
            if at_start and token.istitle():
                continue
            if "-" in token and self.profile.given_name_matches(token):
                continue  # "Gil-dong": a romanised given name of an article's person
            parts = [p for p in token.split("-") if p and not p[0].isdigit()] or [token]
            # "Nuri-based", "AI-first": a compound is known when any of its name parts (not general words) is;
            # only the first part follows the name before it.
            names = [(i, p) for i, p in enumerate(parts)
                     if len(parts) == 1 or (fold(p) not in ENGLISH_STOPWORDS and fold(p) not in _GENERAL_FORMS)]
            if names and not any(self._known_name(p, before if i == 0 else None) for i, p in names):
                out.append(token)
        for m in ko_locale.ORGANISATION.finditer(text):
            name = fold(m.group(0)).strip()
            if not any(name in doc for doc in self._doc_folded.values()) and not self.profile.transliterations(name):
                # "두리그룹" of an article that writes "Duri Group": the name before the kind decides.
                bare = ko_locale.ORGANISATION_NAME.match(name)
                if bare and (self.profile.transliterations(bare.group(1))
                             or any(mentions(bare.group(1), doc) for doc in self._doc_folded.values())):
                    continue
                out.append(m.group(0))
        return out

    def _unknown_persons(self, text: str) -> list[str]:
        """Romanised Korean full names ("Lee Min-su", "Min-su Lee") whose surname and given name
        do not belong to one person of the articles: a different person, even when each part is common."""
        out = []
        for m in _ROMANISED_PERSON.finditer(text):
            surname, given = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            by_surname = self.profile.surname_matches(surname)
            if not by_surname and surname.lower() not in ko_locale.ROMANISED_SURNAMES:
                continue  # not a Korean name at all
            if not set(by_surname) & set(self.profile.given_name_matches(given)):
                out.append(m.group(0))
        return out

    def _known_name(self, token: str, before: str | None) -> bool:
        """Whether some article writes `token` in any spelling; `before` is the name written just before it."""
        folded = fold(token)
        if len(folded) < 2 or folded in ENGLISH_STOPWORDS or folded in _GENERAL_FORMS or numbers.is_month(folded):
            return True
        # "GPU" of an article that writes only "GPUs", and the reverse.
        numbered = (folded, folded + "s", folded[:-1] if folded.endswith("s") and len(folded) > 3 else folded)
        if any(mentions(form, doc) for doc in self._doc_folded.values() for form in numbered):
            return True
        # A unit written glued to its figures ("256TOPS", "45W"): a word of the article all the same.
        if len(folded) >= 2 and any(re.search(rf"\d{re.escape(folded)}(?![a-z])", doc) for doc in self._doc_folded.values()):
            return True
        if self.profile.transliterations(folded) or self.profile.aliases_of(folded) or self.profile.surname_matches(token) \
                or self.profile.given_name_matches(token):
            return True
        return before is not None and self._follows_in_hangul(fold(before), folded)

    def _follows_in_hangul(self, before: str, word: str) -> bool:
        """"Hanbit Deep": a word too short to transliterate alone is known when an article writes the
        name before it in Hangul followed by a word that sounds like it (한빛 딥)."""
        keys = translit.skeletons(word)
        if not keys:
            return False
        for hangul in self.profile.transliterations(before):
            for doc in self._doc_folded.values():
                for m in re.finditer(re.escape(hangul) + r"[\s-]?([\uac00-\ud7a3]+)", doc):
                    if any(translit.skeleton(w) in keys for w in (m.group(1), korean_stem(m.group(1)))):
                        return True
        return False

    def _resolve_follow_up(self, question: Question) -> str:
        """"그럼 경량 모델은?" after a question about a model -> add that model's name."""
        text = question.text
        if not question.history:
            return text
        names = self.profile.entities_in(fold(text))
        if names and not is_follow_up(text):
            return text
        for turn in reversed(question.history):
            previous = fold(normalize_question(turn.question))
            topic = [n for n in self.profile.entities_in(previous) if n not in names]
            if topic:
                return f"{text} {' '.join(dict.fromkeys(topic))}"
        return text

    # -- search -------------------------------------------------------------------
    def search(self, question: str | Question, k: int = 3, *, join: bool = True, within: str | None = None) -> list[Passage]:
        """The k best sentences; with `join`, the first is joined with a continuation (see `_with_continuation`);
        `within` a source file, every sentence of that article and no other is a candidate."""
        if isinstance(question, str):
            question = self.prepare(question)
        text = question.query or question.text
        if not text:
            return []
        units = list(question.units)
        found: dict[str, dict[str, Any]] = {}
        vector = self.embeddings.embed_query(text)
        try:
            dense_hits = self.dense_search(vector, self.candidates)
            self.degraded = None
        except Exception as exc:  # a Chroma server that went away: answer from the lexical side
            log.warning("vector store unavailable (%s: %s); lexical retrieval only", type(exc).__name__, exc)
            dense_hits = []
            self.degraded = f"vector store unavailable: {type(exc).__name__}"
        for sentence, cosine in dense_hits:
            found.setdefault(sentence.key, {"sentence": sentence, "dense": cosine, "bm25": 0.0})
        sparse = self._sparse_scores(text)
        if sparse is not None and len(sparse):
            # The sentences that share the most latent terms are candidates too (across languages).
            wanted = min(self.candidates // 2, len(sparse))
            best = np.argpartition(-sparse, wanted - 1)[:wanted] if wanted < len(sparse) else np.arange(len(sparse))
            for index in sorted(best.tolist(), key=lambda i: (-sparse[i], i)):
                sentence = self.sentences[int(index)]
                found.setdefault(sentence.key, {"sentence": sentence, "dense": None, "bm25": 0.0})
        lexical_hits = self.lexical.search(units, self.candidates)
        for index, bm25 in lexical_hits:
            sentence = self.sentences[index]
            entry = found.setdefault(sentence.key, {"sentence": sentence, "dense": None, "bm25": 0.0})
            entry["bm25"] = bm25
        # Sentences of the documents the question names, so entity scoping has candidates to keep.
        for index in self._named_candidates(question, found):
            sentence = self.sentences[index]
            found.setdefault(sentence.key, {"sentence": sentence, "dense": None, "bm25": 0.0})
        if within is not None:
            found = {key: e for key, e in found.items() if e["sentence"].source == within}
            for index in self._doc_rows.get(within, ()):
                sentence = self.sentences[index]
                found.setdefault(sentence.key, {"sentence": sentence, "dense": None, "bm25": 0.0})
        missing = [e for e in found.values() if e["dense"] is None]
        if missing:
            # Lexical-only candidates still need a dense score to be fused fairly.
            stored = self._vectors([e["sentence"] for e in missing])
            for entry in missing:
                entry["dense"] = _cosine(vector, stored[entry["sentence"].key])
        # The sentence before, in the same paragraph: a sentence that says "it" or "그는" is about what it names.
        previous = {e["sentence"].key: p for e in found.values() if (p := self._previous(e["sentence"])) is not None}
        previous_vectors = self._vectors(list({p.key: p for p in previous.values()}.values())) if previous else {}
        weights = self._entity_weights(question.entities)
        doc_affinity = self._doc_affinity(weights)
        focus = self._focus(weights)
        # The question's predicate (what it asks about its names) is what separates sentences of one article.
        predicate = [u for u in units if not _names_unit(u, question.entities)] or units
        predicate_bm25 = self.lexical.scores(predicate)
        asked_years = numbers.years(question.folded)
        top_predicate = float(predicate_bm25.max()) if len(predicate_bm25) else 0.0
        passages = []
        local_weights: dict[str, list[float]] = {}
        for entry in found.values():
            sentence: Sentence = entry["sentence"]
            if sentence.credit and question.intent != "byline":
                continue
            features = self._features(question, sentence, float(entry["dense"]), weights, doc_affinity, predicate)
            if sentence.source not in local_weights:
                local_weights[sentence.source] = self._local_weights(sentence.source, predicate)
            features["local_cov"] = _weighted_coverage(predicate, local_weights[sentence.source], fold(sentence.text))
            features["lede"] = 1.0 if sentence.key == self._lede_key.get(sentence.source) else 0.0
            # The year the question sets, stated by the sentence or the one before it.
            features["year"] = 1.0 if asked_years and asked_years & self._stated_years(sentence) else 0.0
            features["focus"] = focus.get(sentence.source, 0.0)
            features["sparse"] = float(sparse[self._by_key[sentence.key]]) if sparse is not None else 0.0
            before = previous.get(sentence.key)
            prev_dense = _cosine(vector, previous_vectors[before.key]) if before is not None else float(entry["dense"])
            features["dense_prev"] = _scaled(max(prev_dense, float(entry["dense"])))
            index = self._by_key[sentence.key]
            features["bm25"] = float(predicate_bm25[index]) / top_predicate if top_predicate > 0 else 0.0
            passages.append(Passage(sentence=sentence, score=0.0, dense=float(entry["dense"]), lexical=features["coverage"],
                                    features=features, context=self._context(sentence)))
        if any(p.features["doc"] > 0 for p in passages):
            # Entity scoping: when some article names the question's companies, products or models, a sentence
            # from an article that names none of them is about something else, however well its words match.
            # An article that names only a small share of them ("LG" in passing, when the question is about
            # LG Aimers, which another article is about) is not the question's subject either.
            best = max(p.features["doc"] for p in passages)
            passages = [p for p in passages if p.features["doc"] > 0 and p.features["doc"] >= MINOR_DOC * best]
        if not passages:
            return []
        # Cosines across languages run lower than within one: each sentence is also compared with the
        # best candidate of its own article language, so an English question can still pick a Korean article.
        best_in_language: dict[str, float] = {}
        for p in passages:
            lang = self._language.get(p.sentence.source, "")
            best_in_language[lang] = max(best_in_language.get(lang, 0.0), p.features["dense_scaled"])
        # How well the sentence's whole article matches: the mean of its two best candidates.
        by_doc: dict[str, list[float]] = {}
        for p in passages:
            by_doc.setdefault(p.sentence.source, []).append(p.features["dense_lang_raw"] if "dense_lang_raw" in p.features else p.features["dense_scaled"])
        doc_dense = {src: sum(sorted(v, reverse=True)[:2]) / min(2, len(v)) for src, v in by_doc.items()}
        for p in passages:
            lang = self._language.get(p.sentence.source, "")
            p.features["dense_lang"] = p.features["dense_scaled"] - best_in_language[lang]
            p.features["doc_dense"] = doc_dense[p.sentence.source] - best_in_language[lang]
            p.features["logit"] = self.ranking.rank_logit(p.features)
        # Scores are a softmax over the candidates: the share of belief that each one is the answer.
        top_logit = max(p.features["logit"] for p in passages)
        weights = [math.exp(p.features["logit"] - top_logit) for p in passages]
        total = sum(weights)
        passages = [replace(p, score=w / total) for p, w in zip(passages, weights)]
        passages.sort(key=lambda p: (-p.score, p.sentence.source, p.sentence.start))
        passages = self._prefer_stated_place(question, passages)
        passages = self._prefer_stated_kind(question, passages)
        passages = self._prefer_asked_total(question, passages)
        passages = self._prefer_asked_member(question, passages)
        passages = self._prefer_stated_reason(question, passages)
        passages = self._prefer_covered(question, passages)
        passages = self._prefer_article_about(question, passages)
        top = passages[:k]
        first = self._with_continuation(top[0].sentence) if join else top[0].sentence
        if first is not top[0].sentence:
            # The joined sentence is not shown twice.
            inside = lambda p: p.sentence.source == first.source and first.start <= p.sentence.start and p.sentence.end <= first.end  # noqa: E731
            top = [replace(top[0], sentence=first)] + [p for p in passages[1:] if not inside(p)][: k - 1]
        if len(passages) > 1:
            # How clearly the best passage wins: a gate feature.
            top[0].features["margin"] = passages[0].score - max(p.score for p in passages[1:])
        top[0].features["top_p"] = passages[0].score
        top[0].features["kind_absent_doc"] = self._kind_absent(question, top[0].sentence.source)
        top[0].features["sibling_version"] = max(self._sibling_version(question, top[0].sentence),
                                                 self._generation_clash(question, top[0].sentence),
                                                 self._sibling_member(question, top[0].sentence))
        top[0].features["year_clash"] = self._year_clash(question, top[0].sentence)
        top[0].features["place_clash"] = self._place_clash(question, top[0].sentence)
        top[0].features["place_absent"] = self._place_absent(question, top[0].sentence.source)
        top[0].features["subject_absent"] = max(self._subject_absent(question, top[0].sentence),
                                                self._minor_absent(question, top[0].sentence))
        top[0].features["counted_absent"] = self._counted_absent(question, top[0].sentence)
        top[0].features["absent_doc"] = self._absent_in_document(predicate, top[0].sentence.source)
        top[0].features["head_absent"] = self._head_absent(question, top[0].sentence.source)
        return [replace(p, rank=i + 1) for i, p in enumerate(top)]

    def rival(self, question: Question, passages: Sequence[Passage]) -> int | None:
        """The index of a passage from another article that states the asked figure for the same thing as the best
        passage, or None. Teams add articles over time, so two of them may give one figure at different dates
        (a running total, a head count): the user should see both rather than one picked silently."""
        if not (question.wants or question.asks == "quantity") or len(question.parts) > 1 or not passages:
            return None
        top = passages[0]
        tf = top.features
        if tf.get("coverage", 0.0) < RIVAL_COVERAGE or tf.get("kind", 0.0) < 1.0:
            return None
        shared: set[str] | None = None  # the names near the best sentence, read only when a candidate qualifies
        for i, p in enumerate(passages[1:3], start=1):
            f = p.features
            if p.sentence.source == top.sentence.source or p.score < RIVAL_SHARE or f.get("kind", 0.0) < 1.0 \
                    or f.get("version_miss", 0.0) or f.get("coverage", 0.0) < tf.get("coverage", 0.0) \
                    or f.get("entity", 1.0) < tf.get("entity", 1.0) - RIVAL_ENTITY_SLACK:
                continue
            if shared is None:
                near = self._near_text(top.sentence)
                shared = {n for n in self.names if n in near and mentions(n, near)}
            other = self._near_text(p.sentence)
            if any(n in other and mentions(n, other) for n in shared):
                return i
        return None

    def _sibling_version(self, question: Question, sentence: Sentence) -> float:
        """1.0 when the question names a version ("3B", "2.0-14B") and the sentence, with the one before it,
        misses one of the asked versions but names another version its article knows: it is about a sibling."""
        if not question.versions or (question.asks not in ("quantity", "when", "who") and not question.wants):
            return 0.0
        own = self._own_text(sentence)
        # The sentence before (or the paragraph's topic) speaks for this one only when this one names no sibling
        # ("Z2는 …" after "… Z1") other than as what it is compared with.
        text = own if any(mentions(v, own) and not compared(own, v) for v in self._siblings(question)) \
            else f"{self._near_text(sentence)} {self._topic(sentence)}"
        asked = [fold(v) for v in question.versions]
        missing = {_version_family(v) for v in asked if not _names_version(v, text)} - {""}
        if not missing:
            return 0.0
        return 1.0 if any(mentions(v, text) and (_version_family(v) in missing or any(v.startswith(f + " ") for f in missing))
                          for v in self._siblings(question)) else 0.0

    def _prefer_asked_member(self, question: Question, passages: list[Passage]) -> list[Passage]:
        """When the best sentence is about another member of the asked product line ("Koyo 4 Pro scored 95.1%"
        for Koyo 4 Mini), a close candidate of the same article that names the asked member comes first, if it
        matches at least half as many of the question's words ("Koyo 4 Mini scored 90.2% on the same test")."""
        if not question.members or len(passages) < 2 or not self._member_miss(question, passages[0].sentence, clash=True):
            return passages
        top = passages[0]
        for i, p in enumerate(passages[1:MEMBER_CANDIDATES], 1):
            if p.sentence.source == top.sentence.source and p.features["coverage"] >= MEMBER_RERANK_COVERAGE * top.features["coverage"] \
                    and not self._member_miss(question, p.sentence):
                return _promote(passages, i, discard=True)  # the belief in the sentences about a sibling member moves to it
        return passages

    def _prefer_stated_reason(self, question: Question, passages: list[Passage]) -> list[Passage]:
        """A "why" question ("Why did he set up the institute?", "출범 목적은?") whose best sentence gives no reason
        or purpose, or a "what is X" question whose best sentence does not say what X is: a close runner-up of the
        same article that matches as many of its words and does ("… 역할 수행을 위해 … 출범시켰다") comes first."""
        if len(passages) < 2:
            return passages
        if _WHY.search(question.folded) and not _REASON.search(passages[0].sentence.text):
            answers = lambda p: bool(_REASON.search(p.sentence.text))  # noqa: E731
        elif question.asks == "definition" and not passages[0].features.get("definition"):
            # "What is agentic AI?": the sentence that says what it is ("'에이전틱 AI'는 … AI를 말한다"), not one naming it.
            answers = lambda p: bool(p.features.get("definition"))  # noqa: E731
        else:
            return passages
        top = passages[0]
        for i, p in enumerate(passages[1:PLACE_RERANK], start=1):
            if p.sentence.source == top.sentence.source and p.score >= top.score * KIND_RERANK_RATIO \
                    and p.features.get("coverage", 0.0) >= top.features.get("coverage", 0.0) and answers(p):
                return _promote(passages, i)
        return passages

    def _prefer_covered(self, question: Question, passages: list[Passage]) -> list[Passage]:
        """When the best sentence shares none of the question's words but its names ("케스트럴 K3 양산은 언제 시작돼?"
        answered by the lede that names the K3 and a date), a close runner-up of the same article that writes what is
        asked ("… volume production scheduled for the first quarter of 2026") and answers the same kind comes first.
        Across languages dense similarity alone often prefers the lede."""
        if len(passages) < 2 or passages[0].features.get("coverage", 0.0) > 0.0 or passages[0].features.get("local_cov", 0.0) > 0.0:
            return passages
        top = passages[0]
        for i, p in enumerate(passages[1:PLACE_RERANK], start=1):
            if p.sentence.source == top.sentence.source and p.score >= top.score * COVERED_RERANK_RATIO \
                    and p.features.get("coverage", 0.0) >= COVERED_RERANK and p.features.get("kind", 0.0) >= top.features.get("kind", 0.0) \
                    and not self._names_sibling(question, p.sentence):
                return _promote(passages, i)
        return passages

    def _names_sibling(self, question: Question, sentence: Sentence) -> bool:
        """Whether the sentence names another version or member of what the question asks about ("K2" for the K3)."""
        own = self._own_text(sentence)
        return (bool(question.versions) and any(mentions(v, own) for v in self._siblings(question))) or \
            (bool(question.members) and self._member_miss(question, sentence, clash=True) > 0.0)

    def _member_spellings(self, family: str, member: str) -> tuple[str, ...]:
        """How the articles may write a member: a word alone in either script ("pro", "프로"), a number with its
        line's name in either script ("seapath 2.0", "씨패스 2.0")."""
        if member[0].isdigit():
            return tuple(f"{name}{joint}{member}" for name in (family, *self.profile.aliases_of(family), *self.profile.transliterations(family))
                         for joint in (" ", "-", ""))
        return (member, *self.profile.aliases_of(member), *self.profile.transliterations(member))

    def _sibling_member(self, question: Question, sentence: Sentence) -> float:
        """1.0 when a figure, date or person is asked of a member of a product line and the sentence names another
        member instead ("How many GPUs trained Koyo 4 Mini?" against "the Pro model was trained on 512 GPUs"), or
        speaks of the whole line ("하람2는 … 36곳에 도입됐으며" for the clinics using 하람2 클리닉)."""
        if not question.members or (question.asks not in ("quantity", "when", "who") and not question.wants):
            return 0.0
        return self._member_miss(question, sentence)

    def _names_person(self, sentence: Sentence) -> bool:
        folded = self._own_text(sentence)
        return any(mentions(p, folded) for p in self._persons.get(sentence.source, ()))

    def _names_party(self, question: Question, text: str) -> bool:
        """Whether the sentence names an organisation by its kind (…벤처스, … Capital) that the question does not."""
        asked = fold(question.text) + " " + " ".join(question.entities)
        # A team named in quotes ("'온새미로' 팀", "team 'Wave'") answers "which team" / "팀 이름".
        for m in _NAMED_TEAM.finditer(text):
            if fold(m.group(1) or m.group(2)) not in asked:
                return True
        for m in (*ko_locale.PARTY.finditer(text), *en_locale.PARTY.finditer(text)):
            name = fold(m.group(0)).strip()
            stem = ko_locale.PARTY_NAME.sub("", name) if is_hangul(name[:1]) else name.split()[0]
            if stem not in asked and name not in asked:
                return True
        return False

    def _generation_clash(self, question: Question, sentence: Sentence) -> float:
        """1.0 when a version or generation of a product is asked and the sentence is about another generation
        of it: "SeaBot 3" asked, "the first-generation SeaBot …" said; "1세대 누리" asked, "누리2는 …" said."""
        asked = [(fam, float(m.group(1))) for v in question.versions
                 if (fam := _version_family(fold(v))) and fam != "size" and (m := re.search(r"(\d+)", fold(v)[len(fam):]))]
        asked += self._generations(fold(question.text), self._families(question))
        if not asked:
            return 0.0
        own = self._own_text(sentence)
        if any(_names_version(fold(v), own) for v in question.versions):
            return 0.0
        stated = self._generations(own, {fam for fam, _ in asked})
        if any(fam == f and n == m for fam, n in asked for f, m in stated):
            return 0.0
        if any(fam == f and n != m for fam, n in asked for f, m in stated):
            return 1.0
        # A sibling named by its number ("누리2") where another generation is asked.
        for m in _NAMED_VERSION.finditer(own):
            if any(self._spelled(f, fold(m.group(1))) and n != float(m.group(3)) for f, n in asked):
                return 1.0
        return 0.0

    def _families(self, question: Question) -> set[str]:
        """Product names the question uses, which a generation figure may belong to."""
        return {e for e in question.entities if " " not in e and len(e) >= 2} | {_version_family(fold(v)) for v in question.versions} - {"", "size"}

    def _spellings(self, family: str) -> tuple[str, ...]:
        return (family,) + self.profile.aliases_of(family) + self.profile.transliterations(family)

    def _spelled(self, family: str, word: str) -> bool:
        return word in self._spellings(family)

    def _generations(self, folded: str, families: set[str]) -> list[tuple[str, float]]:
        """(family, generation) for each generation figure written next to one of these names, in any
        spelling: "first-generation seabot", "1세대 누리봇", "누리봇 2세대"."""
        out = []
        for value, start, end, kind in numbers.figures_with_units(folded):
            span = folded[start:end]
            if kind != "phase" or not ("세대" in span or "generation" in span):
                continue
            window = folded[end:end + 24] + " " + folded[max(0, start - 24):start]
            for family in families:
                if any(mentions(f, window) for f in self._spellings(family)):
                    out.append((family, value))
        return out

    def _absent_in_document(self, units: Sequence[QueryUnit], source: str) -> float:
        """Weighted share of what the question asks (its words other than names) that the article never
        writes in any spelling: "제타랩 기업가치" asked of an article with no valuation in it."""
        total = sum(u.weight for u in units)
        if total <= 0:
            return 0.0
        text = self._doc_folded.get(source, "")
        return sum(u.weight for u in units if not any(mentions(f, text) for f in u.forms)) / total

    def _head_absent(self, question: Question, source: str) -> float:
        """1.0 when the question asks to name a kind of thing ("which foundry", "어떤 칩") that the answering
        article, written in the question's language, never writes in any spelling: it cannot say which one.
        Across languages a translation may be missing or name a broader kind (government for 노동부), so only
        questions in the article's own language count."""
        if not question.head or self._language.get(source, question.language) != question.language:
            return 0.0
        unit = next((u for u in question.units if u.label == question.head or question.head in u.forms), None)
        if unit is None:
            return 0.0
        text = self._doc_folded.get(source, "")
        return 0.0 if any(mentions(form, text) for form in unit.forms) else 1.0

    def _year_clash(self, question: Question, sentence: Sentence) -> float:
        """1.0 when the question sets a year ("the 2024 winner", "2019년 대회") that the sentence, with the
        one before it, does not state while stating another, or that its article never states: it is about
        another year."""
        explicit = numbers.years(question.folded)
        asked = explicit | self._relative_asked_years(question, sentence.source)
        if not asked:
            return 0.0
        stated = self._stated_years(sentence)
        if asked & stated:
            return 0.0
        if stated:
            return 1.0
        if not explicit:
            return 0.0  # "last year" of an article that never writes the year out: nothing says it is another
        if sentence.source not in self._doc_years:
            self._doc_years[sentence.source] = numbers.years(self._doc_folded.get(sentence.source, ""))
        return 0.0 if asked & self._doc_years[sentence.source] else 1.0

    def _relative_asked_years(self, question: Question, source: str) -> frozenset[str]:
        """The years the question (its first part) names relative to this article's year: "last year" in a
        question about a 2025 article is 2024 ("What revenue did it book last year, and its goal for this year?")."""
        first = fold(question.parts[0]) if len(question.parts) > 1 else question.folded
        return numbers.relative_years(first, self._article_year(source))

    def _prefer_stated_place(self, question: Question, passages: list[Passage]) -> list[Passage]:
        """When the best sentence is about another stage, cohort or place than the one asked ("2단계 사업비" answered by
        the 1단계 sentence), a runner-up of the same article that states the asked one comes first: a hard constraint."""
        if not passages:
            return passages
        top = passages[0].sentence.source
        # An article that never states the asked stage or cohort ("phase two" of an article with none)
        # gives way to another article's sentence that states it.
        elsewhere = self._never_states_asked_stage(question, top)
        if elsewhere or self._place_clash(question, passages[0].sentence):
            stated = self._states_asked_place
        elif self._year_clash(question, passages[0].sentence) and self._stated_years(passages[0].sentence):
            # "2024년 매출" answered by the 2025 sentence: a sentence of the same article that states 2024 comes first.
            # ... when it matches the question's words at least half as well: "this year's index" is no spending.
            floor = passages[0].features.get("coverage", 0.0) * YEAR_RERANK_COVERAGE
            # ... and names the metric asked itself, when one of them does: "last year's revenue" is not last
            # year's funding round told after a sentence on revenue.
            metric = {p.sentence.key: metric_missing(question, replace(p, context="")) for p in passages[:PLACE_RERANK]}
            if all(metric.values()):
                metric = {}
            stated = lambda q, sentence: bool((numbers.years(q.folded) | self._relative_asked_years(q, sentence.source))
                                              & self._own_years(sentence)) and self._coverage_of(passages, sentence) >= floor \
                and not metric.get(sentence.key)  # noqa: E731
        else:
            return passages
        for i, p in enumerate(passages[1:PLACE_RERANK], start=1):
            if p.score >= PLACE_RERANK_SHARE and (p.sentence.source != top if elsewhere else p.sentence.source == top) \
                    and stated(question, p.sentence):
                return _promote(passages, i, discard=True)  # the passed-over sentences are no candidates
        return passages

    @staticmethod
    def _coverage_of(passages: list[Passage], sentence: Sentence) -> float:
        return next((p.features.get("coverage", 0.0) for p in passages if p.sentence is sentence), 0.0)

    def _prefer_stated_kind(self, question: Question, passages: list[Passage]) -> list[Passage]:
        """When a figure is asked ("설립 때 몇 명으로 시작했어?") and the best sentence states none of its kind,
        a close runner-up of the same article that does comes first: a number of people answers, a year does not."""
        if len(passages) < 2 or not question.wants or question.asks not in ("quantity", "when") or passages[0].features.get("kind", 0.0) > 0.0:
            return passages
        top = passages[0]
        for i, p in enumerate(passages[1:PLACE_RERANK], start=1):
            # It must match the question's words as well as the best one does: an age of applicants is no CEO's age.
            # A unit of measure ("1.2톤", "45W", "4초") is telling enough with half of those words.
            need = top.features.get("coverage", 0.0) * (0.5 if question.wants[0] in MEASURE_KINDS else 1.0)
            # Another article's, only when the question names nothing that would say which article it is about.
            same = p.sentence.source == top.sentence.source or (not question.entities and question.wants[0] in MEASURE_KINDS)
            if same and p.features.get("kind", 0.0) >= 1.0 and p.score >= top.score * KIND_RERANK_RATIO \
                    and p.features.get("coverage", 0.0) >= need:
                return _promote(passages, i)
        return passages

    def _prefer_asked_total(self, question: Question, passages: list[Passage]) -> list[Passage]:
        """A running total ("누적 투자액은 820억 원") does not answer what this round raised, nor the round's sum a
        question about the total to date: a close runner-up of the same article whose figure is the asked one
        (labelled a running total or not, as the question asks) comes first."""
        if len(passages) < 2 or not question.wants or question.wants[0] not in ("money", "people", "count") or len(question.parts) > 1:
            return passages
        asked = bool(_ASKS_TOTAL.search(question.folded))
        if not asked and not _ASKS_THIS_ONE.search(question.folded):
            return passages  # "how many have completed it so far?" may well ask the running total
        top = passages[0]
        labels = self._total_labels(question, top)
        if not labels or asked in labels:
            return passages
        for i, p in enumerate(passages[1:PLACE_RERANK], start=1):
            if p.sentence.source == top.sentence.source and p.score >= top.score * TOTAL_RERANK_RATIO \
                    and p.features.get("kind", 0.0) >= 1.0 and asked in self._total_labels(question, p):
                return _promote(passages, i)
        return passages

    def _total_labels(self, question: Question, passage: Passage) -> set[bool]:
        """For each figure of the asked kind the passage ties to the question's names: is it a running total?"""
        text = passage.sentence.text
        tied = tied_figures(question, text, self.names, self._context(passage.sentence))
        return {bool(_TOTAL_LABEL.search(text[max(0, start - 30):start])) for _, start, _, kind in tied if kind == question.wants[0]}

    def _never_states_asked_stage(self, question: Question, source: str) -> bool:
        """Whether the question names a stage, generation or cohort ("phase two", "4기") that this article
        never states with the same kind of word (a second generation is no phase two)."""
        asked = _stages(question.text)
        if not asked:
            return False
        if source not in self._doc_stages:
            self._doc_stages[source] = frozenset(_stages(self._doc_text.get(source, "")))
        return not asked & self._doc_stages[source]

    def _states_asked_place(self, question: Question, sentence: Sentence) -> bool:
        """Whether the sentence, with the one before it, states every stage, cohort or place the question names."""
        asked, stated = self._asked_and_stated_places(question, sentence)
        return bool(asked) and asked <= stated

    def _place_clash(self, question: Question, sentence: Sentence) -> float:
        """1.0 when the question names a place in a ranking, a cohort or a stage ("who came second", "4기 사업비")
        that the sentence, with the one before it, does not state while stating another: it is about another
        one. A place other than first must be stated; a winner may be told without a number ("대상은 … 받았다")."""
        asked, stated = self._asked_and_stated_places(question, sentence, clash=True)
        if not asked:
            return 0.0
        for kind in {k for _, k in asked}:
            wanted = {v for v, k in asked if k == kind}
            told = {v for v, k in stated if k == kind}
            if not wanted & told and (told or (kind == "rank" and wanted - {1.0})):
                return 1.0
        return 0.0

    def _asked_and_stated_places(self, question: Question, sentence: Sentence, *, clash: bool = False) -> tuple[set[tuple[float, str]], set[tuple[float, str]]]:
        """The (value, kind) places, cohorts and stages the question names, and those the sentence with the one
        before it states."""
        # A multi-part question is about its first part's stage ("Muse 2's size, and the first generation's?").
        text = question.parts[0] if len(question.parts) > 1 else question.text
        # "Where did Z-1 place?": a number inside a Latin name is no place; "베리봇2세대" is a generation typed glued.
        asked = {(v, kind) for v, start, _, kind in numbers.figures_with_units(text) if kind in numbers.ORDINAL_KINDS
                 and not (start and (text[start - 1] == "-" or (text[start - 1].isalpha() and text[start - 1].isascii())))}
        implied = None if asked else self._implied_generation(text, sentence.source, question.entities)
        if implied:
            asked = {(implied, "phase")}
        if not asked:
            return asked, set()
        # A generation the sentence names only to compare with ("1세대의 두 배") is not what it is about.
        own = numbers.ordinal_places(sentence.text) - numbers.compared_places(sentence.text)
        # The sentence before speaks for this one only on kinds this one leaves unsaid ("the fifth cohort" is its own).
        before = {(v, k) for v, k in numbers.ordinal_places(self._context(sentence)) if k not in {kind for _, kind in own}}
        if implied and clash:
            # "The new robot" clashes only with a sentence that itself names an older generation: what follows a
            # comparison with the old one is about the new one. "The legacy robot" clashes with a sentence that
            # names another generation, or follows one that does and names none itself ("2세대는 … 바꿨다. …
            # 손상률은 1.9%로 낮아졌다").
            newest = implied == max((v for v, word in self._doc_stages.get(sentence.source, ()) if word == "generation"), default=None)
            return asked, own if newest else (own or before)
        return asked, own | before

    def _implied_generation(self, text: str, source: str, entities: Sequence[str] = ()) -> float | None:
        """The generation "the new BerryBot" or "the legacy unit" means in an article that states two or more:
        the newest one, the one before it, or the first ("the original model"); None without such a word.
        The word must qualify a product: a name the question uses or a product noun ("new products" are others)."""
        folded = fold(text)
        names = set(entities)

        def qualifies(end: int) -> bool:
            after = folded[end:end + 40]
            if _PRODUCT_NOUN.match(after):
                return True
            # A name right after it, in the question's spelling or the other script's ("the new Ttalbot", 딸봇).
            for token in re.findall(r"[a-z0-9][a-z0-9-]*|[\uac00-\ud7a3]+", after)[:2]:
                if token in names or names & set(self.profile.transliterations(korean_stem(token) if is_hangul(token[0]) else token)) \
                        or any(e.startswith(token) for e in names):
                    return True
            return False
        # "기존 모델", "새 버전": the cue names the product itself.
        own = lambda m: _PRODUCT_NOUN.fullmatch(m.group(0).split()[-1]) is not None or bool(re.search(r"(?:모델|버전|제품|로봇|칩|엔진)$", m.group(0)))  # noqa: E731
        cues = [(m.start(), "new") for m in _NEWEST.finditer(folded) if own(m) or qualifies(m.end())] + \
               [(m.start(), m.group(0)) for m in _OLDER.finditer(folded) if own(m) or qualifies(m.end())]
        if not cues:
            return None
        if source not in self._doc_stages:
            self._doc_stages[source] = frozenset(_stages(self._doc_text.get(source, "")))
        generations = sorted({v for v, word in self._doc_stages[source] if word == "generation"})
        if len(generations) < 2:
            return None
        cue = min(cues)[1]  # "the new one versus the legacy one" is about the new one
        if cue == "new":
            return generations[-1]
        return generations[0] if cue in _FIRST_CUES else generations[-2]

    def _counted_absent(self, question: Question, sentence: Sentence) -> float:
        """1.0 when a "how many X" question's X (languages, 언어) is written by the sentence's article, yet not by the
        sentence: its figure counts something else ("세 종류" is no count of languages)."""
        if not question.counted or "people" in question.wants:
            return 0.0  # people are counted by the figure's own unit (45명), whatever noun names them
        counted = fold(question.counted)
        stem = korean_stem(counted) if is_hangul(counted[:1]) else counted
        unit = next((u for u in question.units if u.label in (counted, stem) or stem in u.forms), None)
        if unit is None or not unit.known or unit.figure:
            return 0.0
        # An article that never writes X in any spelling may name it by a word the vocabulary lacks (거점 for sites).
        if not any(mentions(f, self._doc_folded.get(sentence.source, "")) for f in unit.forms):
            return 0.0
        own = self._own_text(sentence)
        # A Korean compound ends in its head: "제조기업 27곳" counts 기업.
        return 0.0 if any(form_match(f, own) >= 1.0 or (is_hangul(f[:1]) and len(f) >= 2 and f in own) for f in unit.forms) else 1.0

    def _subject_absent(self, question: Question, sentence: Sentence) -> float:
        """1.0 when a figure is asked of the question's subject ("한빛농기는 제타팜 투자에 얼마를 넣었어?") and the
        sentence, with the one before it, names only the other name: a figure about 제타팜 is not 한빛농기's."""
        if not question.wants or len(question.entities) < 2:
            return 0.0
        spans = name_spans(question.folded, question.entities)
        subject = next((span for span in spans if SUBJECT_AFTER.match(question.folded[span[1]:])), None)
        if subject is None or subject is not spans[0]:
            return 0.0
        name = subject[2]
        family = {name, *self.profile.aliases_of(name), *self.profile.transliterations(name)}
        # Another name, not a general one ("AI", "LG"), which a sentence about the subject may well write.
        others = [s for s in spans if s[2] in self.names and not any(related(s[2], f) for f in family)]
        near = self._near_text(sentence)
        if not others or any(mentions(f, near) for f in family):
            return 0.0
        return 1.0 if any(mentions(o[2], near) for o in others) else 0.0

    def _prefer_article_about(self, question: Question, passages: list[Passage]) -> list[Passage]:
        """When the best sentence comes from an article that mentions the question's thing only in passing, in a
        paragraph that does not name it ("학력이나 전공은 묻지 않는다" of a programme's applicants, asked about the
        institute's researchers), a close runner-up from an article where that thing is prominent comes first."""
        if len(passages) < 2 or not question.entities:
            return passages
        top = passages[0]
        minor = self._minor_names(question, top.sentence)
        if not minor:
            return passages
        for i, p in enumerate(passages[1:PLACE_RERANK], start=1):
            if p.sentence.source != top.sentence.source and p.score >= top.score * KIND_RERANK_RATIO \
                    and p.features.get("coverage", 0.0) >= top.features.get("coverage", 0.0) * 0.5 \
                    and all(self._prominence(n).get(p.sentence.source, 0.0) >= MINOR_PROMINENCE for n in minor):
                return _promote(passages, i)
        return passages

    def _minor_names(self, question: Question, sentence: Sentence) -> list[str]:
        """The question's names that the sentence's article mentions only in passing and its paragraph does not name."""
        paragraph = self._paragraph_text(sentence)
        return [name for name, forms in self._passing_names(question, sentence.source)
                if not any(mentions(f, paragraph) for f in forms)]

    def _passing_names(self, question: Question, source: str) -> list[tuple[str, tuple[str, ...]]]:
        """The question's names (with their spellings) that this article mentions only in passing or not at all."""
        weights = self._entity_weights(question.entities)
        out = []
        for name in weights:
            # "Seorin AI Institute" with "Seorin", which the article names often (not "LG AI", a head of many names).
            family = [n for n in weights if n == name or (related(n, name) and not any(w in _GENERAL_FORMS for w in n.split()))]
            if any(self._prominence(n).get(source, 0.0) >= MINOR_PROMINENCE for n in family) \
                    or all(w in _GENERAL_FORMS for w in name.split()) or _SIZE_NAME.fullmatch(name):
                continue  # the article's subject, whose sentences need not name it, or a kind of thing ("추론 AI")
            out.append((name, (name, *self.profile.aliases_of(name), *self.profile.transliterations(name))))
        return out

    def _minor_absent(self, question: Question, sentence: Sentence) -> float:
        """1.0 when a figure is asked of a thing its article mentions only in passing (not in its lede: a second
        product, a partner) and the sentence's paragraph never names it but names another thing of the corpus:
        "How many parameters does RaonMam have?" is not answered by "새 모델은 … 매개변수는 약 30억 개" in a
        paragraph about RaonChest."""
        if not (question.wants and question.asks == "quantity") and question.asks != "who":
            return 0.0  # a figure, or who holds a role ("Who is the CEO of Dalton Insights?")
        paragraph = self._paragraph_text(sentence)
        for _, forms in self._passing_names(question, sentence.source):
            if any(mentions(f, paragraph) for f in forms):
                return 0.0
            # Other things (people are not things a figure or a role is of: they may be the answer).
            others = [n for n in self.names if n in paragraph and mentions(n, paragraph) and not any(related(n, f) for f in forms)
                      and n not in _GENERAL_FORMS and n not in self._people()]
            if others:
                return 1.0
        return 0.0

    def _people(self) -> frozenset[str]:
        """Every article's people."""
        if self._all_people is None:
            self._all_people = frozenset(p for people in self._persons.values() for p in people)
        return self._all_people

    def _paragraph_text(self, sentence: Sentence) -> str:
        i = self._by_key.get(sentence.key)
        if i is None:
            return fold(sentence.text)
        rows = [j for j in self._doc_rows.get(sentence.source, []) if self.sentences[j].paragraph == sentence.paragraph]
        return " ".join(self.lexical.folded[j] for j in rows)

    def _place_absent(self, question: Question, source: str) -> float:
        """1.0 when the question names a place (the US, 일본) that the answering article never writes in any
        spelling: "In which US state will it run trials?" is not answered by an article about trials in Japan."""
        text = self._doc_folded.get(source, "")
        for group in vocab.PLACES:
            # Short Latin forms only in capitals: "US", not "tell us".
            named = any(re.search(rf"(?<![A-Za-z]){re.escape(f.upper())}(?![A-Za-z])", question.text) if len(f) <= 3 and f.isascii()
                        else mentions(f, question.folded) for f in group)
            if named and not any(mentions(f, text) for f in group):
                return 1.0
        return 0.0

    def _kind_absent(self, question: Question, source: str) -> float:
        """1.0 when the question asks for a kind of figure (money, a head count, a score) that its best
        article states nowhere: "한빛전자의 매출은?" cannot be answered from an article without an amount."""
        if not question.wants or question.wants[0] in ("date", "count"):
            return 0.0
        return 0.0 if question.wants[0] in self._figure_kinds()[1].get(source, frozenset()) else 1.0

    def _sparse_scores(self, text: str) -> np.ndarray | None:
        """Latent-term similarity of the question with every sentence, or None without latent terms."""
        if self.terms is None:
            return None
        try:
            return self.terms.scores(text)
        except Exception as exc:  # noqa: BLE001 - a failing sparse head must not stop answers
            log.warning("latent terms failed (%s); ranking without them", exc)
            return None

    def _with_continuation(self, sentence: Sentence) -> Sentence:
        """The sentence, joined with the next one of its paragraph when that one goes on about it.

        "누리는 용도에 따라 세 갈래로 나뉜다." is answered by the list that follows;
        "… runs on the Nuri chip." by "It handles …". The joined span is still a
        verbatim slice of the source, so the quote stays exact.
        """
        i = self._by_key.get(sentence.key)
        if i is None or i + 1 >= len(self.sentences) or sentence.credit:
            return sentence
        after = self.sentences[i + 1]
        if after.source != sentence.source or after.paragraph != sentence.paragraph or after.credit:
            return sentence
        lang = ko_locale if is_hangul(sentence.text.strip()[:1]) or self._language.get(sentence.source) == "ko" else en_locale
        if not (lang.ANNOUNCES.search(sentence.text) or lang.CONTINUES.match(after.text)):
            return sentence
        text = self._doc_text.get(sentence.source, "")
        if text[after.start : after.end] != after.text:
            return sentence
        return replace(sentence, text=text[sentence.start : after.end], end=after.end)

    def _named_candidates(self, question: Question, found: dict[str, dict[str, Any]]) -> list[int]:
        """Sentences that name the question's rarest entity or version, up to a few per question."""
        names = [n for n in question.entities + question.versions if len(self.profile.docs_naming(n)) <= 2]
        if not names:
            return []
        out: list[int] = []
        for i, folded in enumerate(self.lexical.folded):
            if any(mentions(n, folded) for n in names):
                # The sentence naming it and the two after it in its paragraph ("The chip ...").
                for j in (i, i + 1, i + 2):
                    if j < len(self.sentences) and self.sentences[j].source == self.sentences[i].source \
                            and self.sentences[j].paragraph == self.sentences[i].paragraph \
                            and self.sentences[j].key not in found and j not in out:
                        out.append(j)
                if len(out) >= self.candidates:
                    break
        return out

    def _naming(self, name: str) -> frozenset[str]:
        """The documents naming a thing by this name or by another name the articles pair with it ("보칼리스" is
        named by the English article that writes only "Vocalis"): one thing, whichever script an article uses."""
        if (known := self._naming_memo.get(name)) is None:
            known = self._naming_memo[name] = self.profile.docs_naming(name).union(
                *(self.profile.docs_naming(a) for a in self.profile.aliases_of(name)))
        return known

    def _focus(self, weights: dict[str, float]) -> dict[str, float]:
        """How much each document is *about* the question's names, not merely mentioning them.

        A name in a document's title or lede counts fully; elsewhere, by the share
        of the document's sentences that use it. Two articles that both mention a
        programme differ here: one is about it, the other has a paragraph on it.
        """
        total = sum(weights.values())
        if not total:
            return {}
        out: dict[str, float] = {}
        for name, w in weights.items():
            for source, prominence in self._prominence(name).items():
                out[source] = out.get(source, 0.0) + w * prominence / total
        return out

    def _prominence(self, name: str) -> dict[str, float]:
        """Per document naming `name`: 1.0 in its title or lede, else 3x the share of its sentences that use it."""
        if name not in self._prominence_memo:
            forms = (name,) + self.profile.aliases_of(name)
            found = {}
            for source in self._naming(name):
                rows = self._doc_rows.get(source, [])
                if any(mentions(f, self._lede.get(source, "")) for f in forms):
                    found[source] = 1.0
                else:
                    share = sum(1 for i in rows if any(mentions(f, self.lexical.folded[i]) for f in forms)) / max(1, len(rows))
                    found[source] = min(1.0, 3.0 * share)
            self._prominence_memo[name] = found  # names are the corpus's own: a bounded set
        return self._prominence_memo[name]

    def _local_weights(self, source: str, units: Sequence[QueryUnit]) -> list[float]:
        """Each unit's rarity within one document: its topic words (in most sentences) weigh little.

        Corpus-wide IDF says which document; within the document, the words that
        pick out one sentence are those few of its sentences use.
        """
        out = []
        for unit in units:
            key = (source, unit.forms)
            if key not in self._local_memo:
                rows = self._doc_rows.get(source, [])
                df = sum(1 for i in rows if max(form_match(f, self.lexical.folded[i]) for f in unit.forms) >= 1.0)
                if len(self._local_memo) >= LOCAL_MEMORY:
                    self._local_memo.clear()
                self._local_memo[key] = math.log((len(rows) + 1) / (df + 0.5))
            out.append(self._local_memo[key])
        return out

    def _entity_weights(self, entities: Sequence[str]) -> dict[str, float]:
        """Rarer names weigh more: a name every document uses ("LG", "AI") scopes nothing."""
        n = max(1, len(self.documents))
        weights = {}
        for name in entities:
            words = name.split()
            if len(words) > 1 and any(len(w) == 1 for w in words) and all(w in _GENERAL_FORMS or len(w) == 1 for w in words):
                continue  # "Series C", "Plan B": a kind of thing that any article may tell, not a name
            if name in self._member_words():
                continue  # "라이트", "Pro": an edition of some line; the line's name says which article
            df = len(self._naming(name)) or n
            weights[name] = math.log(1 + n / df) / math.log(1 + n) if n > 1 else 1.0
        return {k: v for k, v in weights.items() if v > 0.05}

    def _doc_affinity(self, weights: dict[str, float]) -> dict[str, float]:
        total = sum(weights.values())
        if not total:
            return {}
        return {
            d.source: sum(w for name, w in weights.items() if d.source in self.profile.docs_naming(name)) / total
            for d in self.documents
        }

    def _features(
        self, question: Question, sentence: Sentence, dense: float, weights: dict[str, float], doc_affinity: dict[str, float],
        predicate: Sequence[QueryUnit],
    ) -> dict[str, float]:
        folded = fold(sentence.text)
        context = self._context(sentence)
        cover = coverage(predicate, folded, context)
        total = sum(weights.values())
        entity = 1.0
        if total:
            lede = self._lede.get(sentence.source, "")
            got = 0.0
            for name, w in weights.items():
                if mentions(name, folded) or any(mentions(a, folded) for a in self.profile.aliases_of(name)):
                    got += w
                elif context and mentions(name, context):
                    got += w * CONTEXT_NAME
                elif mentions(name, lede):
                    got += w * LEDE_NAME
                elif sentence.source in self._naming(name):
                    got += w * DOC_NAME
            entity = got / total
        around = f"{context} {self._topic(sentence)}".strip()  # what this sentence may leave unnamed
        tied = tied_figures(question, sentence.text, self.names, around)
        # The most specific kind asked ("how many young people": people) counts fully, a fallback ("count") half.
        kind = (1.0 if not question.wants or any(f[3] == question.wants[0] for f in tied) else 0.5) if tied else 0.0
        if kind and question.asks == "when" and _ASKS_START.search(question.folded) and _reported_on(sentence.text, tied):
            # "언제부터 전면 시행해?" of "… 전면 도입한다고 지난 14일 밝혔다": the day the plan was told, not when it starts.
            # (Asked when something was unveiled, "공개했다고 14일 밝혔다" does tell the day.)
            kind = 0.5
        person = 0.0
        if question.asks == "who":
            person = 1.0 if self._names_person(sentence) else 0.0
            # An investor, a fund or a firm answers "who led the round" too, when it is not what the question names.
            kind = person or (0.5 if self._names_party(question, sentence.text) else 0.0)
        version_miss = 0.0
        if question.versions:
            # The sentence before, or the paragraph's topic, speaks for this one only when this one names no sibling
            # ("Z2는 …" after "… Z1") other than as what it is compared with ("M1(3,800만 원)보다 비싸다").
            sibling = any(mentions(v, folded) and not compared(folded, v) for v in self._siblings(question))
            # Named only as what a sibling is compared with ("… 35 kilograms, compared with seven hours for the S1"),
            # the asked version is not what the sentence is about.
            present = any((_names_version(v, folded) and not (sibling and compared(folded, v)))
                          or (not sibling and around and _names_version(v, around)) for v in question.versions)
            version_miss = 0.0 if present else 1.0
        if question.members:
            # A member of a product line is a version too: "Koyo 4 Mini" is not answered by "Koyo 4 Pro …".
            version_miss = max(version_miss, self._member_miss(question, sentence))
        dense_scaled = _scaled(dense)
        cross = 1.0 if self._language.get(sentence.source, question.language) != question.language else 0.0
        definition = 1.0 if question.asks == "definition" and _defines(folded, _defined_units(question)) else 0.0
        return {
            "cross": cross,
            "dense_cross": dense_scaled * cross,
            "coverage_cross": cover * cross,
            "definition": definition,
            "dense": dense,
            "dense_scaled": dense_scaled,
            "coverage": cover,
            "entity": entity,
            "has_entities": 1.0 if total else 0.0,
            "doc": doc_affinity.get(sentence.source, 0.0) if doc_affinity else 0.0,
            "kind": kind,
            "version_miss": version_miss,
            "unknown_name": 1.0 if question.unknown_names else 0.0,
            "unknown_figure": 1.0 if question.unknown_figures else 0.0,
            "margin": 0.0,
        }

    # -- documents ------------------------------------------------------------------
    def overview(self, k: int = 3, source: str | None = None) -> list[Passage]:
        """A document's key sentences, for summary requests (see `knowledge.summary`)."""
        source = source or (self.documents[0].source if self.documents else "")
        if (source, k) not in self._overviews:
            doc = [s for s in self.sentences if s.source == source]
            self._overviews[(source, k)] = key_sentences(doc, self._vectors(doc), k)
        return [Passage(sentence=s, score=1.0, dense=1.0, lexical=1.0, rank=i + 1) for i, s in enumerate(self._overviews[(source, k)])]

    def credit(self, source: str) -> Sentence | None:
        return next((s for s in self.sentences if s.source == source and s.credit), None)

    def part_passages(self, question: Question, top: Passage) -> list[Passage]:
        """For a multi-part question ("How much did it raise, and who led the round?"), the best sentence of the
        answering article for each part the best passage does not answer.

        The best passage answers the part whose own search believes in it most, of those whose kind it states:
        "how many work there now, and how many will they hire this year?" is answered first by the hiring
        sentence, which then answers the second part, and the first looks for its own.
        """
        source = top.sentence.source
        searches = []
        for index, part in enumerate(question.parts):
            own = read_question(part, len(part) + 1)
            # A figure or a date must be in the sentence; "who" may be answered by a company, not only a person.
            figure = bool(own.wants) or own.asks in ("quantity", "when")
            # A later part's own words are searched with the first part's topic ("who led the round" is about
            # the funding round of the first part).
            text = part if index == 0 else f"{part} {question.parts[0]}"
            sub = replace(self.prepare(text, question.history), asks=own.asks, wants=own.wants)
            searches.append((own, figure, sub, self.search(sub, k=8, join=False, within=source)[:PART_CANDIDATES]))

        def belief(index: int) -> float:
            """How much the part's own words (alone) believe in the best sentence."""
            own, _, sub, found = searches[index]
            if index:
                found = self.search(replace(self.prepare(question.parts[index], question.history), asks=own.asks,
                                            wants=own.wants), k=8, join=False, within=source)[:PART_CANDIDATES]
            return next((p.score for p in found if top.sentence.start <= p.sentence.start < top.sentence.end), 0.0)

        own0, figure0, _, _ = searches[0]
        answered = [0] if (_states_kind(own0, top.sentence.text) if figure0 else own0.asks != "who"
                           or self._names_person(top.sentence) or self._names_party(own0, top.sentence.text)) else []
        if answered and figure0 and len(numbers.figures_with_units(top.sentence.text)) == 1:
            # One figure answers one part; "2천340명이 19개 언어로" answers both.
            rivals = {i: belief(i) for i, (own, figure, _, _) in enumerate(searches)
                      if i and figure and _states_kind(own, top.sentence.text)}
            if rivals and max(rivals.values()) > belief(0):
                answered = [max(rivals, key=lambda i: rivals[i])]
        out: list[Passage] = []
        taken = {top.sentence.start}
        for index, (own, figure, sub, found) in enumerate(searches):
            if index in answered:
                continue
            for p in found:
                if top.sentence.start <= p.sentence.start < top.sentence.end or p.sentence.start in taken:
                    continue  # the best sentence (perhaps joined with the next) or an earlier part's
                if (figure and not _states_kind(sub, p.sentence.text)) or p.features.get("coverage", 0.0) <= 0.0:
                    continue  # it does not answer this part: a close runner-up may
                taken.add(p.sentence.start)
                out.append(replace(p, features={**p.features, "part": float(index + 1)}))  # which part it answers, from 1
                break
        return out

    def document_for(self, question: Question) -> str | None:
        """The one document a summary / byline question is about, or None when unclear."""
        if len(self.documents) == 1:
            return self.documents[0].source
        weights = self._entity_weights(question.entities)
        affinity = self._doc_affinity(weights)
        if affinity:
            best = max(affinity.values())
            winners = [s for s, v in affinity.items() if v == best]
            if best > 0 and len(winners) == 1:
                return winners[0]
        named = self._documents_by_site(question.text)
        if len(named) == 1:
            return named[0]
        if (topic := self._document_by_topic(question)) is not None:
            return topic
        for turn in reversed(question.history):
            said = fold(turn.answer)
            named = [d.source for d in self.documents if d.title and fold(d.title) in said or fold(d.label) in said]
            if len(named) == 1:
                return named[0]
        return None

    def _document_by_topic(self, question: Question) -> str | None:
        """"Who wrote the story on the harbour platform?": the article whose sentences hold most of the belief
        for the question's topic words (its words about articles, authors and summaries left out)."""
        # The names were weighed already (they did not decide): the other words say what the story is about.
        topic = tuple(u for u in question.units if u.present and not (set(u.forms) & ABOUT_ARTICLES)
                      and not _names_unit(u, question.entities))
        if not topic:
            return None
        share: dict[str, float] = {}
        for p in self.search(replace(question, units=topic), k=5, join=False):
            share[p.sentence.source] = share.get(p.sentence.source, 0.0) + p.score
        source, best = max(share.items(), key=lambda kv: kv[1], default=("", 0.0))
        return source if best >= TOPIC_SHARE else None

    def _documents_by_site(self, text: str) -> list[str]:
        """Documents whose outlet the question names: by its name in either script, or by a word of the
        web addresses the article gives ("that hanbitnews piece" -> www.hanbitnews.co.kr)."""
        asked = {w for w in re.findall(r"[a-z0-9\uac00-\ud7a3]{3,}", fold(text))}
        if not asked:
            return []
        out = []
        for doc in self.documents:
            site = {fold(w) for w in re.findall(r"[A-Za-z0-9\uac00-\ud7a3]{3,}", doc.outlet or "")}
            for host in _HOST.findall(" ".join((doc.url or "", doc.text))):
                site.update(label for label in host.lower().split(".") if len(label) >= 4 and label not in _HOST_WORDS)
            if site & asked or any(site.intersection(self.profile.transliterations(w)) for w in asked if translit.is_latin(w)):
                out.append(doc.source)
        return out

    def _vectors(self, sentences: Sequence[Sentence]) -> dict[str, list[float]]:
        """Vectors of these sentences by key: remembered, stored, or (what the store lacks) embedded.

        A bounded memory of recent vectors spares the store a lookup per question for the
        sentences every question touches (ledes, neighbours), without holding a large corpus.
        """
        vectors: dict[str, Any] = {}
        wanted = []
        for sentence in sentences:
            if (vector := self._vector_memory.get(sentence.key)) is not None:
                self._vector_memory.move_to_end(sentence.key)
                vectors[sentence.key] = vector
            else:
                wanted.append(sentence)
        if wanted and self.vector_lookup is not None:
            try:
                vectors.update(self.vector_lookup(wanted))
            except Exception as exc:  # the store is down: embedding them is slower but works
                log.warning("stored vectors unavailable (%s); embedding instead", type(exc).__name__)
        todo = [s for s in wanted if s.key not in vectors]
        if todo:
            vectors.update(zip([s.key for s in todo], self.embeddings.embed_documents([s.text for s in todo])))
        for sentence in wanted:
            self._vector_memory[sentence.key] = np.asarray(vectors[sentence.key], dtype=np.float32)
        while len(self._vector_memory) > VECTOR_MEMORY:
            self._vector_memory.popitem(last=False)
        return vectors

    def _previous(self, sentence: Sentence) -> Sentence | None:
        i = self._by_key.get(sentence.key)
        if not i:
            return None
        prev = self.sentences[i - 1]
        return prev if prev.source == sentence.source and prev.paragraph == sentence.paragraph else None

    def _own_text(self, sentence: Sentence) -> str:
        i = self._by_key.get(sentence.key)
        return self.lexical.folded[i] if i is not None and self.sentences[i] is sentence else fold(sentence.text)

    def _near_text(self, sentence: Sentence) -> str:
        """The folded sentence with the one before it in its paragraph: where its subject and year are named."""
        return self._own_text(sentence) + " " + self._context(sentence)

    def _stated_years(self, sentence: Sentence) -> frozenset[str]:
        """The years a sentence states; the one before it speaks for it only when it states none: "In the first
        half of 2025 …" after "… in 2024" is about 2025."""
        year = self._article_year(sentence.source)
        return self._own_years(sentence) or numbers.years(self._context(sentence)) | numbers.relative_years(self._context(sentence), year)

    def _own_years(self, sentence: Sentence) -> frozenset[str]:
        """The years the sentence itself states, "지난해" in a 2025 article as 2024."""
        own = self._own_text(sentence)
        return numbers.years(own) | numbers.relative_years(own, self._article_year(sentence.source))

    def _article_year(self, source: str) -> int | None:
        if source not in self._doc_year:
            doc = next((d for d in self.documents if d.source == source), None)
            self._doc_year[source] = numbers.article_year(doc.date, doc.text) if doc else None
        return self._doc_year[source]

    def _siblings(self, question: Question) -> frozenset[str]:
        """Versions some article names of the same family as an asked one, other than the asked ones (Z2 for Z1,
        Mira Max for Mira 1.0)."""
        if not question.versions:
            return frozenset()
        if question.versions not in self._sibling_cache:
            asked = {fold(v) for v in question.versions}
            families = {_version_family(v) for v in asked} - {""}
            versions = {v for profile in self.profile.profiles.values() for v in profile.versions}
            # Named members of the family count too: "Mira Max" is a sibling of an asked "Mira 1.0".
            members = {e for e in self.profile.entity_docs for f in families if len(f) >= 2 and e.startswith(f + " ")}
            self._sibling_cache[question.versions] = frozenset(
                v for v in versions | members
                if (v in members or _version_family(v) in families) and not any(v in a or a in v for a in asked))
        return self._sibling_cache[question.versions]

    def _topic(self, sentence: Sentence) -> str:
        """The paragraph's first sentence when it opens on a name as its topic ("M2는 2022년 출시된 전작의 후속
        모델이다."): the later sentences of that paragraph ("판매 가격은 대당 4,500만 원으로 …") are about it.
        Read once per sentence (the corpus's own, a bounded set): every candidate of every question asks."""
        i = self._by_key.get(sentence.key)
        if i is None:
            return ""
        if i not in self._topics:
            self._topics[i] = self._read_topic(i, sentence)
        return self._topics[i]

    def _read_topic(self, i: int, sentence: Sentence) -> str:
        j = i
        while j > 0 and self.sentences[j - 1].source == sentence.source and self.sentences[j - 1].paragraph == sentence.paragraph:
            j -= 1
        if j == i or j == i - 1:
            return ""  # the sentence itself, or the one before (its context already)
        first = self.lexical.folded[j]
        opening = next((n for n in self.names if first.startswith(n) and SUBJECT_AFTER.match(first[len(n):])), None)
        return first if opening else ""

    def _context(self, sentence: Sentence) -> str:
        """The previous sentence of the same paragraph: what "it" / "누적 참가자" refers to."""
        i = self._by_key.get(sentence.key)
        if not i:
            return ""
        prev = self.sentences[i - 1]
        if prev.source != sentence.source or prev.paragraph != sentence.paragraph:
            return ""
        return self.lexical.folded[i - 1]


# A summary or byline question is about the article holding this share of its topic's top passages.
TOPIC_SHARE = 0.6
ABOUT_ARTICLES = en_locale.ABOUT_ARTICLES | ko_locale.ABOUT_ARTICLES
# Below this share of the best article's affinity for the question's names, an article is not its subject.
MINOR_DOC = 0.35
_SUBJECT = re.compile(r"^[\W_]*(.{1,30}?)[\W_]*(?:은|는|란|이란|이라는 것은|(?:\s(?:is|are|refers to|means)\b))")


def _promote(passages: list[Passage], i: int, *, discard: bool = False) -> list[Passage]:
    """Passage i first, then the others in order. With `discard`, the passages it passed over are no candidates
    (a hard constraint): their belief is shared out among the rest, so scores still sum to one."""
    if not discard:
        return [passages[i], *passages[:i], *passages[i + 1:]]
    rest = max(1e-9, 1.0 - sum(q.score for q in passages[:i]))
    return [replace(passages[i], score=passages[i].score / rest)] + [replace(q, score=0.0) for q in passages[:i]] + \
        [replace(q, score=q.score / rest) for q in passages[i + 1:]]


def _version_family(version: str) -> str:
    """What a version is a version of: "size" for 3b / 72b, the name for 누리-3 / 누리 2.0, "" when unclear."""
    if re.fullmatch(r"\d+(?:\.\d+)?[bmk]", version):
        return "size"
    return re.sub(r"[\s-]*v?\d[\d.]*.*$", "", version).strip()


def _defined_units(question: Question) -> Sequence[QueryUnit]:
    """The question's words for the term it asks to define: the last word before "은/는 무엇" ("… 풀어야 했던
    과제는 무엇이었고" asks what the task was, not the participants); all its words when that cannot be told."""
    m = _SUBJECT.match(fold(question.parts[0] if question.parts else question.text))
    if not m or not m.group(1).split():
        return question.units
    last = korean_stem(m.group(1).split()[-1].strip("'\"‘’“”"))
    term = [u for u in question.units if last and any(form in last or last in form for form in u.forms if len(form) >= 2)]
    return term or question.units


def _defines(folded: str, units: Sequence[QueryUnit]) -> bool:
    """Is the sentence a definition of a question term ("'에이전틱 AI'는 …", "Agentic AI is …")?"""
    m = _SUBJECT.match(folded)
    if not m:
        return False
    subject = m.group(1).strip("'\"‘’“” ")
    return any(form in subject and len(subject) <= len(form) + 6 for u in units for form in u.forms if len(form) >= 2)


def _weighted_coverage(units: Sequence[QueryUnit], weights: Sequence[float], folded: str) -> float:
    """Share of the units' weight that the sentence contains (`weights` per unit)."""
    total = sum(weights)
    if total <= 0:
        return 0.0
    return sum(w * max(form_match(f, folded) for f in u.forms) for u, w in zip(units, weights)) / total


def _scaled(cosine: float) -> float:
    """A cosine rescaled from the band in which multilingual-e5 similarities actually move, clipped to 0..1."""
    return min(1.0, max(0.0, (cosine - DENSE_FLOOR) / (DENSE_CEIL - DENSE_FLOOR)))


def _names_unit(unit: QueryUnit, entities: Sequence[str]) -> bool:
    """Does this unit spell one of the question's names ("누리", "한빛 ai연구소")?"""
    return any(form == name or (len(form) >= 2 and form in name) for form in unit.forms for name in entities)


# Words that name a product's newest generation, or an older one, without its number.
_NEWEST = re.compile(r"\b(?:new|newest|latest|newer|new-gen(?:eration)?|next-gen(?:eration)?)\b|신형|최신|신모델|"
                     r"새\s?(?:모델|버전|로봇|제품|칩|엔진)|(?:이번에|새로)\s?(?:나온|공개된|출시된|선보인)")
_OLDER = re.compile(r"\b(?:legacy|previous|predecessor|older|prior|original|very first|first-ever)\b|구형|구모델|전작|"
                    r"이전\s?(?:모델|버전|제품)|기존\s?(?:모델|버전|제품)|처음\s?(?:나온|선보인|출시된)")
# What "new" / "기존" may qualify besides a name: one product, not a plural ("new products" are other products).
_PRODUCT_NOUN = re.compile(r"[\s-]*(?:[\w-]+\s+)?(?:model|version|edition|build|unit|robot|chip|engine|system|device|generation|gen|"
                           r"모델|버전|제품|로봇|칩|엔진|세대|기기|장비|시스템)(?![a-z])")
_FIRST_CUES = frozenset({"original", "very first", "first-ever", "처음 나온", "처음 선보인", "처음 출시된", "처음나온", "처음선보인", "처음출시된"})


# A date that only says when something was told: "… 연동한다고 지난 14일 밝혔다", "…, the company said on Tuesday".
_REPORTED_KO = re.compile(r"^\s*(?:밝혔|말했|전했|설명했|강조했|알렸|발표했)")
_REPORTED_EN = re.compile(r"\b(?:said|announced|told|reported|confirmed)\s+(?:on\s+)?$", re.I)
# A question about when something starts or takes effect ("언제부터", "when does it start").
_ASKS_START = re.compile(r"부터|시작|개시|시행|적용|발효|\bstart|\bbegin|commenc|take effect|takes effect|from when|since when|go live|goes live")


def _reported_on(text: str, tied: Sequence[tuple[float, int, int, str]]) -> bool:
    """Whether every date of the sentence is the day it was reported (the date sits next to a verb of saying)."""
    dates = [(s, e) for _, s, e, k in tied if k == "date"]
    if not dates:
        return False
    end = max(e for _, e in dates)
    start = min(s for s, _ in dates)
    return bool(_REPORTED_KO.match(text[end:]) or _REPORTED_EN.search(text[max(0, start - 30):start]))


def _stages(text: str) -> set[tuple[float, str]]:
    """The (number, word) stages, generations, cohorts and funding rounds a text states: "phase two" and "2단계" are
    (2, stage), "2세대" and "second-generation" (2, generation), "4기" and "the fourth cohort" (4, cohort), "Series C"
    and "시리즈C" (3, round)."""
    out = set()
    for value, start, end, kind in numbers.figures_with_units(text):
        if kind in ("cohort", "round"):
            out.add((value, kind))
        elif kind == "phase":
            span = text[start:end].lower()
            out.add((value, "generation" if "세대" in span or "generation" in span else "stage"))
    return out


def _states_kind(question: Question, text: str) -> bool:
    """Does the text state a figure of the kind the question asks (a date for "when", any count for "how many")?"""
    kinds = {kind for *_, kind in numbers.figures_with_units(text)}
    wanted = set(question.wants) | ({"date"} if question.asks == "when" else set())
    if "count" in wanted:
        wanted.add("people")  # "how many are they hiring?": a count of people is a count
    return bool(kinds & wanted) if wanted else bool(kinds - {"", "date"})


def _documents_of(sentences: Sequence[Sentence]) -> list[Document]:
    """Minimal documents rebuilt from sentences (callers that pass only sentences)."""
    by_source: dict[str, list[Sentence]] = {}
    for s in sentences:
        by_source.setdefault(s.source, []).append(s)
    return [
        Document(source=src, title=group[0].title, text="\n".join(s.text for s in group), sha256=group[0].doc_sha256,
                 sentences=tuple(group), outlet=group[0].outlet, byline=group[0].byline)
        for src, group in by_source.items()
    ]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    import numpy as np

    va, vb = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    denom = float(np.linalg.norm(va) * np.linalg.norm(vb)) or 1.0
    return float(va @ vb) / denom


def passage_to_document(passage: Passage) -> LCDocument:
    s = passage.sentence
    return LCDocument(
        page_content=s.text,
        id=s.key,
        metadata={
            **s.metadata(),
            "score": passage.score,
            "dense": passage.dense,
            "lexical": passage.lexical,
            "rank": passage.rank,
        },
    )


class SentenceRetriever(BaseRetriever):
    """The hybrid retriever as a LangChain retriever (one Document per sentence), for use at the edge."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    hybrid: HybridRetriever
    k: int = 3

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[LCDocument]:
        k = int(kwargs.get("k", self.k))
        return [passage_to_document(p) for p in self.hybrid.search(query, k=k)]
