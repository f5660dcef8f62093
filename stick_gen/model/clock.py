"""The motion clock: where every frame is in the cycle of a repeated movement, as the network reads it.

Periodic actions (strides, hops, jumping jacks, waving) repeat at a cadence the text only roughly
fixes. A transformer whose tokens carry learned position embeddings finds it hard to *make* an
oscillation whose frequency depends on its input (it has to multiply a learned rate by time), and a
flow model that cannot do so drifts slowly instead of cycling. Handed the cycle's phase as sin/cos
features, the same network only has to map phase to limb positions, which it learns quickly.

So every frame gets a *clock*:

* ``cadence`` (Hz): how many cycles per second the frame's action repeats at; 0 for an action that
  does not repeat (sitting down, a bow);
* ``phase`` (cycles): where in the cycle the frame is.

For training data both are measured from the motion itself (:func:`motion_clock`): each constant-action
run of a row is searched for its fundamental frequency (the strongest peak of the limbs' spectrum,
moved down an octave where the half frequency is nearly as strong), and the phase is that of the
action's *reference channel* (the limb coordinate with the most power at the fundamental over all runs
of the action), so that phase 0 means the same body position in every clip of an action. At
generation the model predicts each frame's cadence itself (``cadence_head``) and the sampler integrates
it (:func:`integrate_clock`) from a random starting phase.

>>> import numpy as np
>>> t = np.arange(250) / 25.0
>>> feats = np.zeros((1, 250, 20), np.float32); feats[0, :, 6] = 0.3 * np.cos(2 * np.pi * 1.6 * t)
>>> cadence, phase = motion_clock(feats, np.zeros((1, 250), np.int64), fps=25)
>>> round(float(cadence[0, 100]), 2), round(float(phase[0, 0]) % 1.0, 2)
(1.6, 0.0)
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np
import torch

from .pose import HIP_Y, JOINT_SLOTS

CLOCK_CHANNELS: Tuple[int, ...] = (
    *JOINT_SLOTS["left_foot"], *JOINT_SLOTS["right_foot"], *JOINT_SLOTS["left_hand"], *JOINT_SLOTS["right_hand"], HIP_Y,
)
"""Motion-feature slots whose spectrum says how fast an action repeats: feet and hands (x relative to the
hip, and height) and the hip's height."""
CLOCK_DIM = 6
"""Values per frame the network reads (:func:`clock_features`)."""
MIN_HZ, MAX_HZ = 0.3, 4.5
"""Cadences searched for. Slower swaying is treated as posture, faster as tremor."""
MIN_CYCLES = 1.5
"""A run must hold this many cycles of a cadence for it to count."""
MIN_AMPLITUDE_M = 0.02
"""Root-mean-square size (metres, over the clock channels) of the oscillation at the fundamental below
which a run counts as still (cadence 0)."""
MIN_SHARE = 0.25
"""Share of a run's movement (variance of the clock channels) that the fundamental and its first two
harmonics must explain for the run to count as periodic."""
OCTAVE_RATIO = 0.3
"""The half frequency is taken as the fundamental when its power is at least this share of the peak's."""
_FFT = 2048


def runs(actions: np.ndarray) -> List[Tuple[int, int, int]]:
    """``(start, end, label)`` of every constant-label run of one row (the package's one run-length encoder).

    >>> runs(np.array([3, 3, 5]))
    [(0, 2, 3), (2, 3, 5)]
    """
    change = np.flatnonzero(np.diff(actions)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(actions)]])
    return [(int(s), int(e), int(actions[s])) for s, e in zip(starts, ends)]


def _detrend(x: np.ndarray) -> np.ndarray:
    """``x [n, C]`` less its straight-line trend (a posture drifting through a run is not a cycle)."""
    n = len(x)
    if n < 3:
        return x - x.mean(axis=0)
    t = np.arange(n) - (n - 1) / 2
    slope = (t[:, None] * x).sum(axis=0) / (t ** 2).sum()
    return x - x.mean(axis=0) - t[:, None] * slope


def _power_at(x: np.ndarray, freq: float, fps: int) -> np.ndarray:
    """Complex Fourier coefficient of each column of ``x [n, C]`` at ``freq`` Hz, ``[C]``."""
    n = np.arange(len(x))
    return (x * np.exp(-2j * np.pi * freq * n / fps)[:, None]).sum(axis=0)


