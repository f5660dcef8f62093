"""The latent vector z: the generator's own random draws, as uniform quantiles in [0, 1].

For every random choice the text does *not* determine, the generator draws u ~ U(0, 1) and maps it
into the range the text allows ("tall" picks a height range, z picks the point inside it). The model
is given z, so the target motion is (almost) a function of text and z; at generation time z is drawn
from U(0, 1)^LATENT_DIM and any such z gives a plausible motion that agrees with the text.

Slot table (``PER_ACTOR`` slots differ between actors; ``SCENE`` slots are equal for every actor of a
scene so that generated actors stay in step):

====  ===========  =====  ==========================================================================
slot  name         scope  meaning
====  ===========  =====  ==========================================================================
0     height       actor  quantile inside the height range the words give (tall/short, man/woman)
1     build        actor  0 slender (long legs, BMI 19) .. 1 stocky (short legs, BMI 27)
2     tempo        actor  quantile inside the pace range (speed, frequency, 1/duration) the text allows
3     amplitude    actor  size of movements: arm swing, step lift, jump height, gesture size
4     phase        actor  cycle phase at the start of every segment (gait, gesture, dance beat)
5     side         actor  < 0.5: the left hand/leg leads (waves, throws, kicks, hops), else the right
6     facing       actor  < 0.5 faces right (+x) at the start, else left; only when the text and the
                          interaction leave it open
7     style        actor  style inside an action (posture details, turn direction, move order)
8     onset        actor  when one-shot moves of the actor's own start inside their segment
9     centre       scene  scene centre: x of the middle actor at frame 0, in [-1, 1] m
10    spacing      scene  distance between neighbouring actors at frame 0, in [1.4, 3.0] m
11    boundary_1   scene  jitter of the 1st boundary between an actor's segments
12    boundary_2   scene  jitter of the 2nd boundary
13    boundary_3   scene  jitter of the 3rd boundary
14    event_time   scene  when the interaction happens inside its segment (release, contact, 1st punch)
15    event_style  scene  catch height and punch rhythm of interactions
====  ===========  =====  ==========================================================================

>>> rng = np.random.default_rng(0)
>>> z = sample_scene_latents(2, rng)
>>> z.shape, bool((z[0, list(SCENE)] == z[1, list(SCENE)]).all())
((2, 16), True)
>>> start_positions(z, 2).shape
(2,)
"""

from __future__ import annotations

from typing import Dict, Tuple

import numpy as np

LATENT_DIM = 16

SLOTS: Dict[str, int] = {
    "height": 0,
    "build": 1,
    "tempo": 2,
    "amplitude": 3,
    "phase": 4,
    "side": 5,
    "facing": 6,
    "style": 7,
    "onset": 8,
    "centre": 9,
    "spacing": 10,
    "boundary_1": 11,
    "boundary_2": 12,
    "boundary_3": 13,
    "event_time": 14,
    "event_style": 15,
}
"""Slot name -> index in z."""

PER_ACTOR: Tuple[int, ...] = tuple(range(0, 9))
SCENE: Tuple[int, ...] = tuple(range(9, 16))
"""Slots shared by every actor of a scene."""

MAX_SEGMENTS = 4
SPACING_RANGE = (1.4, 3.0)
CENTRE_RANGE = (-1.0, 1.0)


def sample_scene_latents(num_actors: int, rng: np.random.Generator) -> np.ndarray:
    """Draw z for every actor of a scene: float32 ``[num_actors, LATENT_DIM]`` in [0, 1).

    Scene slots (:data:`SCENE`) are drawn once and copied to every actor.

    >>> sample_scene_latents(3, np.random.default_rng(1)).dtype
    dtype('float32')
    """
    if not 1 <= int(num_actors) <= 3:
        raise ValueError(f"num_actors={num_actors}: scenes hold 1 to 3 actors")
    z = rng.random((int(num_actors), LATENT_DIM))
    z[:, SCENE[0]:] = z[0, SCENE[0]:]
    return z.astype(np.float32)


def start_positions(latents: np.ndarray, num_actors: int) -> np.ndarray:
    """Hip x of every actor at frame 0, in metres: float32 ``[num_actors]``, slot 0 leftmost.

    A pure function of the scene slots (centre, spacing), so generated actors are placed exactly
    where the generator placed them: ``x_i = centre + spacing * (i - (num_actors - 1) / 2)``.

    >>> z = np.full((2, LATENT_DIM), 0.5, np.float32)
    >>> start_positions(z, 2).tolist()
    [-1.100000023841858, 1.100000023841858]
    """
    z = np.asarray(latents, dtype=np.float64).reshape(-1, LATENT_DIM)
    centre = CENTRE_RANGE[0] + (CENTRE_RANGE[1] - CENTRE_RANGE[0]) * z[0, SLOTS["centre"]]
    spacing = SPACING_RANGE[0] + (SPACING_RANGE[1] - SPACING_RANGE[0]) * z[0, SLOTS["spacing"]]
    offsets = np.arange(int(num_actors)) - (int(num_actors) - 1) / 2.0
    return (centre + spacing * offsets).astype(np.float32)


def actor_spacing(latents: np.ndarray) -> float:
    """Distance between neighbouring actors at frame 0 (metres), from the scene's spacing slot."""
    z = np.asarray(latents, dtype=np.float64).reshape(-1, LATENT_DIM)
    return float(SPACING_RANGE[0] + (SPACING_RANGE[1] - SPACING_RANGE[0]) * z[0, SLOTS["spacing"]])


def segment_bounds(num_segments: int, latents: np.ndarray, frames: int) -> np.ndarray:
    """Frame boundaries ``[num_segments + 1]`` (0 .. frames) of an actor's segments.

    The k-th inner boundary sits at ``frames * (k + 0.4 * (u_k - 0.5)) / num_segments`` with u_k the
    scene's boundary slot, so actors of a scene with the same number of segments switch together
    and no segment is shorter than 60% of an equal share.

    >>> segment_bounds(2, np.full(LATENT_DIM, 0.5), 250).tolist()
    [0, 125, 250]
    """
    if not 1 <= num_segments <= MAX_SEGMENTS:
        raise ValueError(f"{num_segments} segments: an actor does 1 to {MAX_SEGMENTS} actions")
    z = np.asarray(latents, dtype=np.float64).reshape(-1)
    inner = [
        frames * (k + 0.4 * (z[SLOTS[f"boundary_{k}"]] - 0.5)) / num_segments for k in range(1, num_segments)
    ]
    return np.array([0] + [int(round(b)) for b in inner] + [frames], dtype=np.int64)
