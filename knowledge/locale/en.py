"""English: stop words, question cues and the answer/message templates."""
from __future__ import annotations

import re

STOPWORDS = frozenset(
    """
    what which who whom whose when where why how many much does do did done is are was were be been being am
    something anything everything nothing someone anyone everyone somebody anybody whatever whichever
    the a an of in on at to for with by from about according article say says said tell me us you your i we
    it its it's their they them there this that these those and or as get got have has had can could would
    should will shall may might any some now currently please explain describe know let give show
    into than then so if not no yes also just only very really more most other such what's whats
    kind sort thing things part way one ones like doesn't didn't news report story
    cc fyi btw pls plz asap hey folks guys piece per amount he she his her him mr mrs ms dr prof
    """.split()
)

# Chat shorthand, written out before a question is read ("how many ppl work there rn?").
SHORTHAND = {"ppl": "people", "w/o": "without", "w/": "with", "b/c": "because", "abt": "about", "yr": "year", "yrs": "years",
             "approx": "approximately", "govt": "government", "rn": "right now", "thru": "through", "tho": "though",
             "mil": "million", "bil": "billion", "mgmt": "management", "dept": "department", "hq": "headquarters"}

# Words about an article itself (who wrote it, where, a summary of it): not what it is about.
ABOUT_ARTICLES = frozenset("""
    wrote write writes written writer author authored reporter journalist outlet newspaper publication paper byline
    story article piece summarise summarize summary recap overview gist tldr main points published publish
    """.split())

# --- messages -------------------------------------------------------------
# A sentence that goes on about the one before it ("It …", "These …"), and one that announces a list after it.
CONTINUES = re.compile(r"^(?:It|Its|They|Their|These|This|Those|He|She|Both|Each)\b")
ANNOUNCES = re.compile(
    r"(?:[:：]\s*$|\b(?:two|three|four|five|six|several)\s+(?:\w+\s)?(?:jobs|parts|kinds|types|versions|models|sizes|tiers|ways|"
    r"things|areas|steps|lines|families|pillars|roles|tasks)\b)", re.I)

USAGE = 'Please type a question, e.g. "{example}"'
INJECTION_ONLY = "I don't follow instructions inside questions; please ask about the articles."
TOO_LONG = "Your question was longer than {limit:,} characters; only the first {limit:,} were used."
THANKS = "👍 Ask me anything else about the articles."
HELLO = "Hi! Ask me about {topic}, e.g. {examples}"
DECLINE = "The articles do not say."
DECLINE_CLOSEST = "The articles do not say. The closest passage is shown for reference."
UNCERTAIN = "The article doesn't say exactly; the closest it comes is {where}, quoted below."
UNVERIFIED = "I could not verify a supporting sentence in the articles."
NO_DOCUMENTS = "No articles are indexed yet."

# --- answers --------------------------------------------------------------
FIGURE = "According to the article, it is {figure}."
CHANGE = "According to the article, it went from {before} to {after}."
# Another article gives the figure differently (see `knowledge.retrieval.Retriever.rival`).
RIVAL = " Another article gives {figure}: {where}."
FIGURE_FOR = "According to the article, {subject}: {figure}."
WHEN = "According to the article, this was {figure}."
ACCORDING = "According to {where}: {statement}"
SEE_QUOTE = "The article answers this in {where}, quoted below."
SEE_QUOTE_KO = "The article answers this in {where}; the Korean original is quoted below."
MENTIONS = " It names {names}."
BYLINE = "“{label}” was written by {byline} for {outlet}."
DATED = "It is dated {date}."
SUMMARY = "The main points of “{label}”{extra}, in {count} sentences:"
SOURCES = "{count} articles are indexed:"
WHICH_ARTICLE = "Which article do you mean? The indexed articles are:"

# Words that say what kind of question it is ("what does X stand for"), not what it is about.
DEFINITION_MARKERS: tuple[str, ...] = (
    "stand for", "stands for", "abbreviation", "acronym", "short for", "meaning", "mean", "means", "definition",
)

