"""The hidden colour grades of the translation benchmark's CycleGAN task: a fixed colour style
applied to photos, so every unpaired translation can be scored against the exact answer.

* ``day-for-night`` (the benchmark's): per-channel tone curves that crush red and green and keep
  a lifted blue, the film-makers' grade that makes a daylight shot read as night.
* ``rotation`` (the task of sessions 1-9): channels rotated R→G→B→R, then a gamma. From two
  collections of different photos a channel reordering is not identifiable; see
  ``docs/experiments/translation_quality.md``.
"""

from __future__ import annotations

import numpy as np

#: The colour grades of the CycleGAN task (``--grade``); the first is the benchmark's.
GRADES = ("day-for-night", "rotation")
#: Day for night: per channel R, G, B the tone curve out = black + (white - black) * in ** gamma,
#: as (black, white, gamma). Red and green are darkened hard (white 0.45 / 0.55, gamma > 1),
#: blue kept and lifted.
DAY_FOR_NIGHT = ((0.0, 0.45, 1.6), (0.0, 0.55, 1.4), (0.08, 0.85, 0.9))
#: The rotation grade: channels rotated R→G→B→R, then this gamma.
GRADE_GAMMA = 0.8


def grade(photo: np.ndarray, kind: str) -> np.ndarray:
    """The hidden colour grade ``kind`` (one of `GRADES`) applied to a photo in [0, 1]."""
    if kind == "rotation":
        return np.roll(photo, 1, axis=-1) ** GRADE_GAMMA
    black, white, gamma = tone_curves(kind)
    return (black + (white - black) * photo ** gamma).astype(np.float32)


def ungrade(graded: np.ndarray, kind: str) -> np.ndarray:
    """The inverse of `grade` (on the grade's range)."""
    if kind == "rotation":
        return np.roll(graded ** (1 / GRADE_GAMMA), -1, axis=-1)
    black, white, gamma = tone_curves(kind)
    return (np.clip((graded - black) / (white - black), 0, 1) ** (1 / gamma)).astype(np.float32)


def grade_description(kind: str) -> str:
    """One line saying what grade ``kind`` does, for the benchmark's table."""
    if kind == "rotation":
        return f"channels rotated R->G->B->R, then gamma {GRADE_GAMMA}"
    tone_curves(kind)  # rejects an unknown grade
    return "per-channel tone curves (black, white, gamma) R/G/B " + \
        ", ".join(f"{c}" for c in DAY_FOR_NIGHT)


def tone_curves(kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tone-curve grade ``kind`` as per-channel (black, white, gamma) arrays; an unknown
    grade is an error, not silently day for night."""
    if kind != "day-for-night":
        raise ValueError(f"grade must be one of {', '.join(GRADES)}, got {kind!r}")
    return tuple(np.array(values, np.float32) for values in zip(*DAY_FOR_NIGHT))
