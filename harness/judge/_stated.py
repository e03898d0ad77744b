"""Answers given as statements: "There is no traffic in my lane.", "No vehicle is stopped at
the crossing.", "The cyclist is not in a dedicated cycle lane.", "I am not positioned to
turn right."

Models often answer a yes/no question about the scene by restating it instead of saying
yes or no. ``question_shape`` reads what an English question asks:

* existence: "Is there (any / a) X ...?", "Are there X ...?", "Is any X Y?", "Is anyone
  ...?": the head noun X (with a few synonyms: traffic ~ car, vehicle, truck ...) and the
  sides it names (left, right, my lane, the next lane ...);
* copula: "Is/Are <subject> <predicate>?" ("Is the road clear to accelerate?", "Are you
  positioned to turn right?"): the words after the verb, split into subject and
  predicate where a reply restates them;
* person: "Should/Can/Do you ...?": the reply's I / we / the ego vehicle is the question's
  you;
* count: "Is there more than one / at least two / exactly one X?": the number asked;
* universal: "Are all / both / every ...?": a statement about some of them answers
  nothing, unless it says "Both." or "Two of the three ...".

``stated_answer`` then reads the reply's clauses:

* existence: "There is/are no X", "No X ...", "None.", "Nothing.", "Zero", "0", "Neither",
  "I don't see any X" mean no; "There is/are a / two / some X", "Two X are ...", "I see a
  X" mean yes, when X is the asked noun (or a synonym) and no other side or lane is named;
* copula: "<subject> is (not) <predicate>" with the question's subject (for a person
  question: I, we, the ego vehicle, the car) means yes (no); "<subject> is <opposite>"
  ("The light is red." for "Is the light green?", "The car is stationary." for "Is the car
  moving?"), another number, or "<subject> is <state> ..., not <the asked complement>"
  means no; a subject naming another side (left for right) answers nothing;
* count: the stated number against the asked comparison ("One." is no for "more than
  one"); universal: "Both.", "All of them." (yes), "Two of the three", "Not all" (no);
* person: "I can see the light." / "I would not honk." echo the question's verb;
* short answers repeating the question's verb: "We do.", "It is not.", "There is.".

Only plain replies are read: none that doubts, makes an exception ("except", "but",
"only", "apart from"), speaks of another time ("was", "will", "no longer"), quotes, denies
or suggests, and no question that holds a negation or offers a choice; counts only when
the reply gives one number. Every reading must agree, or the reply is ambiguous. English
only; anything else reads nothing. An adversarial set (tests/data/judge_adversarial.jsonl)
keeps these rules from ever giving the opposite answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Final, Literal

from ._question import action_class
from ._text import AMBIGUOUS, SKIPPED_ROLES, Clause, strip_filler

ShapeKind = Literal["existence", "copula", "person", "universal", "count"]


@dataclass(frozen=True)
class QuestionShape:
    """What an English yes/no question asks about (see the module doc).

    Attributes:
        kind: existence, copula, person or universal.
        heads: the asked noun and its synonyms (existence), singular.
        qualifiers: what the asked thing must be doing or be (existence: "crossing",
            "parked"); a reply that something exists must say it too.
        places: where the question looks (existence: "lane" in "... in your lane?"); "the
            lane is empty" answers no.
        aux: the question's first word (is, are, do, should ...), which a short answer
            ("We do.", "It isn't.") repeats.
        sides: location words of the question (left, right, own lane, next lane ...).
        words: the words after the question's verb (copula), e.g. ("the", "road",
            "clear", "to", "accelerate").
        person: the question's subject when it is you / we / I, else "" (a reply's I / we /
            the ego vehicle is it, and its "you" when the question says I or we).
        noun: the asked noun itself, singular (existence), "" for anyone / anything.
    """

    kind: ShapeKind
    heads: frozenset[str] = frozenset()
    modifiers: frozenset[str] = frozenset()
    qualifiers: frozenset[str] = frozenset()
    sides: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    aux: str = ""
    words: tuple[str, ...] = ()
    person: str = ""
    noun: str = ""


_SYNONYMS: Final[tuple[frozenset[str], ...]] = tuple(
    frozenset(group.split())
    for group in (
        "traffic vehicle car truck van bus lorry motorcycle suv sedan hatchback taxi cab pickup"
        " minivan ambulance motorcyclist scooter coupe jeep tram trailer",
        "pedestrian person people walker anyone anybody someone man woman men women child"
        " children kid adult jogger boy girl",
        "cyclist bicycle bike bicyclist rider",
        "obstacle obstruction debris object barrier cone",
        "light signal",
    )
)
_NUMBER_WORDS: Final = (
    r"a\s+few|a\s+couple\s+of|a\s+number\s+of|a\s+(?:group|pair|line|row|handful)\s+of"
    r"(?:\s+(?:two|three|four|five|six|seven|eight|nine|ten|[1-9]\d*))?|dozens\s+of|lots\s+of"
    r"|a\s+lot\s+of|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|some|many"
    r"|multiple|[1-9]\d*"
)
_STOP_HEAD: Final = frozenset(
    {
        "in", "on", "at", "to", "near", "ahead", "behind", "around", "nearby", "across",
        "within", "inside", "outside", "under", "over", "beside", "next", "by", "from",
        "that", "which", "who", "waiting", "visible", "present", "currently", "now",
        "here", "there", "of", "for", "with", "between", "along", "close", "coming",
    }
)  # fmt: skip
_ARTICLES: Final = frozenset(
    {"a", "an", "the", "any", "some", "one", "your", "my", "our", "this", "that", "its"}
)
_SIDE_WORDS: Final = {
    "left": "left",
    "right": "right",
    "oncoming": "oncoming",
    "opposite": "oncoming",
    "adjacent": "next",
    "next": "next",
    "neighbouring": "next",
    "neighboring": "next",
    "other": "next",
    "my": "own",
    "your": "own",
    "our": "own",
    "own": "own",
    "ego": "own",
    "current": "own",
    "same": "own",
    "behind": "behind",
    "rear": "behind",
    "ahead": "ahead",
    "front": "ahead",
}
_CONFLICTS: Final = {
    "left": {"right"},
    "right": {"left"},
    "own": {"next", "oncoming", "left", "right"},
    "next": {"own"},
    "oncoming": {"own"},
    "ahead": {"behind"},
    "behind": {"ahead"},
}
_UNIVERSAL: Final = re.compile(r"\b(?:all|every|each|both)\b")
_QUANTITY: Final = re.compile(
    r"\b(?:more|fewer|less|at\s+least|at\s+most|exactly|only|than|many|much|number)\b"
)
_COMPARED_Q: Final = re.compile(
    r"^(?:is|are)\s+(?:there\s+)?(?P<cmp>more\s+than|at\s+least|exactly|fewer\s+than"
    r"|less\s+than)\s+(?P<n>\w+)\s+(?P<rest>.+)$"
)
_NUMBERS: Final = {
    "zero": 0, "no": 0, "none": 0, "one": 1, "a": 1, "an": 1, "single": 1, "two": 2,
    "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12,
}  # fmt: skip


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _NUMBERS.get(word)


_DUMMY_SUBJECT: Final = frozenset({"it", "there", "this", "that", "these", "those"})
_EXISTENCE: Final = re.compile(
    r"^(?:is|are|was|were)\s+there\s+(?:(?P<any>any(?:one|body|thing)|some(?:one|body|thing))"
    r"\s+|any\s+|an?\s+|some\s+)?(?P<rest>.+)$"
)
_ANY: Final = re.compile(
    r"^(?:is|are|was|were|does|do|has|have)\s+(?P<any>any(?:one|body|thing)?|either"
    r"|someone|somebody)\b\s*(?P<rest>.*)$"
)
_PERSON_MODAL: Final = re.compile(
    r"^(?:should|shall|can|could|must|may|might|will|would|do|does|did|have|has|need)"
    r"\s+(?:you|we|i)\b"
)
_COPULA_Q: Final = re.compile(r"^(?:is|are|am|was|were)\s+(?P<rest>.+)$")
_PERSON_SUBJECT: Final = frozenset({"you", "we", "i"})
_EGO: Final = (
    r"(?:i|we|i'm|we're|the\s+ego(?:\s+(?:vehicle|car))?"
    r"|our\s+(?:vehicle|car)|my\s+(?:vehicle|car)|the\s+self-driving\s+car)"
)
_WORD: Final = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def question_shape(question: str | None) -> QuestionShape | None:
    """The shape of an English yes/no question, or None when none is recognised."""
    if not question:
        return None
    text = " ".join(question.lower().replace("\u2019", "'").split()).rstrip(" ?.!")
    text = re.sub(r"^(are\s+there\s+)multiple\b", r"\1at least two", text)  # counts: >= 2
    if _UNIVERSAL.search(text):
        return QuestionShape("universal", words=tuple(_WORD.findall(text)))
    compared = _COMPARED_Q.match(text)
    if compared and _number(compared.group("n")) is not None:
        base = _existence(compared.group("rest"), None, "there")
        if base is None:
            return None
        return QuestionShape(
            "count",
            heads=base.heads,
            qualifiers=base.qualifiers,
            sides=base.sides,
            words=(compared.group("cmp").replace(" ", "_"), compared.group("n")),
            noun=base.noun,
        )
    if _QUANTITY.search(text):
        return None  # "Are there many ...?" asks a vague amount
    if re.search(r"\b(?:not|no|never|none|nothing|nobody)\b|n't\b", text):
        return None  # a question with a negation inside ("... that is not blocked?")
    if re.search(r"\bor\b", text):
        return None  # "Is it a sign or a barrier?" asks to choose, not yes or no
    existence = _EXISTENCE.match(text)
    if existence:
        return _existence(existence.group("rest"), existence.group("any"), "there")
    anyone = _ANY.match(text)
    if anyone:
        rest = re.sub(r"^of\s+(?:the|these|those|your|our)\s+", "", anyone.group("rest"))
        return _existence(rest, anyone.group("any"), text.split()[0])
    if _PERSON_MODAL.match(text):
        return QuestionShape(
            "person",
            person=text.split()[1],
            aux=text.split()[0],
            words=tuple(_WORD.findall(text))[2:],
            sides=_sides(tuple(_WORD.findall(text))),
        )
    copula = _COPULA_Q.match(text)
    if copula:
        words = tuple(_WORD.findall(copula.group("rest")))
        if len(words) >= 2 and (words[0] not in _DUMMY_SUBJECT or words[0] == "it"):
            return QuestionShape(
                "copula",
                sides=_sides(words),
                words=words,
                person=words[0] if words[0] in _PERSON_SUBJECT else "",
                aux=text.split()[0],
            )
    return None


def _existence(rest: str, pronoun: str | None, aux: str) -> QuestionShape | None:
    words = _WORD.findall(rest)
    chunk: list[str] = []
    noun = ""
    if pronoun in ("anyone", "anybody", "someone", "somebody"):
        heads = _related("person")
    elif pronoun in ("anything", "something"):
        heads = frozenset({"anything", "something", "object", "obstacle", "vehicle", "car"})
    else:
        for word in words:
            if word in _STOP_HEAD or (chunk and (word.endswith(("ing", "ed")) or word in _STATES)):
                break  # "Is either lane open?": the state ends the noun
            if word not in _ARTICLES:
                chunk.append(word)
        if not chunk:
            return None
        noun = _singular(chunk[-1])
        heads = _related(noun)
    after = words[len(chunk) :] if chunk else words
    qualifiers = frozenset(_stem(w) for w in after if w.endswith(("ing", "ed")) or w in _STATES)
    return QuestionShape(
        "existence",
        heads=heads,
        modifiers=frozenset(w for w in chunk[:-1] if w not in _SIDE_WORDS),
        qualifiers=qualifiers,
        sides=_sides(tuple(words)),
        places=_place_nouns(words, heads),
        aux=aux,
        noun=noun,
    )


_PLACE_PREPOSITIONS: Final = frozenset({"in", "on", "at", "from", "into", "inside", "within"})
_PLACES: Final = frozenset(
    {"lane", "road", "street", "intersection", "junction", "crosswalk", "crossing", "sidewalk",
     "pavement", "zone", "bay", "space", "spot", "stop", "shoulder", "path", "track", "area",
     "roundabout", "driveway", "highway", "ramp", "bridge", "tunnel"}
)  # fmt: skip


def _place_nouns(words: list[str], heads: frozenset[str]) -> frozenset[str]:
    """The place nouns after the question's prepositions ("in your lane" -> lane)."""
    found: set[str] = set()
    for index, word in enumerate(words):
        if word in _PLACE_PREPOSITIONS:
            tail = [w for w in words[index + 1 :] if w not in _ARTICLES]
            found |= {_singular(w) for w in tail if _singular(w) in _PLACES}
    return frozenset(found - heads)


