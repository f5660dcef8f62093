"""The action vocabulary: 64 motion classes, their phrases and how each one may be used in a plan.

The index of a name in :data:`ACTIONS` is its class id everywhere (per-frame labels, the model's
action head, evaluation). Index 0, ``stand``, is stillness (with breathing and sway).

Each :class:`ActionSpec` also says what a sentence may say about the action: which phrases name it
(some held out of training, see :mod:`.text`), whether "to the left/right" applies and how
(``motion``), whether "slowly"/"quickly" apply, and the posture it starts and ends in, which the plan
sampler uses so that sequences make sense ("sits down, then stands up").

>>> ACTIONS[0], NUM_ACTIONS
('stand', 64)
>>> "throw" in BALL_ACTIONS
True
>>> spec("walk").motion
'forward'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, NamedTuple, Optional, Tuple


class Phrase(NamedTuple):
    """A verb phrase in its base form ("walk", "take a seat"); ``{poss}`` is the subject's possessive.

    ``pace`` is the pace the phrase itself implies ("stroll" is slow); ``held_out`` phrases appear
    only in the test split.
    """

    text: str
    pace: Optional[str] = None
    held_out: bool = False


@dataclass(frozen=True)
class ActionSpec:
    """What a plan and a sentence may do with one action class."""

    name: str
    category: str
    phrases: Tuple[Phrase, ...]
    motion: str = "none"
    """How a direction applies: ``forward`` (faces where it goes), ``backward`` (faces away),
    ``lateral`` (faces the camera, moves sideways) or ``none`` (no direction words)."""
    paces: Tuple[str, ...] = ("slow", "fast")
    """Pace words the text may use ("slow" -> slowly, "fast" -> quickly)."""
    start_posture: str = "stand"
    end_posture: str = "stand"
    level: Tuple[int, int] = (0, 0)
    """How low the body is at the start and end (0 upright, 1 seated or crouched, 2 on the ground,
    3 lying); transitions between different levels blend over longer."""
    final_only: bool = False
    """Only as an actor's last action (climbing ends off the ground)."""
    ball: bool = False

    @property
    def directional(self) -> bool:
        return self.motion in ("forward", "backward", "lateral")


def _p(*texts: str) -> Tuple[Phrase, ...]:
    """Phrases from strings; a leading ``*`` marks a held-out phrase, ``|slow``/``|fast`` an implied pace."""
    out = []
    for text in texts:
        held = text.startswith("*")
        body, _, pace = text.lstrip("*").partition("|")
        out.append(Phrase(body, pace or None, held))
    return tuple(out)