# "Which X" / "what kind of X" / "what X did …": the noun a question asks to name. Words that only say what kind
# of answer is wanted (a year, a score, a size), point back ("which one") or name a party by the part it plays
# (investor, partner, winner: articles tell it with a verb, "a round led by …") are not such a noun.
ASKED_HEAD = (
    re.compile(r"\b(?:which|what)\s+(?:kinds?|types?|sorts?)\s+of\s+([a-z][\w-]*)"),
    re.compile(r"\bwhich\s+([a-z][\w-]*)"),
    re.compile(r"\bwhat\s+([a-z][\w-]*)\s+(?:does|did|do|is|was|are|were|has|have|had|will|would|can|could)\b"),
)
# "How many X": the noun counted. General nouns (people, times, units) are left to the figure's own unit.
COUNTED = re.compile(r"\bhow many (?:[a-z][\w-]* )?([a-z][\w-]*)(?= (?:did|does|do|is|are|was|were|have|has|had|will|can|could|would|"
                     r"should|in|of|for|at|on|per|with|to|from|that|which|there|across|under|over|by)\b|\s*[?,.]|\s*$)")
# When no verb or preposition closes the noun phrase, its first word.
COUNTED_FIRST = re.compile(r"\bhow many ([a-z][\w-]*)")
GENERIC_COUNTED = frozenset("""
    people persons times ones of more other others different total in units items things kinds types sorts days years
    months weeks hours minutes the a an
    """.split())
GENERIC_HEADS = frozenset("""
    one ones of is are was were does did do has have had can could will would should the a an about else exactly
    kind kinds type types sort sorts way ways thing things part parts year years month date day time period score size number
    amount share rate percentage figure level role goal purpose aim reason result point points detail details place
    use uses ranking standing
    investor investors backer backers partner partners customer customers client clients buyer buyers supplier suppliers
    sponsor sponsors winner winners founder founders leader leaders owner owners operator operators counterparty
    cohort cohorts batch round stage phase version generation
    """.split())

# A person's name after a title or role: "Chief executive William Cho", "reporter Jordan Lee".
PERSON_AFTER_TITLE = re.compile(
    r"(?:CEO|[Cc]hief [Ee]xecutive|[Pp]resident|[Cc]hair(?:man|woman)?|[Ff]ounder|[Hh]ead|[Dd]irector|[Mm]anager|"
    r"[Rr]eporter|[Aa]nalyst|[Pp]rofessor|[Mm]inister|[Ee]ngineer|[Rr]esearcher|[Ss]pokes(?:man|woman|person))"
    r",?\s+(?:of\s+[A-Z][\w&.-]*(?:\s[A-Z][\w&.-]*)*,?\s+)?([A-Z][a-z]+(?:[ -][A-Z][a-z]+(?:-[a-z]+)?){1,2})"
)
# A Korean name romanised surname first, the given name hyphenated: "Hong Gil-dong", "Lee Su-jin".
ROMANISED_KOREAN_NAME = re.compile(r"(?<![A-Za-z-])([A-Z][a-z]{0,4} [A-Z][a-z]{1,5}-[a-z]{1,5})(?![A-Za-z-])")


# Prepositions that can open a capitalised run at the start of a sentence ("Between April 1 and …").
PREPOSITIONS = frozenset({
    "about", "above", "across", "after", "against", "along", "among", "around", "before", "behind", "below",
    "beneath", "beside", "besides", "between", "beyond", "despite", "during", "except", "following", "inside",
    "into", "near", "outside", "over", "past", "since", "through", "throughout", "toward", "towards", "under",
    "until", "upon", "within", "without",
})

# A party that may answer "who" besides a person: "North Bay Ventures", "Kestrel Metals SA", "Seaview Capital".
PARTY = re.compile(r"\b(?:[A-Z][\w&'-]*\s){1,4}(?:Capital|Ventures|Partners|Investments?|Holdings|Bank|Securities|Group|Fund|"
                   r"Labs|Technologies|Industries|Metals|Motors|Electronics|Inc|Corp|Co|Ltd|AB|AS|SA|AG|GmbH|LLC)\b")