_STATES: Final = frozenset(
    {"visible", "present", "parked", "stationary", "open", "closed", "free", "clear", "empty",
     "blocked", "red", "green", "yellow", "amber", "stopped", "moving", "occupied", "lit",
     "wet", "dry", "safe", "available", "working", "running"}
)  # fmt: skip


def _stem(word: str) -> str:
    return word[:5]


def _qualified(lower: str, shape: QuestionShape) -> bool:
    """The clause says what the question asks the thing to be doing (if anything)."""
    if not shape.qualifiers:
        return True
    return bool(shape.qualifiers & {_stem(w) for w in _WORD.findall(lower)})


#: Words for a whole kind, not one sort of it: "no vehicles" says there is no truck either,
#: "no cars" does not (see :func:`_narrowed`).
_GENERAL: Final = frozenset(
    {"traffic", "vehicle", "person", "people", "pedestrian", "anyone", "anybody", "someone",
     "walker", "obstacle", "object", "obstruction", "cyclist", "bicycle", "bike", "bicyclist",
     "rider", "light", "signal"}
)  # fmt: skip


def _narrowed(shape: QuestionShape, whole: str) -> QuestionShape:
    """A reply that names two sorts of the asked kind, one of them in a clause with "only"
    (which is not read: "No cars, only trucks."), answers only by the asked noun itself:
    what it says of cars is not what it says of trucks. Without "only" the two readings
    meet and disagree."""
    if shape.kind not in ("existence", "count") or not shape.noun or not _ONLY.search(whole):
        return shape
    sorts = {_singular(w) for w in _WORD.findall(whole)} & shape.heads - _GENERAL
    if len(sorts) < 2:
        return shape
    kept = {shape.noun} | (shape.heads & _GENERAL if shape.noun in _GENERAL else set())
    return replace(shape, heads=frozenset(kept))


