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
    ActionSpec("stand", "idle", _p("stand still", "stand in place", "stand around", "wait", "*remain standing"),
               paces=()),
    ActionSpec("walk", "locomotion", _p("walk", "walk forward", "stroll|slow", "take a walk", "*amble|slow", "*stride"),
               "forward"),
    ActionSpec("walk_backwards", "locomotion", _p("walk backwards", "step backwards", "back up", "*retreat backwards"),
               "backward"),
    ActionSpec("run", "locomotion", _p("run", "jog|slow", "run forward", "*trot|slow"), "forward"),
    ActionSpec("sprint", "locomotion", _p("sprint", "dash", "run as fast as possible", "*bolt"), "forward",
               paces=("fast",)),
    ActionSpec("jog_backwards", "locomotion", _p("jog backwards", "run backwards", "backpedal", "*run in reverse"),
               "backward"),
    ActionSpec("sidestep", "locomotion", _p("sidestep", "shuffle sideways", "step sideways", "*slide sideways"),
               "lateral"),
    ActionSpec("turn_around", "locomotion", _p("turn around", "turn to face the other way", "*do an about-face")),
    ActionSpec("tiptoe", "locomotion", _p("tiptoe", "walk on tiptoes", "*creep along on tiptoe"), "forward"),
    ActionSpec("sneak", "locomotion", _p("sneak", "creep forward", "walk in a crouch", "*prowl"), "forward"),
    ActionSpec("march", "locomotion", _p("march", "march like a soldier", "*parade"), "forward"),
    ActionSpec("skip", "locomotion", _p("skip", "skip along", "*skip merrily"), "forward"),
    ActionSpec("limp", "locomotion", _p("limp", "walk with a limp", "hobble", "*walk as if injured"), "forward"),
    ActionSpec("crawl", "locomotion", _p("crawl", "crawl on hands and knees", "*creep on all fours"), "forward",
               level=(2, 2)),
    ActionSpec("climb", "locomotion", _p("climb a ladder", "climb up a ladder", "climb up", "*scale a ladder"),
               final_only=True),
    ActionSpec("swim", "locomotion", _p("swim", "swim freestyle", "*do the front crawl"), "forward", level=(2, 2)),
    ActionSpec("ride_bike", "locomotion", _p("ride a bike", "ride a bicycle", "cycle", "*pedal a bicycle"), "forward"),
    ActionSpec("jump", "jump", _p("jump", "jump up and down", "jump in place", "*leap into the air")),
    ActionSpec("jump_forward", "jump", _p("jump forward", "leap forward", "do a long jump", "*bound ahead"), "forward"),
    ActionSpec("hop", "jump", _p("hop on one leg", "hop on one foot", "*hop on a single leg")),
    ActionSpec("star_jump", "jump", _p("do jumping jacks", "do star jumps", "*perform jumping jacks")),
    ActionSpec("jump_rope", "jump", _p("jump rope", "skip rope", "*use a jump rope")),
    ActionSpec("backflip", "jump", _p("do a backflip", "flip backwards", "*perform a back somersault"), paces=()),
    ActionSpec("cartwheel", "jump", _p("do a cartwheel", "cartwheel", "*turn a cartwheel"), "lateral"),
    ActionSpec("sit_down", "posture", _p("sit down", "take a seat", "sit down on a chair", "*settle into a chair"),
               end_posture="sit", level=(0, 1)),
    ActionSpec("sit", "posture", _p("sit", "sit on a chair", "stay seated", "*sit quietly"), paces=(),
               start_posture="sit", end_posture="sit", level=(1, 1)),
    ActionSpec("stand_up", "posture", _p("stand up", "get up from the chair", "rise from a chair", "*rise from the seat"),
               start_posture="sit", level=(1, 0)),
    ActionSpec("kneel", "posture", _p("kneel", "kneel down", "go down on one knee", "*drop to one knee"), level=(0, 1)),
    ActionSpec("lie_down", "posture", _p("lie down", "lie down on the ground", "*lie flat on the floor"),
               end_posture="lie", level=(0, 3)),
    ActionSpec("get_up", "posture", _p("get up", "get up from the ground", "*get back up off the floor"),
               start_posture="lie", level=(3, 0)),
    ActionSpec("crouch", "posture", _p("crouch", "crouch down", "squat down and stay low", "*hunker down"), level=(0, 1)),
    ActionSpec("fall", "posture", _p("fall over", "slip and fall", "fall down", "*take a tumble"), paces=(),
               end_posture="lie", level=(0, 3)),
    ActionSpec("meditate", "posture", _p("meditate", "sit cross-legged", "*sit in a lotus pose"), paces=(), level=(2, 2)),
    ActionSpec("squat", "exercise", _p("do squats", "squat", "do some squats", "*perform deep squats")),
    ActionSpec("push_ups", "exercise", _p("do push-ups", "do pushups", "*perform press-ups"), level=(2, 2)),
    ActionSpec("sit_ups", "exercise", _p("do sit-ups", "do crunches", "*perform sit-ups"),
               start_posture="lie", end_posture="lie", level=(3, 3)),
    ActionSpec("lunge", "exercise", _p("do lunges", "lunge", "*perform lunges")),
    ActionSpec("balance", "exercise", _p("balance on one leg", "stand on one leg", "do a tree pose",
                                         "*hold a yoga balance pose"), paces=()),
    ActionSpec("stretch", "exercise", _p("stretch", "stretch both arms overhead", "reach up high", "*limber up")),
    ActionSpec("touch_toes", "exercise", _p("touch {poss} toes", "bend down to touch {poss} toes",
                                            "*reach down to {poss} toes")),
    ActionSpec("wave", "gesture", _p("wave", "wave hello", "wave {poss} hand", "*wave goodbye")),
    ActionSpec("point", "gesture", _p("point", "point ahead", "point at something", "*gesture toward something"),
               paces=()),
    ActionSpec("clap", "gesture", _p("clap", "clap {poss} hands", "applaud", "*give a round of applause")),
    ActionSpec("salute", "gesture", _p("salute", "give a salute", "*stand at attention and salute"), paces=()),
    ActionSpec("shrug", "gesture", _p("shrug", "shrug {poss} shoulders", "*shrug helplessly")),
    ActionSpec("celebrate", "gesture", _p("celebrate", "cheer with both arms up", "raise {poss} arms in triumph",
                                          "*throw {poss} hands up in joy")),
    ActionSpec("bow", "gesture", _p("bow", "take a bow", "bow politely", "*bow deeply")),
    ActionSpec("dance_disco", "dance", _p("dance disco", "do a disco dance", "dance like in the seventies", "*boogie")),
    ActionSpec("dance_robot", "dance", _p("do the robot", "dance like a robot", "*do a robotic dance")),
    ActionSpec("spin", "dance", _p("spin around", "twirl", "do a pirouette", "*spin in circles")),
    ActionSpec("throw", "sport", _p("throw a ball", "toss a ball", "*hurl a ball"), ball=True),
    ActionSpec("catch", "sport", _p("catch a ball", "catch the ball", "*make a catch"), ball=True),
    ActionSpec("kick", "sport", _p("kick a ball", "kick the ball", "*boot a ball"), ball=True),
    ActionSpec("dribble", "sport", _p("dribble a ball", "bounce a ball", "*dribble a basketball"), ball=True),
    ActionSpec("swing_bat", "sport", _p("swing a bat", "swing a baseball bat", "*take a swing with a bat")),
    ActionSpec("punch", "fight", _p("punch", "throw punches", "box", "*jab at the air")),
    ActionSpec("dodge", "fight", _p("dodge", "duck and dodge", "*evade blows")),
    ActionSpec("shake_hands", "social", _p("shake hands", "shake someone's hand", "*offer a handshake"), paces=()),
    ActionSpec("high_five", "social", _p("give a high five", "high-five someone", "*slap a high five"), paces=()),
    ActionSpec("hug", "social", _p("hug someone", "give a hug", "*embrace someone"), paces=()),
    ActionSpec("push", "work", _p("push a heavy box", "push something heavy", "*shove a crate"), "forward"),
    ActionSpec("pull", "work", _p("pull a rope", "tug on a rope", "pull something heavy", "*haul a rope"), "backward"),
    ActionSpec("lift", "work", _p("lift a box", "pick up a heavy box", "lift something heavy", "*hoist a box")),
    ActionSpec("carry", "work", _p("carry a box", "carry something", "*lug a box"), "forward"),
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
