"""Fatigue: a rater with many ratees pulls impressions toward the middle of the scale.

``-w_r (x + scale - c)`` with ``w_r = 1 - exp(-fatigue max(0, n_r - fatigue_threshold))``, ``n_r`` the
distinct ratees of the rater over every role (self ratings not counted).
"""

from __future__ import annotations

import numpy as np

from .. import columns as C
from ..bounds import Count, LatentSD
from .registry import RaterEffect, RatingBlock, RatingRound, register_rater_effect, times_centred


def ratee_counts(panels: dict, n_raters: int) -> np.ndarray:
    """Number of distinct ratees each rater rates (over all roles), for fatigue."""
    counts = np.zeros(n_raters, np.float64)
    for pos, rater in panels.values():
        counts += np.bincount(rater, minlength=n_raters)[:n_raters]
    self_pairs = panels.get(C.SELF)
    if self_pairs is not None:
        counts -= np.bincount(self_pairs[1], minlength=n_raters)[:n_raters]
    return counts


def prepare(r: RatingRound) -> np.ndarray | None:
    """``w_r`` per rater (float32), None when fatigue is off."""
    p = r.params
    if not p.fatigue > 0:
        return None
    n_ratees = ratee_counts(r.panels, len(r.disp["leniency"]))
    return (1 - np.exp(-p.fatigue * np.maximum(0.0, n_ratees - p.fatigue_threshold))).astype(np.float32)


def term(b: RatingBlock, out: np.ndarray) -> np.ndarray | None:
    """``-w_r (x - c)`` on the impression so far, every role but self, into ``out``."""
    w = b.round.prepared["fatigue"]
    if w is None or b.role == C.SELF:
        return None
    return times_centred(b.x, b.center, -w[b.rater], out)


FATIGUE = register_rater_effect(RaterEffect(
    "fatigue", 90, term,
    params={"fatigue": (LatentSD, 0.0), "fatigue_threshold": (Count, 10.0)},
    labels={"fatigue": {"en": "Fatigue with many ratees", "id": "Kelelahan penilai (banyak yang dinilai)"},
            "fatigue_threshold": {"en": "Fatigue starts after (ratees)", "id": "Kelelahan mulai setelah (orang)"}},
    prepare=prepare,
    formula="`-w_r (x + scale - c)`, `w_r = 1 - exp(-fatigue max(0, n_r - fatigue_threshold))`, `n_r` ratees "
            "of the rater",
    roles="all but self", source="assumption", settings=("fatigue_threshold",),
    behaviour=("fatigue", "rater fatigue", "kelelahan penilai")))
