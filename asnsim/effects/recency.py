"""Recency: annual results ratings pulled toward the last quarter, ``q (e_last quarter - e_period)``."""

from __future__ import annotations

import numpy as np

from ..bounds import Share
from .registry import RaterEffect, RatingBlock, register_rater_effect


def term(b: RatingBlock, out: np.ndarray) -> np.ndarray | None:
    """``recency (dev_last - dev)`` on the annual ratings of a results component (P, 1)."""
    q = b.round.params.recency
    if not q > 0 or b.period != "annual" or b.comp.kind != "results" or b.dev_last is None:
        return None
    return (np.float32(q) * (b.dev_last - b.dev)[b.pos]).astype(np.float32)[:, None]


RECENCY = register_rater_effect(RaterEffect(
    "recency", 70, term,
    params={"recency": (Share, 0.0)},
    labels={"recency": {"en": "Recency (weight of the last period)", "id": "Efek kejadian terakhir"}},
    formula="`recency (e_last quarter - e_period)`", roles="annual results ratings", source="assumption",
    behaviour=("recency", "recency", "efek kebaruan")))