def _related(noun: str) -> frozenset[str]:
    for group in _SYNONYMS:
        if noun in group:
            return group
    return frozenset({noun})


def _singular(word: str) -> str:
    if word in ("people", "bus", "debris", "traffic"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "uses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _sides(words: tuple[str, ...]) -> frozenset[str]:
    found = {_SIDE_WORDS[w] for w in words if w in _SIDE_WORDS}
    if "next" in found or "oncoming" in found:
        found.discard("own")  # "your next lane" is not your own lane
    return frozenset(found)


def _sentence_contrast(clauses: list[Clause], index: int, shape: QuestionShape) -> str | None:
    """The contrast read over the clause and the ", not ..." clauses that follow it in its
    sentence ("The cyclist is riding on the road, not on the sidewalk.")."""
    sentence = clauses[index].sentence
    following = [c.lower for c in clauses[index + 1 :] if c.sentence == sentence]
    if not following or not re.match(r"\W*not\b", following[0]):
        return None
    joined = _expanded(" ".join([clauses[index].lower, following[0]]))
    words = shape.words
    for k in range(1, len(words)):
        subjects = _subject_pattern(words[:k], shape.person)
        if subjects is None:
            continue
        value = _contrasted(joined, _lead(subjects), words[k:])
        if value is not None:
            return value
    return None


def _conditional(clauses: list[Clause], index: int) -> bool:
    """The clause holds only under a condition of its sentence ("We should turn left if
    the arrow is green, otherwise go straight.")."""
    sentence = clauses[index].sentence
    return any(
        c.sentence == sentence and c.role == "condition" for c in clauses[index + 1 :]
    ) or any(re.match(r"\W*otherwise\b", c.lower) for c in clauses if c.sentence == sentence)


def _conflicting(shape: QuestionShape, lower: str) -> bool:
    """The clause names a side or lane the question rules out (left vs right, ...)."""
    return _clash(shape.sides, _sides(tuple(_WORD.findall(lower))))


def _clash(asked: frozenset[str], said: frozenset[str]) -> bool:
    """Some side said is one that a side asked rules out (:data:`_CONFLICTS`)."""
    return any(side in _CONFLICTS.get(a, set()) for a in asked for side in said)


# --- reading a reply --------------------------------------------------------------------

_DOUBT: Final = re.compile(
    r"\b(?:not\s+(?:true|the\s+case|correct|accurate)|untrue|false\s+that|doubt\w*"
    r"|unlikely|wrong\s+to\s+say|whether|if|unless|might|may|could|possibly|perhaps"
    r"|probably|maybe|not\s+that|though|although|not\s+(?:sure|certain)|unsure|uncertain"
    r"|necessarily|(?:done|stopped|finished|quit|ceased)"
    r"\s+\w+ing)\b"
)
_NONE_CLAUSE: Final = re.compile(
    r"(?:none|nothing|nobody|no\s+one|no-one|zero|0|neither|not\s+any|none\s+at\s+all"
    r"|none\s+(?:visible|present|seen|detected|that\s+i\s+can\s+see)"
    r"|(?:none|neither|not\s+one)\s+of\s+(?:them|these|those)|not\s+a\s+single\s+one)\W*"
)
_NONE_SUBJECT: Final = re.compile(
    r"^(?:nothing|nobody|no\s+one|no-one)\s+(?:is|are|was|were|can\s+be|appears?|seems?"
    r"|visible|in|on|at|coming|moving|behind|ahead|near|here|there|except)\b"
)
_THERE_ISNT: Final = re.compile(
    r"\bthere\s+(?:isn't|aren't|wasn't|weren't|is\s+not|are\s+not)\s+(?:(?P<none>any(?:one"
    r"|body|thing)?|one)\b|an?\b)(?P<rest>[^.;]*)"
)
_COUNT_WORDS: Final = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+single|a\s+dozen"
    r"|dozens|several|a\s+few|a\s+couple|many|multiple|[1-9]\d*"
)
_BARE_COUNT: Final = re.compile(
    rf"^(?:(?:just|only|about|around|roughly|approximately|at\s+least)\s+)?"
    rf"(?:(?P<zero>zero|0|no)|(?P<some>{_COUNT_WORDS}))\b(?P<rest>.*)$"
)
_NONE_OF: Final = re.compile(
    r"^(?:(?:none|neither|not\s+one)\s+of\s+(?:the\s+|these\s+|those\s+)?(?P<rest>[^.;]*)"
    r"|neither\s+(?P<bare>(?:is|are|of\s+them|one)\b)?(?P<rest2>[^.;]*))"
)
_OCCUPIED_BY: Final = re.compile(
    r"\b(?P<place>[a-z-]+)\s+(?:is|are)\s+(?:occupied|taken|blocked)\s+by\s+(?P<rest>[^.;]*)"
)
_LABELLED_COUNT: Final = re.compile(
    r"^[{\[\s\"']*(?P<noun>[a-z ]+?)[\"']?\s*[:=]\s*[\"']?(?P<n>\d+)\W*$"
)
_COUNT_LABELS: Final = frozenset({"count", "number", "total", "n"})
_ZERO_COUNT: Final = re.compile(
    r"\b(?:count|see|spot|detect|there\s+are|there\s+is)\s+(?:zero|0)\b(?P<rest>[^.;]*)"
    r"|\bnumber\s+of\s+(?P<noun>[\w ]+?)\s+(?:[\w ]+?\s+)?is\s+(?:zero|0)\b"
)
_PLACE_EMPTY: Final = re.compile(
    r"\b(?P<place>[a-z-]+)s?\s+(?:(?:ahead|here|itself)\s+)?(?:of\s+me\s+|of\s+us\s+)?"
    r"(?:is|are|looks|seems|appears)\s+(?:completely\s+|totally\s+|entirely\s+|still\s+)?"
    r"(?:empty|clear|free|deserted|vacant)\b"
    r"|^(?:an?\s+)?(?:empty|clear|deserted)\s+(?P<place2>[a-z-]+)\b"
    r"|\b(?P<place3>[a-z-]+)\s+has\s+nothing\b"
)
_THERE_NONE: Final = re.compile(
    r"\bthere\s+(?:is|are|was|were|'s|'re)\s+(?:(?P<none>none|nothing|nobody|no\s+one)"
    r"|no|not\s+any)\b(?P<rest>[^.;]*)"
)
_NO_NOUN: Final = re.compile(r"^(?:no|zero)\s+(?P<rest>[^.;]*)")
_NOT_SEE: Final = re.compile(
    r"\b(?:i|we)\s+(?:do\s+not|don't|cannot|can't|could\s+not|couldn't|did\s+not|didn't)"
    r"\s+(?:see|spot|detect|notice|observe)\s+(?:any|a|an)\b(?P<rest>[^.;]*)"
    r"|\b(?:i|we)\s+(?:see|spot|detect)\s+no\b(?P<rest2>[^.;]*)"
)
_THERE_SOME: Final = re.compile(
    rf"\bthere\s+(?:is|are|was|were)\s+(?!no\b|not\b|nothing\b|none\b|nobody\b)"
    rf"(?:(?:{_NUMBER_WORDS})\b)?(?P<rest>[^.;]*)"
)
_COUNTED: Final = re.compile(
    rf"^(?:(?:{_NUMBER_WORDS})\s+)(?P<rest>[^.;]*?)\b(?:is|are|was|were|can\s+be\s+seen"
    r"|stands?|sits?|waits?|crosses|cross|appears?)\b"
)
_I_SEE: Final = re.compile(
    rf"\b(?:i|we)\s+(?:can\s+)?(?:see|spot|detect|notice)\s+(?:{_NUMBER_WORDS})\b(?P<rest>[^.;]*)"
)