_SPECS: Tuple[ActionSpec, ...] = (
    ActionSpec("stand", "idle", _p("stand still", "stand in place", "stand around", "wait", "*remain standing",
                                   "stay still", "stand idle", "*stand motionless"),
               paces=()),
    ActionSpec("walk", "locomotion", _p("walk", "walk forward", "stroll|slow", "take a walk", "*amble|slow",
                                        "*stride", "go for a walk", "walk along", "*saunter|slow",
                                        "*head off on foot"),
               "forward"),
    ActionSpec("walk_backwards", "locomotion", _p("walk backwards", "step backwards", "back up",
                                                  "*retreat backwards", "move backwards", "take steps backwards",
                                                  "*edge backwards"),
               "backward"),
    ActionSpec("run", "locomotion", _p("run", "jog|slow", "run forward", "*trot|slow", "go for a run", "run along",
                                       "*break into a run"), "forward"),
    ActionSpec("sprint", "locomotion", _p("sprint", "dash", "run as fast as possible", "*bolt", "race",
                                          "run at full speed", "*run flat out"), "forward",
               paces=("fast",)),
    ActionSpec("jog_backwards", "locomotion", _p("jog backwards", "run backwards", "backpedal", "*run in reverse",
                                                 "jog in reverse", "move backwards at a jog", "*scamper backwards"),
               "backward"),
    ActionSpec("sidestep", "locomotion", _p("sidestep", "shuffle sideways", "step sideways", "*slide sideways",
                                            "move sideways", "side-shuffle", "*crab-walk sideways"),
               "lateral"),
    ActionSpec("turn_around", "locomotion", _p("turn around", "turn to face the other way", "*do an about-face",
                                               "turn back", "turn the other way", "*whirl around")),
    ActionSpec("tiptoe", "locomotion", _p("tiptoe", "walk on tiptoes", "*creep along on tiptoe", "walk on tiptoe",
                                          "step softly on tiptoe", "*pad along on tiptoe"), "forward"),
    ActionSpec("sneak", "locomotion", _p("sneak", "creep forward", "walk in a crouch", "*prowl", "creep along",
                                         "move stealthily", "*slink along"), "forward"),
    ActionSpec("march", "locomotion", _p("march", "march like a soldier", "*parade", "march along",
                                         "step in a military march", "*march in formation"), "forward"),
    ActionSpec("skip", "locomotion", _p("skip", "skip along", "*skip merrily", "skip forward", "skip happily",
                                        "*skip playfully"), "forward"),
    ActionSpec("limp", "locomotion", _p("limp", "walk with a limp", "hobble", "*walk as if injured", "limp along",
                                        "walk unevenly", "*drag one leg along"), "forward"),
    ActionSpec("crawl", "locomotion", _p("crawl", "crawl on hands and knees", "*creep on all fours",
                                         "crawl along the floor", "move on all fours", "*crawl like a baby"),
                                         "forward",
               level=(2, 2)),
    ActionSpec("climb", "locomotion", _p("climb a ladder", "climb up a ladder", "climb up", "*scale a ladder",
                                         "go up a ladder", "climb the rungs of a ladder", "*clamber up a ladder"),
               final_only=True),
    ActionSpec("swim", "locomotion", _p("swim", "swim freestyle", "*do the front crawl", "swim along",
                                        "swim forward", "*paddle through the water"), "forward", level=(2, 2)),
    ActionSpec("ride_bike", "locomotion", _p("ride a bike", "ride a bicycle", "cycle", "*pedal a bicycle",
                                             "bike along", "go for a bike ride", "*cycle along on a bike"),
                                             "forward"),
    ActionSpec("jump", "jump", _p("jump", "jump up and down", "jump in place", "*leap into the air",
                                  "jump straight up", "bounce up and down", "*spring into the air")),
    ActionSpec("jump_forward", "jump", _p("jump forward", "leap forward", "do a long jump", "*bound ahead",
                                          "leap ahead", "make a forward jump", "*spring forward"), "forward"),
    ActionSpec("hop", "jump", _p("hop on one leg", "hop on one foot", "*hop on a single leg", "hop in place", "hop",
                                 "*bounce on one foot")),
    ActionSpec("star_jump", "jump", _p("do jumping jacks", "do star jumps", "*perform jumping jacks",
                                       "do star jumps in place", "jump with arms and legs spread",
                                       "*do a set of jumping jacks")),
    ActionSpec("jump_rope", "jump", _p("jump rope", "skip rope", "*use a jump rope", "skip with a rope",
                                       "jump over a rope", "*hop over a turning rope")),
    ActionSpec("backflip", "jump", _p("do a backflip", "flip backwards", "*perform a back somersault",
                                      "flip over backwards", "do a backward flip",
                                      "*somersault backwards"), paces=()),
    ActionSpec("cartwheel", "jump", _p("do a cartwheel", "cartwheel", "*turn a cartwheel", "do cartwheels",
                                       "do a sideways cartwheel", "*perform a cartwheel"), "lateral"),
    ActionSpec("sit_down", "posture", _p("sit down", "take a seat", "sit down on a chair", "*settle into a chair",
                                         "have a seat", "sit down in a chair", "*plop down onto a chair",
                                         "*ease into a chair"),
               end_posture="sit", level=(0, 1)),
    ActionSpec("sit", "posture", _p("sit", "sit on a chair", "stay seated", "*sit quietly", "remain seated",
                                    "sit still", "*stay in {poss} seat"), paces=(),
               start_posture="sit", end_posture="sit", level=(1, 1)),
    ActionSpec("stand_up", "posture", _p("stand up", "get up from the chair", "rise from a chair",
                                         "*rise from the seat", "get to {poss} feet", "stand up from the chair",
                                         "*rise to {poss} feet"),
               start_posture="sit", level=(1, 0)),
    ActionSpec("kneel", "posture", _p("kneel", "kneel down", "go down on one knee", "*drop to one knee",
                                      "get down on one knee", "kneel on the ground",
                                      "*sink to {poss} knees"), level=(0, 1)),
    ActionSpec("lie_down", "posture", _p("lie down", "lie down on the ground", "*lie flat on the floor",
                                         "lie on the floor", "lie down flat", "*recline on the ground"),
               end_posture="lie", level=(0, 3)),
    ActionSpec("get_up", "posture", _p("get up", "get up from the ground", "*get back up off the floor",
                                       "get up off the floor", "rise from the ground", "*climb back to {poss} feet"),
               start_posture="lie", level=(3, 0)),
    ActionSpec("crouch", "posture", _p("crouch", "crouch down", "squat down and stay low", "*hunker down",
                                       "crouch low", "get down into a crouch", "*drop into a crouch"), level=(0, 1)),
    ActionSpec("fall", "posture", _p("fall over", "slip and fall", "fall down", "*take a tumble",
                                     "fall to the ground", "tumble over", "*lose {poss} balance and fall"), paces=(),
               end_posture="lie", level=(0, 3)),
    ActionSpec("meditate", "posture", _p("meditate", "sit cross-legged", "*sit in a lotus pose",
                                         "sit in meditation", "meditate cross-legged",
                                         "*sit with legs crossed in meditation"), paces=(), level=(2, 2)),
    ActionSpec("squat", "exercise", _p("do squats", "squat", "do some squats", "*perform deep squats",
                                       "do deep knee bends", "squat up and down", "*do a set of squats")),
    ActionSpec("push_ups", "exercise", _p("do push-ups", "do pushups", "*perform press-ups",
                                          "do push-ups on the floor", "do press-ups",
                                          "*pump out push-ups"), level=(2, 2)),
    ActionSpec("sit_ups", "exercise", _p("do sit-ups", "do crunches", "*perform sit-ups", "do some sit-ups",
                                         "do abdominal crunches", "*work {poss} abs with sit-ups"),
               start_posture="lie", end_posture="lie", level=(3, 3)),
    ActionSpec("lunge", "exercise", _p("do lunges", "lunge", "*perform lunges", "do some lunges",
                                       "step into lunges", "*do forward lunges")),
    ActionSpec("balance", "exercise", _p("balance on one leg", "stand on one leg", "do a tree pose",
                                         "*hold a yoga balance pose", "balance on one foot", "stand on one foot",
                                         "*keep {poss} balance on one leg"), paces=()),
    ActionSpec("stretch", "exercise", _p("stretch", "stretch both arms overhead", "reach up high", "*limber up",
                                         "stretch out", "do some stretches", "*stretch {poss} arms to the sky")),
    ActionSpec("touch_toes", "exercise", _p("touch {poss} toes", "bend down to touch {poss} toes",
                                            "*reach down to {poss} toes", "bend over to touch {poss} toes",
                                            "reach for {poss} toes", "*fold over to {poss} toes")),
    ActionSpec("wave", "gesture", _p("wave", "wave hello", "wave {poss} hand", "*wave goodbye", "wave at someone",
                                     "wave {poss} arm", "*give a friendly wave")),
    ActionSpec("point", "gesture", _p("point", "point ahead", "point at something", "*gesture toward something",
                                      "point {poss} finger", "point into the distance",
                                      "*indicate something with {poss} finger"),
               paces=()),
    ActionSpec("clap", "gesture", _p("clap", "clap {poss} hands", "applaud", "*give a round of applause",
                                     "clap {poss} hands together", "clap along", "*put {poss} hands together")),
    ActionSpec("salute", "gesture", _p("salute", "give a salute", "*stand at attention and salute",
                                       "give a military salute", "salute smartly",
                                       "*raise a hand in salute"), paces=()),
    ActionSpec("shrug", "gesture", _p("shrug", "shrug {poss} shoulders", "*shrug helplessly", "give a shrug",
                                      "shrug with both shoulders", "*lift {poss} shoulders in a shrug")),
    ActionSpec("celebrate", "gesture", _p("celebrate", "cheer with both arms up", "raise {poss} arms in triumph",
                                          "*throw {poss} hands up in joy", "cheer", "pump {poss} fists in the air",
                                          "*rejoice with arms raised")),
    ActionSpec("bow", "gesture", _p("bow", "take a bow", "bow politely", "*bow deeply", "bow down",
                                    "bow to the audience", "*bend at the waist in a bow")),
    ActionSpec("dance_disco", "dance", _p("dance disco", "do a disco dance", "dance like in the seventies",
                                          "*boogie", "dance to disco music", "dance the disco",
                                          "*groove to disco music")),
    ActionSpec("dance_robot", "dance", _p("do the robot", "dance like a robot", "*do a robotic dance",
                                          "dance the robot", "move like a robot", "*do robotic dance moves")),
    ActionSpec("spin", "dance", _p("spin around", "twirl", "do a pirouette", "*spin in circles", "spin in place",
                                   "turn in circles", "*whirl in place")),
    ActionSpec("throw", "sport", _p("throw a ball", "toss a ball", "*hurl a ball", "throw the ball", "pitch a ball",
                                    "*fling a ball"), ball=True),
    ActionSpec("catch", "sport", _p("catch a ball", "catch the ball", "*make a catch", "catch a thrown ball",
                                    "grab the ball out of the air", "*snag a ball"), ball=True),
    ActionSpec("kick", "sport", _p("kick a ball", "kick the ball", "*boot a ball", "kick a football",
                                   "give the ball a kick", "*punt a ball"), ball=True),
    ActionSpec("dribble", "sport", _p("dribble a ball", "bounce a ball", "*dribble a basketball",
                                      "dribble the ball", "bounce a basketball",
                                      "*bounce a ball up and down"), ball=True),
    ActionSpec("swing_bat", "sport", _p("swing a bat", "swing a baseball bat", "*take a swing with a bat",
                                        "swing the bat", "take a batting swing", "*practice {poss} baseball swing")),
    ActionSpec("punch", "fight", _p("punch", "throw punches", "box", "*jab at the air", "throw a punch",
                                    "punch the air", "*shadowbox")),
    ActionSpec("dodge", "fight", _p("dodge", "duck and dodge", "*evade blows", "dodge a blow",
                                    "duck out of the way", "*weave out of the way")),
    ActionSpec("shake_hands", "social", _p("shake hands", "shake someone's hand", "*offer a handshake",
                                           "give a handshake", "shake hands with someone",
                                           "*exchange a handshake"), paces=()),
    ActionSpec("high_five", "social", _p("give a high five", "high-five someone", "*slap a high five",
                                         "give someone a high five", "slap hands high",
                                         "*trade a high five"), paces=()),
    ActionSpec("hug", "social", _p("hug someone", "give a hug", "*embrace someone", "give someone a hug",
                                   "hug a friend", "*wrap {poss} arms around someone"), paces=()),
    ActionSpec("push", "work", _p("push a heavy box", "push something heavy", "*shove a crate", "push a box along",
                                  "press against a heavy box", "*heave a crate along"), "forward"),
    ActionSpec("pull", "work", _p("pull a rope", "tug on a rope", "pull something heavy", "*haul a rope",
                                  "pull on a rope", "drag something heavy", "*heave on a rope"), "backward"),
    ActionSpec("lift", "work", _p("lift a box", "pick up a heavy box", "lift something heavy", "*hoist a box",
                                  "lift something up", "raise a heavy box", "*heft a box")),
    ActionSpec("carry", "work", _p("carry a box", "carry something", "*lug a box", "carry a heavy box",
                                   "walk with a box", "*haul a box around"), "forward"),
)

SPECS: Dict[str, ActionSpec] = {s.name: s for s in _SPECS}
ACTIONS: Tuple[str, ...] = tuple(s.name for s in _SPECS)
"""The 64 action classes; the index of a name is its class id."""
NUM_ACTIONS = len(ACTIONS)
ACTION_INDEX: Dict[str, int] = {name: i for i, name in enumerate(ACTIONS)}
BALL_ACTIONS: frozenset = frozenset(s.name for s in _SPECS if s.ball)
"""Actions that use a ball (the renderer draws one for them)."""
CATEGORIES: Tuple[str, ...] = tuple(dict.fromkeys(s.category for s in _SPECS))

assert NUM_ACTIONS == 64 and len(set(ACTIONS)) == 64, "the vocabulary must hold 64 distinct actions"


def spec(name: str) -> ActionSpec:
    """The :class:`ActionSpec` of ``name``.

    >>> spec("sit_down").end_posture
    'sit'
    """
    try:
        return SPECS[name]
    except KeyError:
        raise KeyError(f"unknown action {name!r}; actions are listed in stick_gen/data_gen/actions.py") from None
