"""Latin <-> Hangul matching of names and loanwords: 한빛 ~ Hanbit, 박재민 ~ Park Jae-min.

Hangul is romanised (Revised Romanization) and both sides are reduced to a
consonant skeleton in which sounds that the two scripts render differently
fall together (g/k/c/q, d/t, b/p/f/v, j/ch/s/z, l/r; vowels, h, w, y dropped;
an English r before a consonant or at the end is silent, as in 스타벅스 ~ Starbucks).
Two spellings match when their skeletons are equal and long enough not to
match by chance. This is language machinery, not a list of names.
"""
from __future__ import annotations

import re
from functools import lru_cache

_INITIALS = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]
_MEDIALS = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"]
_FINALS = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"]

# Consonant classes shared by both scripts.
_CLASS = {
    "g": "K", "k": "K", "c": "K", "q": "K",
    "d": "T", "t": "T",
    "b": "P", "p": "P", "f": "P", "v": "P",
    "s": "S", "z": "S", "j": "S",
    "l": "L", "r": "L",
    "m": "M", "n": "N",
}
_DIGRAPHS = (("ch", "j"), ("sh", "s"), ("ph", "f"), ("th", "t"), ("ck", "k"), ("x", "ks"), ("ng", "n"))
MIN_CLASSES = 3