_SCOPE: Final = re.compile(
    r"\b(?:except|excepting|besides|apart\s+from|aside\s+from|other\s+than|but|save|instead"
    r"|rather\s+than|all\s+but|used\s+to|was|were|will"
    r"|going\s+to|about\s+to|earlier|expected|until|deny|denying|denied|suggests?|call"
    r"|denies|lack|lacking|absent|gone|missing|without|hardly|barely|scarcely|otherwise|then"
    r"|no\s+further"
    r"|rarely|seldom|though|although)\b"
    r"|[\"\u201c\u201d]|'\s|\s'"
)
_ONLY: Final = re.compile(r"\bonly\b")


def _out_of_scope(whole: str, shape: QuestionShape) -> bool:
    """The reply makes an exception or speaks of another time (:data:`_SCOPE`), in words
    the question did not use itself ("I will turn left" answers "Will you turn left?")."""
    asked = {shape.aux, *shape.words}
    return any(not set(m.group(0).split()) <= asked for m in _SCOPE.finditer(whole))


#: Another time, except for a state: "The light isn't red anymore." answers "Is it red?".
_NO_LONGER: Final = re.compile(r"\b(?:no\s+longer|anymore|any\s+more)\b")


def stated_answer(clauses: list[Clause], shape: QuestionShape) -> str | None:
    """The answer the clauses state for a question of ``shape``: "yes", "no", AMBIGUOUS
    when statements disagree, or None when none answers.

    Only plain replies are read: one that makes an exception ("except", "apart from",
    "but"), speaks of another time ("was", "will", "no longer"), quotes, or denies
    something reads nothing, since its statement may not hold of what is asked now; nor
    does a clause with "only" ("only a sedan"), nor any state reply with one."""
    short = _leading_short_answer(clauses, shape)
    if short is not None:
        return short  # "I shouldn't; the light is about to turn red." answers first
    whole = _expanded(" ".join(c.lower for c in clauses))
    shape = _narrowed(shape, whole)
    if (
        _out_of_scope(whole, shape)
        or (shape.kind != "copula" and _NO_LONGER.search(whole))
        or (shape.kind == "copula" and _ONLY.search(whole))  # "No one is on it, only a bike."
    ):
        return None
    if shape.kind == "count" and len(_COUNT_MIX.findall(whole)) > 1:
        return None  # "One car is parked, two more are moving." counts twice
    readings = []
    for index, clause in enumerate(clauses):
        if clause.role in SKIPPED_ROLES or _conditional(clauses, index):
            continue
        lower = _expanded(strip_filler(clause.lower).strip())
        if shape.kind in ("existence", "person") and _ONLY.search(lower):
            continue  # "only a sedan" restricts; what it says of the asked thing is unclear
        denied = _NOT_THE_CASE.match(lower)
        if denied:  # "It is not true that the lane is clear." denies what follows
            value = _denied_reading(denied.group("rest"), shape, clauses, index)
        else:
            value = _clause_reading(lower, shape, clauses, index)
        if value is not None:
            readings.append(value)
    if not readings:
        return None
    return readings[0] if len(set(readings)) == 1 else AMBIGUOUS


#: State words whose negation is the other: "not blocked" is clear, "not green" is not red.
_COMPLEMENTS: Final = {
    "clear": "blocked", "blocked": "clear", "open": "closed", "closed": "open", "wet": "dry",
    "dry": "wet", "empty": "occupied", "occupied": "empty", "moving": "stationary",
    "stationary": "moving", "lit": "unlit", "visible": "hidden",
}  # fmt: skip


def _denied_reading(
    inner: str, shape: QuestionShape, clauses: list[Clause], index: int
) -> str | None:
    """The opposite of what ``inner`` states, when it restates the question (or states
    the complement of its state: "not the case that the lane is blocked" is clear), and
    offers no choice ("clear or blocked")."""
    if re.search(r"\bor\b", inner) or shape.kind not in ("copula", "existence"):
        return None
    states = [w for w in shape.words if w in _STATES or w in _ANTONYMS] or list(shape.words[-1:])
    asked = set(states) | {_COMPLEMENTS[w] for w in states if w in _COMPLEMENTS}
    if shape.kind == "copula" and not asked & set(_WORD.findall(inner)):
        return None  # "not true that the light is green" says nothing of red
    value = _clause_reading(inner, shape, clauses, index)
    return {"yes": "no", "no": "yes"}.get(value or "")


_NOT_THAT_I_SEE: Final = re.compile(r"not\s+that\s+(?:i|we)\s+can\s+(?:see|tell|spot)\W*")
_NOT_THE_CASE: Final = re.compile(r"^it\s+is\s+not\s+(?:true|the\s+case)\s+that\s+(?P<rest>.+)$")


def _clause_reading(
    lower: str, shape: QuestionShape, clauses: list[Clause], index: int
) -> str | None:
    """What one clause (``lower``, normalised; ``clauses[index]``) states for the question."""
    if shape.kind == "existence" and _NOT_THAT_I_SEE.fullmatch(lower):
        return "no"
    if not lower or _DOUBT.search(lower):
        return None
    if shape.kind == "existence" and _conflicting(shape, lower):
        return None
    value = _short_answer(lower, shape)
    if value is None and shape.kind == "existence":
        value = _existence_reading(lower, shape)
    elif value is None and shape.kind == "copula":
        first = all(c.role in SKIPPED_ROLES for c in clauses[:index])
        value = _copula_reading(lower, shape, first)
        if value is None and clauses[index].role == "main":
            value = _sentence_contrast(clauses, index, shape)
    elif value is None and shape.kind == "count":
        value = _compared(lower, shape)
    elif value is None and shape.kind == "universal":
        value = _all_reading(lower)
    elif value is None and shape.kind == "person":
        sentence = clauses[index].sentence
        tail = " ".join(c.lower for c in clauses[index + 1 :] if c.sentence == sentence)
        value = _echoed(lower, shape, tail)
    return value