def _fundamental(x: np.ndarray, fps: int) -> Optional[Tuple[float, np.ndarray]]:
    """Fundamental frequency (Hz) of a run's centred clock channels ``x [n, C]`` and the channels' Fourier
    coefficients there ``[C]``, or None if the run does not repeat."""
    n = len(x)
    lowest = max(MIN_HZ, MIN_CYCLES * fps / n)
    if lowest >= MAX_HZ:
        return None
    window = np.hanning(n)[:, None]
    spectrum = (np.abs(np.fft.rfft(x * window, n=_FFT, axis=0)) ** 2).sum(axis=1)
    freqs = np.fft.rfftfreq(_FFT, d=1.0 / fps)
    band = (freqs >= lowest) & (freqs <= MAX_HZ)
    if not band.any():
        return None
    peak = float(freqs[band][np.argmax(spectrum[band])])
    if peak <= lowest + 0.05:  # the spectrum only falls from the band's edge: slow drift, not a cycle
        return None
    half = peak / 2
    if half >= lowest:
        near = np.abs(freqs - half) <= 0.08
        if spectrum[near].max() >= OCTAVE_RATIO * spectrum[band].max():
            peak = float(freqs[near][np.argmax(spectrum[near])])
    # how much of the movement the fundamental and two harmonics explain (exact DFT, no window)
    explained = sum(np.abs(_power_at(x, k * peak, fps)) ** 2 for k in (1, 2, 3) if k * peak < fps / 2)
    variance = (x ** 2).sum(axis=0)  # per channel, times n
    share = float(2 * explained.sum() / n / max(variance.sum(), 1e-12))
    coefficients = _power_at(x, peak, fps)
    amplitude = float(np.sqrt(2 * (np.abs(coefficients) ** 2).sum() / n ** 2))
    if share < MIN_SHARE or amplitude < MIN_AMPLITUDE_M:
        return None
    return peak, coefficients


def motion_clock(features, actions, fps: int, reference: Optional[np.ndarray] = None
                 ) -> Tuple[np.ndarray, np.ndarray]:
    """Per-frame ``(cadence Hz, phase cycles)`` ``[R, T]`` of real motion features ``[R, T, 20]`` (physical units).

    ``actions [R, T]`` splits each row into runs; ``reference`` (per action id, a position in
    :data:`CLOCK_CHANNELS`) fixes whose phase the clock follows; by default each action's channel with
    the most power at its runs' fundamentals in these rows. Runs that do not repeat get cadence 0 and
    phase 0. See the module docstring.
    """
    feats = np.asarray(features.detach().cpu() if isinstance(features, torch.Tensor) else features, np.float64)
    labels = np.asarray(actions.detach().cpu() if isinstance(actions, torch.Tensor) else actions)
    rows, frames = labels.shape
    channels = feats[..., list(CLOCK_CHANNELS)]
    found = []  # (row, start, end, label, freq, coefficients [C])
    for r in range(rows):
        for s, e, label in runs(labels[r]):
            fundamental = _fundamental(_detrend(channels[r, s:e]), fps)
            if fundamental is not None:
                found.append((r, s, e, label, *fundamental))
    if reference is None:
        power = np.zeros((max([f[3] for f in found], default=0) + 1, len(CLOCK_CHANNELS)))
        for _, _, _, label, _, coef in found:
            power[label] += np.abs(coef) ** 2
        reference = power.argmax(axis=1)
    cadence = np.zeros((rows, frames), np.float32)
    phase = np.zeros((rows, frames), np.float32)
    for r, s, e, label, freq, coef in found:
        ref = int(reference[label]) if label < len(reference) else int(np.abs(coef).argmax())
        start_phase = np.angle(coef[ref]) / (2 * np.pi)  # channel ~ cos(2 pi (freq t + start_phase))
        cadence[r, s:e] = freq
        phase[r, s:e] = start_phase + freq * np.arange(e - s) / fps
    return cadence, phase


