"""Sentences from scene plans: many phrasings of the same plan, some held out for the test split.

Every choice (template, noun, verb phrase, adverb, direction words) is a list of variants; variants
marked held out (``*`` in :mod:`.actions`, ``HELD`` here) are used only when rendering the test
split, where every sentence carries at least one of them. The text never mentions anything the
latents decide (exact speed, timing, which hand): only what the plan says.

>>> from .plans import plan_from_actions
>>> describe(plan_from_actions(["walk", "wave"]), np.random.default_rng(0))[0][:1].isupper()
True
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .actions import Phrase, spec
from .plans import ActorPlan, ScenePlan, SegmentPlan

HELD = True

_NOUNS: Dict[str, List[Tuple[str, str, bool]]] = {  # (singular, plural, held out)
    "person": [("person", "people", False), ("figure", "figures", False), ("individual", "individuals", HELD)],
    "man": [("man", "men", False), ("guy", "guys", False), ("gentleman", "gentlemen", HELD)],
    "woman": [("woman", "women", False), ("lady", "ladies", False), ("female figure", "female figures", HELD)],
}
_PRONOUN = {"person": ("they", "their"), "man": ("he", "his"), "woman": ("she", "her")}
_NUMBER = {2: "two", 3: "three"}
_ADVERBS = {
    "slow": [("slowly", False), ("at a slow pace", False), ("gently", False), ("leisurely", HELD)],
    "fast": [("quickly", False), ("fast", False), ("rapidly", False), ("at high speed", HELD)],
}
_DIRECTIONS = {
    "left": [("to the left", False), ("leftward", False), ("toward the left", False), ("from right to left", HELD)],
    "right": [("to the right", False), ("rightward", False), ("toward the right", False), ("from left to right", HELD)],
}
_INTROS = [("", False), ("", False), ("", False), ("In this clip, ", False), ("Here, ", False),
           ("The animation shows how ", False), ("In this video, ", False), ("This clip shows how ", False),
           ("We see how ", False), ("Watch as ", False), ("On screen, ", False),
           ("In this animation, ", HELD), ("In this scene, ", HELD), ("The footage shows how ", HELD)]
"""Fillers in front of a whole clause ("In this clip, a man waves.")."""
_GERUND_FRAMES = [("We see {s} {seq}.", False), ("This clip shows {s} {seq}.", False),
                  ("Here we see {s} {seq}.", False), ("The footage shows {s} {seq}.", HELD)]
"""Frames whose verb phrases are gerunds ("We see a man waving, then sitting down.")."""
_SEQUENCES = {  # joins an actor's verb phrases; {a}, {b}, {c}, {d} are phrases, {b_ing} a gerund
    2: [("{a}, then {b}", False), ("{a} and then {b}", False), ("first {a}, then {b}", False),
        ("{a}, after which {pron} {b}", False), ("{a}, and after that {b}", False),
        ("first {a} and afterwards {b}", False), ("{a}; after that, {pron} {b}", False),
        ("{a} and finally {b}", False), ("{a}; once done, {pron} {b}", False),
        ("{a} before {b_ing}", HELD), ("{a}; once finished, {pron} {b}", HELD), ("{a}, and subsequently {b}", HELD)],
    3: [("{a}, then {b}, and then {c}", False), ("first {a}, then {b}, and finally {c}", False),
        ("{a}, {b}, and then {c}", False), ("first {a}, after that {b}, and finally {c}", False),
        ("{a}, then {b}, and after that {c}", False), ("{a}, then {b}; once done, {pron} {c}", False),
        ("{a}; next {pron} {b} and afterwards {c}", HELD), ("{a}; once finished, {pron} {b} and subsequently {c}", HELD)],
    4: [("{a}, then {b}, then {c}, and finally {d}", False), ("first {a}, then {b}, {c}, and at last {d}", False),
        ("{a}, {b}, {c} and then {d}", False), ("first {a}, then {b}, after that {c}, and finally {d}", False),
        ("{a}, then {b}; once done, {pron} {c} and then {d}", False),
        ("{a}; next {pron} {b}, {c}, and lastly {d}", HELD),
        ("{a}, then {b}; once finished, {pron} {c} and subsequently {d}", HELD)],
}
_GROUP_WORDS = {
    2: [("two people", False), ("two friends", False), ("a pair of people", HELD)],
    3: [("three people", False), ("three friends", False), ("a group of three people", HELD)],
}
_INTERACTION = {  # (template, held out); {S1}/{S2} subjects, {G} the group, {g_pl} plural verb phrase
    "catch": {
        1: [("{S1} throws a ball to {s2}, who catches it.", False), ("{S1} tosses a ball and {s2} catches it.", False),
            ("{G} play catch.", False), ("{G} are tossing a ball to each other.", HELD),
            ("{S1} lobs a ball over to {s2}, who catches it.", HELD)],
        2: [("{S1} throws a ball to {s2}, who catches it and throws it back.", False),
            ("{G} play catch, throwing the ball back and forth.", False), ("{G} play catch.", False),
            ("{G} toss a ball back and forth.", HELD)],
        3: [("{G} play catch, throwing the ball back and forth.", False), ("{G} play catch.", False),
            ("{G} keep passing a ball back and forth.", HELD)],
    },
    "handshake": {1: [("{G} shake hands.", False), ("{S1} shakes hands with {s2}.", False),
                      ("{G} walk up to each other and shake hands.", False),
                      ("{G} greet each other with a handshake.", HELD)]},
    "high_five": {1: [("{G} give each other a high five.", False), ("{S1} high-fives {s2}.", False),
                      ("{G} high-five.", False), ("{S1} and {s2} slap a high five.", HELD)]},
    "hug": {1: [("{G} hug.", False), ("{S1} hugs {s2}.", False), ("{G} give each other a hug.", False),
                ("{G} embrace.", HELD)]},
    "fight": {
        1: [("{S1} throws punches at {s2}, who dodges.", False), ("{G} spar: one punches and the other dodges.", False),
            ("{G} fight, one punching while the other ducks and dodges.", False),
            ("{S1} attacks {s2} with punches, and {s2_def} ducks out of the way.", HELD)],
        2: [("{G} spar, taking turns punching and dodging.", False),
            ("{S1} punches at {s2}, who dodges, and then they switch roles.", False),
            ("{G} take turns throwing and dodging punches.", HELD)],
    },
}
_INTERACTION_PLURAL = {  # the interaction as a plural verb phrase, for sentences with actions around it
    "catch": [("play catch", False), ("toss a ball back and forth", HELD)],
    "handshake": [("shake hands", False), ("greet each other with a handshake", HELD)],
    "high_five": [("give each other a high five", False), ("slap a high five", HELD)],
    "hug": [("hug", False), ("embrace", HELD)],
    "fight": [("spar, one punching and the other dodging", False), ("trade punches and dodges", HELD)],
}
_TOGETHER = [("{G} {seq}.", False), ("{G} {seq} together.", False), ("{Intro}{g} {seq}.", False),
             ("Side by side, {g} {seq}.", HELD)]
_GERUND_SEQUENCES = {  # joins gerunds ("waving, then sitting down"); no pronoun can follow a gerund
    2: [("{a}, then {b}", False), ("{a} and then {b}", False), ("first {a} and after that {b}", False),
        ("{a}, followed by {b}", False), ("{a}, and subsequently {b}", HELD)],
    3: [("{a}, then {b}, and finally {c}", False), ("{a}, {b}, and then {c}", False),
        ("{a}, then {b}, followed by {c}", False), ("{a}, {b}, and subsequently {c}", HELD)],
    4: [("{a}, then {b}, then {c}, and finally {d}", False), ("{a}, {b}, {c}, followed by {d}", False),
        ("{a}, {b}, {c}, and subsequently {d}", HELD)],
}
_SINGLE = [("{S} {seq}.", False), ("{Intro}{s} {seq}.", False), ("{Intro}{s} {seq}.", False), ("{S} {seq}.", False),
           ("{Gerund}", False)]
_SINGLE_HELD = [("{S} is {a_ing}.", HELD), ("{S} can be seen {a_ing}.", HELD)]
_MULTI = {
    2: [("{S1} {seq1} while {s2} {seq2}.", False), ("{S1} {seq1}, and {s2} {seq2}.", False),
        ("{G}: one {seq1}, the other {seq2}.", False), ("{S1} {seq1}; meanwhile, {s2} {seq2}.", HELD),
        ("{S1} {seq1} as {s2} {seq2}.", HELD), ("{Intro}{s1} {seq1}, and at the same time {s2} {seq2}.", False),
        ("{S1} {seq1}, whereas {s2} {seq2}.", HELD)],
    3: [("{S1} {seq1}, {s2} {seq2}, and {s3} {seq3}.", False),
        ("{G}: the first {seq1}, the second {seq2}, and the third {seq3}.", False),
        ("{S1} {seq1} while {s2} {seq2} and {s3} {seq3}.", False),
        ("{S1} {seq1}; meanwhile, {s2} {seq2} and {s3} {seq3}.", HELD)],
}

_DOUBLE = {"run", "sit", "get", "skip", "hop", "jog", "swim", "clap", "shrug", "hug", "squat", "flip", "trot",
           "slip", "trip", "slap", "jab", "tug", "lug", "sidestep", "step", "stop", "grab", "tap", "drop", "plop",
           "put", "spin", "pad", "snag", "wrap", "drag", "bob", "nod", "hit", "set", "let", "strut", "pat", "dip"}
_IRREGULAR_3SG = {"do": "does", "go": "goes", "have": "has"}
_IRREGULAR_ING = {"lie": "lying", "boogie": "boogieing", "tiptoe": "tiptoeing", "high-five": "high-fiving"}


_COORDINATED = ("fall", "dodge", "salute", "stay")
"""Verbs that follow "and" in a phrase ("slip and fall") and are inflected too."""


def inflect(phrase: str, form: str) -> str:
    """A base-form verb phrase in ``form``: "base", "3sg" (walks) or "ing" (walking).

    >>> inflect("sit down", "3sg"), inflect("slip and fall", "ing"), inflect("carry a box", "3sg")
    ('sits down', 'slipping and falling', 'carries a box')
    """
    head, joint, tail = phrase.partition(" and ")
    if joint and tail.split(" ")[0] in _COORDINATED:
        return f"{inflect(head, form)} and {inflect(tail, form)}"
    verb, _, rest = phrase.partition(" ")
    if form == "3sg":
        if verb in _IRREGULAR_3SG:
            verb = _IRREGULAR_3SG[verb]
        elif verb.endswith(("s", "sh", "ch", "x", "z")):
            verb += "es"
        elif verb.endswith("y") and verb[-2:-1] not in "aeiou":
            verb = verb[:-1] + "ies"
        else:
            verb += "s"
    elif form == "ing":
        if verb in _IRREGULAR_ING:
            verb = _IRREGULAR_ING[verb]
        elif verb in _DOUBLE:
            verb = verb + verb[-1] + "ing"
        elif verb.endswith("ie"):
            verb = verb[:-2] + "ying"
        elif verb.endswith("e") and not verb.endswith(("ee", "oe", "ye")):
            verb = verb[:-1] + "ing"
        else:
            verb += "ing"
    return f"{verb} {rest}" if rest else verb


class _Chooser:
    """Picks variants: never held-out ones outside the test split; in test, held-out ones half the time.

    It remembers the held-out variants it handed out (``held_words``; templates in ``held_template``)
    so that :func:`describe` can tell whether the finished sentence really contains one.
    """

    def __init__(self, rng: np.random.Generator, held_out: bool, force: bool = False) -> None:
        self.rng, self.held_out, self.force = rng, held_out, force
        self.held_words: List[str] = []
        self.held_template = False
        self.last_held = False

    def pick(self, options: Sequence[Tuple[str, bool]], prefer_held: bool = False, template: bool = False) -> str:
        normal = [o for o in options if not o[1]]
        held = [o for o in options if o[1]]
        wanted = self.force or prefer_held or not normal or self.rng.random() < 0.5
        self.last_held = bool(self.held_out and held and wanted)
        choice = held[self.rng.integers(len(held))] if self.last_held else normal[self.rng.integers(len(normal))]
        if self.last_held:
            if template:
                self.held_template = True
            else:
                self.held_words.append(choice[0])
        return choice[0]

    def used_in(self, text: str) -> bool:
        return self.held_template or any(w and w in text for w in self.held_words)


def _subject(actor: ActorPlan, c: _Chooser, repeat: bool = False) -> Tuple[str, str]:
    """(indefinite noun phrase, definite noun phrase): ("a tall man", "the tall man")."""
    noun = c.pick([(s, h) for s, _, h in _NOUNS[actor.noun]])
    words = f"{actor.height_word} {noun}" if actor.height_word else noun
    if repeat:
        return f"another {words}", f"the other {words}"
    if actor.noun == "person" and not actor.height_word and c.rng.random() < 0.25:
        return "someone", "the person"
    article = "an" if words[0] in "aeiou" else "a"
    return f"{article} {words}", f"the {words}"


def _group(actors: Sequence[ActorPlan], c: _Chooser, subjects: Optional[Sequence[str]] = None) -> str:
    """How the text names all the actors at once: "two people", "three tall men", "a man and a woman".

    ``subjects`` (indefinite noun phrases already chosen for each actor) are reused when the actors
    differ, so that later mentions ("the tall figure") match.
    """
    kinds = [(a.noun, a.height_word) for a in actors]
    n = len(actors)
    if set(kinds) == {("person", None)}:
        return c.pick(_GROUP_WORDS[n])
    if len(set(kinds)) == 1:
        noun, height = kinds[0]
        plural = c.pick([(p, h) for _, p, h in _NOUNS[noun]])
        return f"{_NUMBER[n]} {height + ' ' if height else ''}{plural}"
    if subjects is None:
        seen: set = set()
        subjects = []
        for actor, kind in zip(actors, kinds):
            subjects.append(_subject(actor, c, repeat=kind in seen)[0])
            seen.add(kind)
    return ", ".join(subjects[:-1]) + " and " + subjects[-1]


def _verb_phrase(seg: SegmentPlan, form: str, poss: str, c: _Chooser) -> str:
    s = spec(seg.action)
    fitting: List[Phrase] = [p for p in s.phrases if p.pace in (None, seg.pace)]
    if seg.direction is not None:  # "walks forward to the left" reads oddly
        fitting = [p for p in fitting if " forward" not in p.text and " ahead" not in p.text] or fitting
    implied = [p for p in fitting if p.pace is not None]
    if seg.pace is not None and implied and c.rng.random() < 0.5:
        pool = implied
    else:
        pool = [p for p in fitting if p.pace is None]
    phrase = c.pick([(p.text, p.held_out) for p in pool])
    words = inflect(phrase.replace("{poss}", poss), form)
    if c.last_held:
        c.held_words.append(words)
    said_pace = any(p.text == phrase and p.pace for p in pool)
    if seg.pace is not None and not said_pace:
        adverb = c.pick(_ADVERBS[seg.pace])
        before = adverb in ("slowly", "quickly", "rapidly", "gently") and c.rng.random() < 0.3
        words = f"{adverb} {words}" if before else f"{words} {adverb}"
    if seg.direction is not None:
        words = f"{words} {c.pick(_DIRECTIONS[seg.direction])}"
    return words


def _sequence(segments: Sequence[SegmentPlan], form: str, pronoun: str, poss: str, c: _Chooser) -> str:
    phrases = [_verb_phrase(s, form, poss, c) for s in segments]
    if len(phrases) == 1:
        return phrases[0]
    table = _GERUND_SEQUENCES if form == "ing" else _SEQUENCES
    template = c.pick(table[len(phrases)], template=True)
    fill = dict(zip("abcd", phrases), pron=pronoun)
    if "{b_ing}" in template:
        fill["b_ing"] = _verb_phrase(segments[1], "ing", poss, c)
    return template.format(**fill)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pronoun(actor: ActorPlan, definite: str) -> Tuple[str, str]:
    """(subject pronoun usable with a singular verb, possessive)."""
    he, his = _PRONOUN[actor.noun]
    return (definite if he == "they" else he), his


def _render(plan: ScenePlan, c: _Chooser) -> str:
    actors = plan.actors
    first = actors[0]
    if plan.interaction is not None:
        return _render_interaction(plan, c)
    if len(actors) == 1:
        s, the = _subject(first, c)
        pron, poss = _pronoun(first, the)
        if len(first.segments) == 1 and c.held_out and (c.force or c.rng.random() < 0.3):
            template = c.pick(_SINGLE_HELD, prefer_held=True, template=True)
        else:
            template = c.pick(_SINGLE, template=True)
        if template == "{Gerund}":
            template = c.pick(_GERUND_FRAMES, prefer_held=c.force, template=True)
            return _cap(template.format(s=s, seq=_sequence(first.segments, "ing", pron, poss, c)))
        seq = _sequence(first.segments, "3sg", pron, poss, c)
        fill = dict(S=_cap(s), s=s, seq=seq, Intro=c.pick(_INTROS))
        if "{a_ing}" in template:
            fill["a_ing"] = _verb_phrase(first.segments[0], "ing", poss, c)
        return _cap(template.format(**fill))
    if plan.together:
        group = _group(actors, c)
        seq = _sequence(first.segments, "base", "they", "their", c)
        template = c.pick(_TOGETHER, prefer_held=c.force, template=True)
        return _cap(template.format(G=_cap(group), g=group, seq=seq, Intro=c.pick(_INTROS)))
    subjects, seqs = [], []
    seen = set()
    for actor in actors:
        key = (actor.noun, actor.height_word)
        s, the = _subject(actor, c, repeat=key in seen)
        seen.add(key)
        pron, poss = _pronoun(actor, the)
        subjects.append(s)
        seqs.append(_sequence(actor.segments, "3sg", pron, poss, c))
    template = c.pick(_MULTI[len(actors)], prefer_held=c.force, template=True)
    fill = {f"seq{i + 1}": q for i, q in enumerate(seqs)}
    fill.update({f"s{i + 1}": s for i, s in enumerate(subjects)}, S1=_cap(subjects[0]),
                G=_cap(_group(actors, c, subjects)), Intro=c.pick(_INTROS) if "{Intro}" in template else "")
    return _cap(template.format(**fill))


def _render_interaction(plan: ScenePlan, c: _Chooser) -> str:
    a, b = plan.actors
    s1, _ = _subject(a, c)
    same = (a.noun, a.height_word) == (b.noun, b.height_word)
    s2, the2 = _subject(b, c, repeat=same)
    group = _group(plan.actors, c, (s1, s2))
    first, last = plan.interaction_segments[0], plan.interaction_segments[-1]
    pre = a.segments[:first]
    post = a.segments[last + 1:]
    rounds = len(plan.interaction_segments)
    if not pre and not post:
        template = c.pick(_INTERACTION[plan.interaction][min(rounds, max(_INTERACTION[plan.interaction]))],
                          prefer_held=c.force, template=True)
        text = template.format(S1=_cap(s1), s2=s2, G=_cap(group), s2_def=the2)
    else:
        parts = [_verb_phrase(s, "base", "their", c) for s in pre]
        parts.append(c.pick(_INTERACTION_PLURAL[plan.interaction], prefer_held=c.force))
        parts += [_verb_phrase(s, "base", "their", c) for s in post]
        joined = parts[0] if len(parts) == 1 else (", then ".join(parts[:-1]) + ", and then " + parts[-1])
        text = f"{_cap(group)} {joined}."
    return _cap(text)


MAX_TEXT_CHARS = 200
"""Sentences longer than this are drawn again (up to ``_TRIES`` times; the shortest is kept)."""
_TRIES = 6


def describe(plan: ScenePlan, rng: np.random.Generator, held_out: bool = False) -> Tuple[str, List[str]]:
    """A sentence for ``plan`` and one short description per actor.

    ``held_out=True`` (the test split) uses held-out phrasings and guarantees at least one.
    """
    best = ""
    for _ in range(_TRIES):  # a long sentence is drawn again (same rng: still one text per seed)
        chooser = _Chooser(rng, held_out)
        text = _render(plan, chooser)
        if held_out and not chooser.used_in(text):
            text = _render(plan, _Chooser(rng, True, force=True))
        if not best or len(text) < len(best):
            best = text
        if len(best) <= MAX_TEXT_CHARS:
            break
    return best, actor_texts(plan, rng)


def actor_texts(plan: ScenePlan, rng: np.random.Generator) -> List[str]:
    """One plain description per actor ("a tall man: walks to the left, then sits down")."""
    c = _Chooser(rng, False)
    out = []
    for actor in plan.actors:
        s, the = _subject(actor, c)
        pron, poss = _pronoun(actor, the)
        out.append(f"{s}: " + ", then ".join(_verb_phrase(seg, "3sg", poss, c) for seg in actor.segments))
    return out


def held_out_words() -> List[str]:
    """Every held-out phrase variant (for checks that the train split never uses them)."""
    from .actions import SPECS

    words = [p.text for s in SPECS.values() for p in s.phrases if p.held_out]
    words += [w for group in (_ADVERBS, _DIRECTIONS) for options in group.values() for w, h in options if h]
    words += [s for forms in _NOUNS.values() for s, _, h in forms if h]
    return words