def _leading_short_answer(clauses: list[Clause], shape: QuestionShape) -> str | None:
    """A reply that opens with a short answer ("We do not.", "I shouldn't;") answers as a
    yes or no would, whatever its explanation says; not one under a condition."""
    for index, clause in enumerate(clauses):
        if clause.role in SKIPPED_ROLES:
            continue
        later = " ".join(c.lower for c in clauses[index + 1 :])
        if _conditional(clauses, index) or _CORRECTION.search(later):
            return None
        return _short_answer(_expanded(strip_filler(clause.lower).strip()), shape)
    return None


#: What takes a first short answer back ("It is — well, it was earlier.").
_CORRECTION: Final = re.compile(
    r"\b(?:was|were|earlier|actually|well|anymore|no\s+longer|used\s+to|but|however"
    r"|though|except|unless|mean|rather|correction)\b"
)


def _count_reading(lower: str, shape: QuestionShape) -> str | None:
    """A count as the answer: "0", "Zero.", "Two.", "pedestrians: 2", "One cyclist.", "I
    count zero trucks", "The number of obstacles is zero"."""
    labelled = _LABELLED_COUNT.match(lower)
    if labelled and (
        labelled.group("noun").strip() in _COUNT_LABELS
        or _names_head(labelled.group("noun"), shape)
    ):
        return "no" if int(labelled.group("n")) == 0 else "yes"
    zero = _ZERO_COUNT.search(lower)
    if zero and _names_head(zero.group("rest") or zero.group("noun") or "", shape):
        return "no"
    bare = _BARE_COUNT.match(lower)
    if not bare:
        return None
    rest = bare.group("rest").strip(" .!,;:")
    named = _names_head(rest, shape, 3) or re.match(r"(?:of\s+them|of\s+these)\b", rest)
    if bare.group("zero"):
        return "no" if (not rest or named) and bare.group("zero") != "no" else None
    if not rest:
        return "yes"  # "Two." answers "Are there pedestrians ...?"
    if named and _qualified(lower, shape) and not re.search(r"\b(?:not|n't)\b", rest):
        return "yes"
    return None