def clock_features(cadence: torch.Tensor, phase: torch.Tensor) -> torch.Tensor:
    """``(B, T)`` cadence (Hz) and phase (cycles) -> ``(B, T, CLOCK_DIM)`` network input.

    Sin/cos of the phase and of twice it, scaled by how periodic the frame is (0 below 0.2 Hz, 1 from
    0.5 Hz), the cadence itself (Hz / 2), and a 1 saying the clock is known (an unknown clock is all zeros).

    >>> (clock_features(torch.tensor([[0.0, 2.0]]), torch.tensor([[0.0, 0.25]])).round(decimals=2) + 0.0).tolist()
    [[[0.0, 0.0, 0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, -1.0, 1.0, 1.0]]]
    """
    cadence = cadence.float().clamp_min(0.0)
    weight = ((cadence - 0.2) / 0.3).clamp(0.0, 1.0)
    weight = weight * weight * (3 - 2 * weight)
    angle = 2 * torch.pi * phase.float()
    return torch.stack([weight * torch.sin(angle), weight * torch.cos(angle), weight * torch.sin(2 * angle),
                        weight * torch.cos(2 * angle), cadence / 2, torch.ones_like(cadence)], dim=-1)


def integrate_clock(cadence: torch.Tensor, fps: int, start_phase: torch.Tensor) -> torch.Tensor:
    """Phase ``(B, T)`` in cycles of a predicted cadence ``(B, T)`` (Hz), starting at ``start_phase`` ``(B,)``.

    >>> [round(v, 3) for v in integrate_clock(torch.full((1, 5), 2.5), 25, torch.zeros(1))[0].tolist()]
    [0.0, 0.1, 0.2, 0.3, 0.4]
    """
    steps = cadence.float().clamp_min(0.0) / fps
    return start_phase.float()[:, None] + torch.cumsum(steps, dim=1) - steps


def start_phase_from_noise(noise: torch.Tensor) -> torch.Tensor:
    """A uniform starting phase per row drawn from the row's own flow noise ``(B, T, D)``, so a seed fixes it.

    >>> start_phase_from_noise(torch.zeros(2, 3, 4)).tolist()
    [0.5, 0.5]
    """
    return 0.5 * (1 + torch.erf(noise[:, 0, 0].float() / 2 ** 0.5))


# --- Key moments: the brief, fast events the cycle does not time ------------------------------------------

EVENT_DIM = 3
"""Values per frame that say where the nearest key moment is (:func:`event_features`)."""
EVENT_SPEED = 3.5
"""Speed (m/s) of a hand or foot relative to the hip at which a peak counts as a key moment. The data
generator's throws whip the hand at 4.3-6.8 m/s and its kicks swing the foot at 4 m/s or more; high fives
and falls pass it too; a clap (about 2 m/s) or a hand at rest (under 0.3) do not."""
EVENT_GAP_S = 0.4
"""Two key moments of one row are at least this far apart (the quicker one is kept)."""
EVENT_WIDTHS_S = (0.08, 0.5)
"""Widths (s) of the narrow and the wide bump of :func:`event_features`."""
EVENT_SIDE_S = 0.2
"""Time (s) over which :func:`event_features`' third value turns from before (-) to after (+) the moment."""
_EFFECTORS = ("left_hand", "right_hand", "left_foot", "right_foot")


def effector_speed(poses: np.ndarray, fps: int, joints: Tuple[str, ...] = _EFFECTORS) -> np.ndarray:
    """Speed (m/s) of the quickest of ``joints`` (hands and feet) relative to the hip per frame ``[R, T]``, of
    poses ``[R, T, 20]``.

    Frame ``t`` gets the motion from ``t - 1`` to ``t`` (the first frame repeats the second's).

    >>> p = np.zeros((1, 4, 20)); p[0, :, 14] = [0.0, 0.1, 0.3, 0.3]  # the left hand's x
    >>> effector_speed(p, 25).round(1).tolist()
    [[2.5, 2.5, 5.0, 0.0]]
    """
    p = np.asarray(poses, np.float64)
    hip = p[..., list(JOINT_SLOTS["hip"])]
    speed = np.zeros(p.shape[:2])
    for joint in joints:
        step = np.diff(p[..., list(JOINT_SLOTS[joint])] - hip, axis=1)
        speed[:, 1:] = np.maximum(speed[:, 1:], np.linalg.norm(step, axis=-1) * fps)
    speed[:, 0] = speed[:, 1] if p.shape[1] > 1 else 0.0
    return speed