def romanize(text: str) -> str:
    """Hangul syllables -> Revised Romanization (other characters kept as they are)."""
    out = []
    final = ""
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            initial = _INITIALS[code // 588]
            if final == "l" and initial == "r":
                initial = "l"  # ㄹㄹ is ll: 탈리 talli, 달러 dalleo
            final = _FINALS[code % 28]
            out.append(initial + _MEDIALS[(code // 28) % 21] + final)
        else:
            final = ""
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=8192)
def skeleton(word: str) -> str:
    """The consonant skeleton of a Latin or Hangul spelling ("" when there is nothing to compare)."""
    latin = not re.search(r"[\uac00-\ud7a3]", word)
    text = romanize(word).lower()
    text = re.sub(r"[^a-z]", "", text)
    if latin:
        # An English r after a vowel and before a consonant or the end is not written in Hangul.
        text = re.sub(r"(?<=[aeiou])r(?=[^aeiouy]|$)", "", text)
        text = re.sub(r"(?<=[aeiou])re$", "e", text)  # and before a silent final e: core 코어, care 케어, store 스토어
        text = re.sub(r"(.)\1", r"\1", text)  # doubled letters: one sound
        text = re.sub(r"c(?=[eiy])", "s", text)  # a soft c
    for pair, single in _DIGRAPHS:
        text = text.replace(pair, single)
    classes = [_CLASS[c] for c in text if c in _CLASS]
    # Repeated classes in a row are one sound across a syllable boundary (엑사 "eksa" ~ "exa").
    collapsed = [c for i, c in enumerate(classes) if i == 0 or c != classes[i - 1]]
    return "".join(collapsed)


# English letters Hangul renders in more than one way: "th" as ㅆ/ㅅ (씽크 think) or ㅌ (테마 theme), "ts" as 츠 or 트스,
# a g before e/i/y as ㅈ (에너지 energy, 제미나이) or ㄱ (기어 gear), "-tion" as 션.
_ALTERNATIVES = ((re.compile(r"th"), "s"),
                 # "ts" may be one sound, written 츠/ㅊ: Tsubame 츠바메, sports 스포츠 (not in sortsense 소트센스).
                 (re.compile(r"ts"), "ch"),
                 # A silent "gh": bright 브라이트, light 라이트, high 하이.
                 (re.compile(r"igh(?=t|$|[^aeiou])"), "ai"), (re.compile(r"g(?=[eiy])"), "j"), (re.compile(r"tion"), "sion"),
                 # A vowel before a consonant and a silent final e says its name: lite 라이트, sale 세일.
                 (re.compile(r"(?<=[^aeiou])i(?=[^aeiouwy]e$)"), "ai"), (re.compile(r"(?<=[^aeiou])a(?=[^aeiouwy]e$)"), "ei"))


@lru_cache(maxsize=8192)
def variants(word: str) -> tuple[str, ...]:
    """The word and its other plausible pronunciations (Latin spellings only)."""
    out = [word]
    if is_latin(word):
        lower = word.lower()
        out = [lower]
        for pattern, replacement in _ALTERNATIVES:
            if pattern.search(lower):
                out += [pattern.sub(replacement, v) for v in out]
    return tuple(dict.fromkeys(out))


def skeletons(word: str) -> frozenset[str]:
    """The skeletons of every plausible pronunciation of the word."""
    return frozenset(k for v in variants(word) if (k := skeleton(v)))


def same_name(a: str, b: str) -> bool:
    """Do two spellings (one Latin, one Hangul) sound like the same name?

    Equal skeletons, long enough not to be chance, and spellings close enough
    once romanised (so 누리온 ~ Nurion but not 너른 ~ Nurion), for some
    pronunciation of the Latin one.
    """
    return any(_same_name(va, vb) for va in variants(a) for vb in variants(b))


def _same_name(a: str, b: str) -> bool:
    ka, kb = skeleton(a), skeleton(b)
    if not ka or ka != kb:
        return False
    if len(ka) < 2:
        # One consonant is too little to go by, unless the whole name reads the same: 코요 ~ Koyo, not 고 ~ go.
        return min(len(a), len(b)) >= 2 and max(len(x) for x in (a, b)) >= 4 and \
            any(x == y for x in _plains(a) for y in _plains(b))
    needed = MIN_SIMILARITY if len(ka) >= min_classes(a, b) else MIN_SIMILARITY_SHORT
    if len(ka) >= MIN_CLASSES and min(len(a), len(b)) >= 6 and max(len(a), len(b)) >= 10:
        needed = MIN_SIMILARITY_LONG  # a long name whose consonants all agree: its vowels may be written freely (Brightwater 브라이트워터)
    return max(similarity(x, y) for x in _plains(a) for y in _plains(b)) >= needed


MIN_SIMILARITY = 0.55
MIN_SIMILARITY_SHORT = 0.7
MIN_SIMILARITY_LONG = 0.45
_ROMAN_VOWELS = (("yeo", "yo"), ("eo", "o"), ("ae", "a"), ("wo", "o"))


@lru_cache(maxsize=8192)
def _plains(word: str) -> tuple[str, ...]:
    """Letters of the spelling as they sound, comparable across scripts (x = ks, a hard c = k).

    A Hangul spelling has three readings: without the 'eu' Hangul adds to an
    English consonant (스크린 ~ screen), as it sounds (해온 ~ haon), and as
    written, which is how a Korean name is romanised (바다 ~ Bada, 해온 ~ Haeon).
    A name may mix them (바다사이클 ~ Bada Cycle), so the closest reading counts.
    """
    text = re.sub(r"[^a-z]", "", romanize(word).lower())
    if is_latin(word):
        for pair, single in (("x", "ks"), ("ee", "i"), ("ea", "i"), ("oo", "u"), ("ph", "p"), ("qu", "kw"), ("q", "kyu"), ("ck", "k")):
            text = text.replace(pair, single)
        plain = re.sub(r"c(?![eiyh])", "k", re.sub(r"c(?=[eiy])", "s", text))
        # As Hangul writes it: a y after a consonant is i (tally 탈리), a soft g is j (forge 포지), an r after a
        # vowel and before a consonant is not written (forge 포지, Starbucks 스타벅스).
        sounded = re.sub(r"(?<=[aeiou])r(?=[^aeiouy])", "", re.sub(r"(?<=[^aeiou])y", "i", plain))
        sounded = re.sub(r"g(?=e$|i|y)", "j", sounded)
        return tuple(dict.fromkeys((plain, sounded)))
    written = text  # a Korean name romanised as it is written: 해온 Haeon, 새봄 Saebom
    for pair, single in _ROMAN_VOWELS:
        text = text.replace(pair, single)
    return tuple(dict.fromkeys((re.sub(r"eu(?=[^aeiou]|$)", "", text), text, written)))


def similarity(a: str, b: str) -> float:
    """1 - normalised edit distance."""
    if not a or not b:
        return 0.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1.0 - previous[-1] / max(len(a), len(b))


def min_classes(a: str, b: str) -> int:
    """Three consonant classes, or two for a long Latin spelling against three or more syllables."""
    latin, hangul = (a, b) if is_latin(a) else (b, a)
    return 2 if len(latin) >= 5 and len(re.findall(r"[\uac00-\ud7a3]", hangul)) >= 3 else MIN_CLASSES


def is_latin(word: str) -> bool:
    return bool(word) and not re.search(r"[\uac00-\ud7a3]", word) and bool(re.search(r"[A-Za-z]", word))