_CONTRACTIONS: Final = (
    (re.compile(r"\b(it|that|there|here|what|he|she|this)'s\b"), r"\1 is"),
    (re.compile(r"\b(i)'m\b"), r"\1 am"),
    (re.compile(r"\b(you|we|they)'re\b"), r"\1 are"),
    (
        re.compile(r"\b(is|are|was|were|do|does|did|has|have|should|would|could|must)n't\b"),
        r"\1 not",
    ),
    (re.compile(r"\bcan't\b"), "cannot"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\b(i|we|you|they|he|she|it)'d\b"), r"\1 would"),
)


def _expanded(lower: str) -> str:
    """Contractions spelt out: "it's" -> "it is", "isn't" -> "is not", "I'm" -> "i am"."""
    for pattern, replacement in _CONTRACTIONS:
        lower = pattern.sub(replacement, lower)
    return lower


_BE: Final = frozenset({"is", "are", "am", "was", "were"})
_SHORT: Final = re.compile(
    r"^(?P<subject>[a-z-]+(?:\s+[a-z-]+){0,2}?)\s+(?P<aux>[a-z]+)(?P<neg>\s+not)?\W*$"
)


def _short_answer(lower: str, shape: QuestionShape) -> str | None:
    """ "We do." / "We do not." / "It is." / "There is not." / "I am not" for a question
    that opens with that verb and asks about that subject."""
    short = _SHORT.match(lower)
    if not short or not shape.aux:
        return None
    aux, negated = short.group("aux"), bool(short.group("neg"))
    if aux == "cannot":  # "We can't." for "Can we turn right?"
        aux, negated = "can", True
    if not (aux == shape.aux or (aux in _BE and shape.aux in _BE)):
        return None
    subject = short.group("subject")
    if shape.kind == "existence":
        fits = subject == "there"
    elif shape.person:
        fits = re.fullmatch(_ego(shape.person), subject) is not None
    else:  # "It is." for "Is the road wet?" and "Is it raining?"
        pattern = _subject_pattern(shape.words[:-1], "")
        pattern = rf"(?:it|they|{pattern})" if pattern else "it|they"
        fits = re.fullmatch(pattern, subject) is not None
    if not fits:
        return None
    return "no" if negated else "yes"


_STATED_COUNT: Final = re.compile(
    r"^(?:there\s+(?:is|are)\s+)?(?:(?:only|just|exactly)\s+)?(?P<n>\d+|zero|no|one|a\s+single"
    r"|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b(?P<rest>[^.;]*)"
)


_COUNT_MIX: Final = re.compile(
    r"\b(?:and|another|other|others|more|per|each|every|of"
    r"|behind|towing|plus|third|second|group|line|pair|both|either|[0-9]+|one|two|three"
    r"|four|five|six|seven|eight|nine|ten|no|zero)\b"
)


def _compared(lower: str, shape: QuestionShape) -> str | None:
    """ "One." / "Two are crossing." / "There are only two lanes" against "Is there more
    than one ...?", "Is exactly one ... ?", "Is there at least one ...?"."""
    stated = _STATED_COUNT.match(lower)
    if stated is None or _COUNT_MIX.search(stated.group("rest")):
        return None  # "One adult and one child", "Two lanes in each direction"
    rest = stated.group("rest").strip(" .!,;:")
    count = _number(stated.group("n").split()[-1])
    asked = _number(shape.words[1])
    if count is None or asked is None:
        return None
    if rest and not _names_head(rest, shape, 3) and not re.match(r"(?:is|are)\b", rest):
        return None
    holds = {
        "more_than": count > asked,
        "at_least": count >= asked,
        "exactly": count == asked,
        "fewer_than": count < asked,
        "less_than": count < asked,
    }[shape.words[0]]
    return "yes" if holds else "no"


_ALL_YES: Final = re.compile(r"(?:both|all|all\s+of\s+them|both\s+of\s+them|every\s+one)\W*")
_SOME_OF: Final = re.compile(
    r"^(?:only\s+)?(?P<k>\w+)\s+of\s+the\s+(?P<n>\w+)\b|^not\s+all\b|^only\s+(?:on|in|the)\b"
)


def _all_reading(lower: str) -> str | None:
    """ "Both." / "All of them." answer yes to "Are both/all ...?"; "Two of the three ...",
    "Not all ..." and "Only on the left side" answer no."""
    if _ALL_YES.fullmatch(lower):
        return "yes"
    some = _SOME_OF.match(lower)
    if some is None:
        return None
    if some.group("k") is None:
        return "no"
    k, n = _number(some.group("k")), _number(some.group("n"))
    return "no" if k is not None and n is not None and k < n else None


def _echoed(lower: str, shape: QuestionShape, tail: str = "") -> str | None:
    """ "I can see the traffic light." for "Can you see the traffic light?", "I would not
    honk." for "Should I honk?": the ego subject with the question's verb and main verb.
    ``tail`` is the rest of the clause's sentence."""
    if not shape.words:
        return None
    verb = re.escape(shape.words[0])
    if shape.words[0] == "be" and len(shape.words) > 1:  # "Should you be accelerating?"
        verb = rf"be\s+{re.escape(shape.words[1])}"
    auxes = {shape.aux} | ({"would"} if shape.aux == "should" else set())
    aux = "|".join(sorted(auxes))
    adverb = r"(?:(?:really|definitely|certainly|clearly|safely|carefully|now)\s+)?"
    ego = _ego(shape.person)
    echo = re.match(
        rf"^(?:{ego})\s+(?:{aux})(?P<neg>\s+not|not|\s+never)?\s+{adverb}{verb}\b", lower
    )
    if echo is None and shape.aux == "can":
        echo = re.match(rf"^(?:{ego})\s+can(?P<neg>not)\s+{adverb}{verb}\b", lower)
    if echo is None and shape.aux in ("do", "does"):  # "I have the right of way."
        echo = _simple_echo(lower, shape, ego, verb, tail)
    if echo is None:
        return _no_need(lower, shape, verb) or _opposite_action(lower, shape, ego, tail)
    if re.match(r"\s+[a-z]+ing\b", lower[echo.end() :]):
        return None  # "I should stop worrying" is not about stopping
    if _side_conflict(shape, lower):
        return None  # "I should turn right" for "Should you turn left?"
    return "no" if echo.group("neg") else "yes"


#: Per asked action class, the actions that rule it out ("wait" for "proceed").
_OPPOSITE_ACTIONS: Final = {
    "proceed": r"wait|stop|halt|hold(?:\s+back)?|stay\s+(?:put|stopped)|remain\s+stopped",
    "stop": r"proceed|go\s+(?:ahead|on)|continue|keep\s+(?:going|driving|moving)",
    "lane": r"(?:stay|remain|keep)\s+(?:in\s+)?(?:my|our|the\s+current)\s+lane"
    r"|stay\s+behind",
}
_ADVISING: Final = r"should|must|would|will|need\s+to|needs\s+to|have\s+to|has\s+to"


def _simple_echo(
    lower: str, shape: QuestionShape, ego: str, verb: str, tail: str
) -> re.Match[str] | None:
    """ "I have the right of way." for "Do you have the right of way?": the verb in the
    simple present with the question's next words, in a sentence with no negation at all
    ("I see a pedestrian sign, not a pedestrian"; "I need not stop")."""
    if re.search(r"\b(?:not|no|never|nothing|none|cannot)\b|n't\b", f"{lower} {tail}"):
        return None
    rest = [w for w in shape.words[1:] if w not in _ARTICLES][:2]
    return re.match(rf"^(?:{ego})(?P<neg>)\s+{verb}s?{_following(rest)}\b", lower)


def _advice(shape: QuestionShape) -> bool:
    """The question asks for advice or need ("Should we ...?", "Do you need to ...?")."""
    return shape.aux in ("should", "shall", "must", "would") or shape.words[:1] == ("need",)


def _no_need(lower: str, shape: QuestionShape, verb: str) -> str | None:
    """ "No need." / "There is no need to stop." for "Should we stop?"."""
    if not _advice(shape):
        return None
    said = re.match(rf"^(?:there\s+is\s+)?no\s+need(?P<to>\s+to\s+{verb}\b)?", lower)
    if said is None or (not said.group("to") and lower[said.end() :].strip(" .!")):
        return None  # "No need to slow down" is about another action
    return "no"


def _opposite_action(lower: str, shape: QuestionShape, ego: str, tail: str) -> str | None:
    """ "We must wait." for "Should we proceed?", "I'd stay in my lane" for "Should you
    change lanes?": advice to do what rules the asked action out is a no. Only for a
    question of advice or need, and only when the clause names no other action after."""
    asked = action_class(" ".join(shape.words))
    opposite = _OPPOSITE_ACTIONS.get(asked or "")
    if not _advice(shape) or opposite is None:
        return None
    said = re.match(rf"^(?:{ego})\s+(?:{_ADVISING})\s+(?:{opposite})\b(?!\s+[a-z]+ing\b)", lower)
    if said is None:
        return None  # nor "We should stop worrying"
    # What follows up to a purpose or reason ("for the cross traffic to clear") must name no
    # action: "We should wait and then go" is no answer.
    rest = re.split(
        r"\b(?:for|until|while|behind|since|because|as|so)\b", f"{lower[said.end() :]} {tail}"
    )
    return "no" if action_class(rest[0]) is None else None


def _side_conflict(shape: QuestionShape, lower: str) -> bool:
    """The question asks about left (right) and the clause speaks of right (left)."""
    asked = shape.sides & {"left", "right"}
    said = set(_WORD.findall(lower)) & {"left", "right"}
    return bool(asked and said - asked)


def _names_head(text: str, shape: QuestionShape, words: int = 4) -> bool:
    """The noun phrase ``text`` opens with names the asked thing: within its first
    ``words`` words, before any "and" / "or", the asked noun (or a synonym), preceded by
    every modifier the question gave it ("school bus" is not "a city bus")."""
    leading: list[str] = []
    for word in _WORD.findall(text)[:words]:
        if word in ("and", "or", "nor", "but", "not", "than", "of"):
            break
        leading.append(word)
        if _singular(word) in shape.heads:
            return shape.modifiers <= set(leading[:-1])
    return False


def _existence_reading(lower: str, shape: QuestionShape) -> str | None:
    if _NONE_CLAUSE.fullmatch(lower) or _NONE_SUBJECT.match(lower):
        return "no"
    isnt = _THERE_ISNT.search(lower)
    if isnt:  # "there isn't anyone at the bus stop", "there isn't a car in my lane"
        return "no" if isnt.group("none") or _names_head(isnt.group("rest"), shape) else None
    count = _count_reading(lower, shape)
    if count is not None:
        return count
    none_of = _NONE_OF.match(lower) if _qualified(lower, shape) else None
    if none_of and (
        none_of.group("bare") or _names_head(none_of.group("rest") or none_of.group("rest2"), shape)
    ):
        return "no"  # "None of the three lanes is free.", "Neither crossing is occupied."
    occupied = _OCCUPIED_BY.search(lower)
    if (
        occupied
        and _singular(occupied.group("place")) in shape.places
        and _names_head(occupied.group("rest"), shape)
        and not re.search(r"\bnot\b", lower)
    ):
        return "yes"  # "The left turn lane is occupied by a blue sedan."
    empty = _PLACE_EMPTY.search(lower)
    if empty and not re.search(r"\b(?:not|n't|never)\b", lower):
        place = empty.group("place") or empty.group("place2") or empty.group("place3")
        if _singular(place) in shape.places:
            return "no"  # "The lane ahead of me is empty." for "Is there traffic in your lane?"
    none = _THERE_NONE.search(lower)
    if none:  # "there is nothing in my lane"; "there is no traffic" names what is absent
        return "no" if none.group("none") or _names_head(none.group("rest"), shape) else None
    no_noun = _NO_NOUN.match(lower)
    if no_noun and _names_head(no_noun.group("rest"), shape, 3):
        return "no"
    unseen = _NOT_SEE.search(lower)
    if unseen and _names_head(unseen.group("rest") or unseen.group("rest2") or "", shape):
        return "no"
    if not _qualified(lower, shape):
        return None  # "Three pedestrians are waiting" does not say they are crossing
    for pattern in (_THERE_SOME, _I_SEE):
        some = pattern.search(lower)
        if some and _names_head(some.group("rest"), shape):
            return "yes"
    counted = _COUNTED.match(lower)
    if counted and _names_head(counted.group("rest"), shape):
        return "yes"
    return None


_COPULA: Final = (
    r"(?P<cop>is|are|am|was|were|'s|'re|'m)\s+"
    r"(?P<neg>not\s+|no\s+longer\s+|never\s+|far\s+from\s+|anything\s+but\s+)?"
    r"|(?P<copn>isn't|aren't|wasn't|weren't|ain't)\s+"
)
_ADVERBS: Final = r"(?:(?:currently|still|now|already|really|actually|definitely|clearly)\s+)?"
_ANTONYMS: Final[dict[str, tuple[str, ...]]] = {
    "clear": ("blocked", "busy", "occupied", "congested", "obstructed", "jammed"),
    "empty": ("occupied", "full", "busy", "crowded"),
    "free": ("occupied", "blocked", "busy", "taken"),
    "open": ("closed", "blocked"),
    "closed": ("open",),
    "green": ("red", "yellow", "amber"),
    "red": ("green", "yellow", "amber"),
    "yellow": ("red", "green"),
    "amber": ("red", "green"),
    "moving": ("stationary", "stopped", "parked", "still", "standing", "at\\s+a\\s+standstill"),
    "stationary": ("moving",),
    "parked": ("moving",),
    "wet": ("dry",),
    "dry": ("wet",),
    "occupied": ("empty", "clear", "free", "vacant"),
    "blocked": ("clear", "open", "unobstructed"),
    "visible": ("hidden", "obscured", "invisible"),
    "good": ("poor", "bad", "low", "limited", "reduced"),
    "working": ("broken", "out\\s+of\\s+order", "dark", "off", "malfunctioning"),
    "lit": ("unlit", "dark"),
    "solid": ("dashed", "broken"),
    "dashed": ("solid",),
    "down": ("up", "raised", "open"),
    "up": ("down", "lowered"),
    "taken": ("free", "empty", "vacant"),
}


def _lead(subjects: str) -> str:
    """A pattern for the subject, up to five words, the verb "to be" (negated or not) and
    an adverb: what comes before a restated predicate."""
    return rf"(?:^|\b)(?:{subjects})\s+(?:[\w'-]+\s+){{0,5}}?(?:{_COPULA}){_ADVERBS}"


_AFTER_PREDICATE: Final = re.compile(r"\s*(?:that|whether|if|to\s+(?:say|tell|see))\b")


def _copula_reading(lower: str, shape: QuestionShape, first: bool = False) -> str | None:
    """Split the question's words into subject and predicate at each point, and read the
    first split the clause restates; the reply's ``first`` clause may call the subject "it"
    ("It is red." for "Is the light green?")."""
    if _side_conflict(shape, lower):
        return None  # "I am positioned to turn left, not right" for "... turn right?"
    words = shape.words
    splits = [(words[:1], words[1:])] if shape.person else []
    splits += [(words[:k], words[k:]) for k in range(1, len(words))]
    for subject, predicate in splits:
        value = _restated(lower, subject, predicate, shape.person, first)
        if value is None:
            value = _emptied(lower, subject, predicate)
        if value is None:
            value = _simple_present(lower, subject, predicate, shape.person)
        if value is not None:
            return value
    return None


def _simple_present(
    lower: str, subject: tuple[str, ...], predicate: tuple[str, ...], person: str
) -> str | None:
    """ "The left lane ends in 200 m." for "Is the left lane ending?"."""
    if not predicate or not predicate[0].endswith("ing") or len(predicate[0]) < 6:
        return None
    subjects = _subject_pattern(subject, person)
    if subjects is None:
        return None
    stem = re.escape(predicate[0][:-3])
    complement = _following(_key_words(predicate)[1:])
    said = re.search(
        rf"(?:^|\b)(?:{subjects})\s+(?:[\w'-]+\s+){{0,3}}?(?P<neg>(?:does|do)\s+not\s+)?"
        rf"{stem}(?:s|es|e)?{complement}\b",
        lower,
    )
    if said is None or _NO_DETERMINER.search(lower[: said.start()]):
        return None
    if _other_side(lower, said.start(), said.group(0), subject):
        return None
    return "no" if said.group("neg") else "yes"


def _other_side(lower: str, start: int, matched: str, subject: tuple[str, ...]) -> bool:
    """The reply's subject names another side than the question's ("The left lane isn't
    closed" for "Is the right lane closed?")."""
    asked = _sides(subject)
    if not asked:
        return False
    return _clash(
        asked, _sides(tuple(_WORD.findall(lower[max(0, start - 30) : start] + " " + matched)))
    )


_EMPTY_WORDS: Final = frozenset({"empty", "clear", "free", "vacant", "unoccupied", "deserted"})


def _emptied(lower: str, subject: tuple[str, ...], predicate: tuple[str, ...]) -> str | None:
    """ "No pedestrians are on the crosswalk." answers "Is the crosswalk empty?": a state
    of emptiness stated as nothing being in the subject."""
    if not predicate or predicate[0] not in _EMPTY_WORDS:
        return None
    names = _subject_names(subject)
    located = _NOTHING_IN.match(lower)
    if not located or not names:
        return None
    said = {_singular(w) for w in _WORD.findall(located.group("place"))}
    return "yes" if said & names else None


_NOTHING_IN: Final = re.compile(
    r"^(?:no|nobody|no\s+one|no-one|nothing|not\s+a\s+single)\b(?:\s+(?!part\b|space\b"
    r"|spot\b|room\b)[a-z-]+){0,3}?\s+(?:is|are)\s+(?:currently\s+)?"
    r"(?:(?:parked|stopped|standing|sitting|waiting|stationary)\s+)?(?:in|on|at|inside"
    r"|within|using|crossing)\s+(?:the\s+|this\s+|that\s+)?(?P<place>[a-z -]+?)\W*"
    r"(?:,?\s*so\s+it\s+is\s+(?:empty|clear|free))?\W*$"
)


def _restated(
    lower: str,
    subject: tuple[str, ...],
    predicate: tuple[str, ...],
    person: str,
    pronoun: bool = False,
) -> str | None:
    key = _predicate_key(predicate)
    if key is None:
        return None
    subjects = _subject_pattern(subject, person)
    if pronoun and not person and predicate[0] not in _HEDGE_STATES:
        subjects = rf"{subjects}|^it|^they" if subjects else "^it|^they"
    if subjects is None:
        return None
    lead = _lead(subjects)
    between = r"(?:being\s+|(?:a|an)\s+|[a-z]+ing\s+(?=(?:in|on|at|into|onto|across)\b))?"
    direct = re.search(lead + between + key + r"\b", lower)
    if direct and _other_side(lower, direct.start(), direct.group(0), subject):
        return None
    if direct:
        if _AFTER_PREDICATE.match(lower, direct.end()):
            return None
        negated = bool(direct.group("neg") or direct.group("copn"))
        if _NO_DETERMINER.search(lower[: direct.start()]):
            if negated:
                return None  # "No car is not ..." reads nothing
            negated = True  # "No train is approaching."
        return "no" if negated else "yes"
    contrast = _contrasted(lower, lead, predicate)
    if contrast is not None:
        return contrast
    general = re.search(lead + re.escape(predicate[0]) + r"\W*$", lower)
    if general and (general.group("neg") or general.group("copn")):
        return "no"  # "The oncoming car is not signalling." for "... signalling a turn?"
    number = _other_number(lower, lead, predicate)
    if number is not None:
        return number
    opposites = _ANTONYMS.get(predicate[0], ())
    if opposites:
        opposite = re.search(lead + rf"(?:{'|'.join(opposites)})\b", lower)
        if (
            opposite
            and not (opposite.group("neg") or opposite.group("copn"))
            and not _NO_DETERMINER.search(lower[: opposite.start()])
            and not _other_side(lower, opposite.start(), opposite.group(0), subject)
        ):
            return "no"
    return None


#: States whose "it is not ..." is a hedge ("It is not clear."), never read with "it".
_HEDGE_STATES: Final = frozenset(
    {"clear", "sure", "certain", "obvious", "evident", "possible", "likely", "visible"}
)


def _contrasted(lower: str, lead: str, predicate: tuple[str, ...]) -> str | None:
    """ "The cyclist is riding on the road, not on the sidewalk." answers no to "Is the
    cyclist riding on the sidewalk?": the subject's state restated with another
    complement, and the asked complement denied."""
    tail = [w for w in predicate[1:] if w not in _ARTICLES and w not in _PLACE_PREPOSITIONS]
    tail = [w for w in tail if w not in ("by", "at", "of", "to")][:3]
    if not tail or predicate[0] in _ARTICLES:
        return None
    restated = re.search(lead + re.escape(predicate[0]) + r"\b", lower)
    if restated is None or restated.group("neg") or restated.group("copn"):
        return None
    article = r"(?:(?:a|an|the|its|their|my|our|your|his|her)\s+)?"
    preposition = r"(?:(?:in|on|at|by|into|onto|of|to)\s+)?"
    denied = rf"\bnot\s+{preposition}{article}" + rf"\s+{article}".join(map(re.escape, tail))
    return "no" if re.search(denied + r"\b", lower[restated.end() :]) else None


def _other_number(lower: str, lead: str, predicate: tuple[str, ...]) -> str | None:
    """ "The speed limit is 30 km/h." answers no to "Is the speed limit 50 km/h?"."""
    if not predicate[0].isdigit():
        return None
    stated = re.search(lead + r"(?P<n>\d+)(?:\s*(?:km/h|kph|mph|km|m))?\s*\W*$", lower)
    if stated is None or stated.group("neg") or stated.group("copn"):
        return None
    return "yes" if stated.group("n") == predicate[0] else "no"


_NO_DETERMINER: Final = re.compile(
    r"\b(?:no(?!\s+(?:entry|parking|stopping|left|right|u-turn|overtaking|through|waiting"
    r"|turn)\b)|none\s+of\s+the|neither|not\s+a\s+single|not\s+one)\s+(?:[\w'-]+\s+){0,3}$"
)


_KEY_END: Final = frozenset({"to", "for", "enough", "now", "here", "yet", "so", "because"})


def _predicate_key(predicate: tuple[str, ...]) -> str | None:
    """A pattern for the predicate's head: its leading words up to a purpose or time
    ("clear to accelerate" -> clear; "controlled by a stop sign" -> controlled by (a)?
    stop sign; "in a dedicated cycle lane" -> in (a)? dedicated cycle lane), articles
    optional, at most four content words."""
    if not predicate or predicate[0] in _ARTICLES or predicate[0] in _KEY_END:
        return None
    kept = _key_words(predicate)
    return re.escape(kept[0]) + _following(kept[1:])


def _key_words(predicate: tuple[str, ...]) -> list[str]:
    """The predicate's leading words without articles, up to a purpose or time, at most
    four."""
    kept: list[str] = []
    for word in predicate:
        if kept and word in _KEY_END:
            break
        if word not in _ARTICLES:
            kept.append(word)
        if len(kept) == 4:
            break
    return kept


def _following(words: list[str]) -> str:
    """A pattern for ``words`` after a key word: each after optional articles and an -ly
    adverb."""
    article = r"(?:[a-z]+ly\s+)?(?:(?:a|an|the|its|their|my|our|your|his|her)\s+)?"
    return "".join(rf"\s+{article}{re.escape(word)}" for word in words)


_NOT_NAMES: Final = frozenset(_SIDE_WORDS) | _ARTICLES | _PLACE_PREPOSITIONS | {"of", "to", "by"}


def _subject_names(subject: tuple[str, ...]) -> set[str]:
    """Every noun-like word of a subject, singular, with synonyms ("the arrow signal" ->
    arrow, signal, light)."""
    names: set[str] = set()
    for word in subject:
        if word not in _NOT_NAMES and len(word) > 2:
            names |= _related(_singular(word)) | {_singular(word)}
    return names


def _ego(person: str) -> str:
    """What a reply may call the question's person: I, we, the ego vehicle; and "you" when
    the question asks about I or we ("Should I brake?" -> "You should brake now.")."""
    return rf"(?:{_EGO}|you)" if person in ("i", "we") else _EGO


def _subject_pattern(subject: tuple[str, ...], person: str) -> str | None:
    """What the reply may call the question's subject: its head noun (and synonyms), "it"
    or "they"; for a person question, I, we or the ego vehicle (see :func:`_ego`)."""
    if person:
        return _ego(person)
    names = sorted(_subject_names(subject), key=len, reverse=True)
    if not names:
        return None
    pattern = "|".join(rf"{re.escape(name)}s?" for name in names)
    if subject and subject[0] in ("your", "my", "our"):  # "your car": my car, our car
        return rf"(?:my|our)\s+(?:[\w-]+\s+)?(?:{pattern})"
    return pattern