def key_moments(poses: np.ndarray, cadence: np.ndarray, fps: int, speed: float = EVENT_SPEED) -> np.ndarray:
    """Frames ``[R, T]`` (bool) where real motion has a key moment: a throw's whip, a kick, a fall's impact.

    A key moment is a peak of :func:`effector_speed` of at least ``speed`` m/s on a frame whose motion
    clock is silent (``cadence`` 0: a repeating action is timed by its cycle instead); of two peaks
    closer than :data:`EVENT_GAP_S` the quicker stays.

    >>> p = np.zeros((1, 50, 20)); p[0, 21:, 14] = 0.1; p[0, 22:, 14] = 0.3; p[0, 23:, 14] = 0.4  # a hand's x
    >>> np.flatnonzero(key_moments(p, np.zeros((1, 50)), 25)[0]).tolist()   # 2.5, 5, 2.5 m/s at frames 21-23
    [22]
    """
    s = effector_speed(poses, fps)
    peak = np.zeros_like(s, dtype=bool)
    peak[:, 1:-1] = (s[:, 1:-1] >= speed) & (s[:, 1:-1] >= s[:, :-2]) & (s[:, 1:-1] > s[:, 2:])
    peak &= np.asarray(cadence) <= 0
    gap = int(round(EVENT_GAP_S * fps))
    out = np.zeros_like(peak)
    for row in np.flatnonzero(peak.any(axis=1)):
        kept: List[int] = []
        for frame in sorted(np.flatnonzero(peak[row]).tolist(), key=lambda f: -s[row, f]):
            if all(abs(frame - k) >= gap for k in kept):
                kept.append(frame)
        out[row, kept] = True
    return out


def event_features(events: torch.Tensor, fps: int) -> torch.Tensor:
    """``(B, T)`` key-moment frames (bool) -> ``(B, T, EVENT_DIM)`` network input.

    Per frame, with ``d`` the time (s) from the nearest key moment (negative before it): a narrow and a
    wide bump ``exp(-d^2 / 2 w^2)`` (:data:`EVENT_WIDTHS_S`), and the wide bump times ``tanh(d / 0.2 s)``,
    which tells the wind-up from the follow-through. A row without key moments is all zeros.

    >>> f = event_features(torch.tensor([[False, False, False, False, True, False]]), 25)
    >>> [round(v, 2) for v in f[0, :, 0].tolist()], bool(f[0, 3, 2] < 0 < f[0, 5, 2])
    ([0.14, 0.32, 0.61, 0.88, 1.0, 0.88], True)
    """
    batch, frames = events.shape
    t = torch.arange(frames, device=events.device, dtype=torch.float32)
    far = torch.full((batch, frames), float(frames) * 10, device=events.device)
    at = torch.where(events.bool(), t.expand(batch, frames), far)  # (B, T): event frames, else far away
    offset = (t[None, :, None] - at[:, None, :])  # (B, T, T): frame minus every event frame
    nearest = offset.abs().argmin(dim=-1, keepdim=True)
    d = offset.gather(-1, nearest).squeeze(-1) / fps  # (B, T) seconds from the nearest event
    narrow, wide = (torch.exp(-0.5 * (d / w) ** 2) for w in EVENT_WIDTHS_S)
    return torch.stack([narrow, wide, wide * torch.tanh(d / EVENT_SIDE_S)], dim=-1)


def draw_events(probability: torch.Tensor, offset: torch.Tensor) -> torch.Tensor:
    """Key-moment frames ``(B, T)`` (bool) drawn from per-frame probabilities ``(B, T)``, ``offset`` ``(B,)`` in [0, 1).

    Systematic sampling: a moment falls wherever the running sum of the probabilities plus ``offset``
    passes a whole number, so a stretch that holds a total probability of 1 gets exactly one moment, at a
    frame drawn in proportion to the probabilities.

    >>> p = torch.zeros(1, 10); p[0, 3:7] = 0.25
    >>> [torch.nonzero(draw_events(p, torch.tensor([u]))[0]).flatten().tolist() for u in (0.0, 0.5, 0.9)]
    [[6], [4], [3]]
    """
    total = torch.cumsum(probability.float().clamp(0.0, 1.0), dim=1) + offset.float()[:, None]
    before = torch.cat([offset.float()[:, None], total[:, :-1]], dim=1)
    return torch.floor(total) > torch.floor(before)
