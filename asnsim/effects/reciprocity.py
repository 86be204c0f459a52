"""Reciprocity: a peer echoes the deviation of the rating the ratee gave them, ``rho (y_ji - t_j)``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..bounds import Share
from .registry import RaterEffect, RatingBlock, register_rater_effect


def reverse_pairs(pos: np.ndarray, rater: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """For each peer pair (ratee, rater), the index of the pair (rater, ratee) in the same panel."""
    rpos = pd.Index(ids).get_indexer(rater).astype(np.int64)
    n = len(ids)
    key = pos.astype(np.int64) * n + rpos
    order = np.argsort(key)
    return order[np.searchsorted(key[order], rpos * n + pos)]


def term(b: RatingBlock, out: np.ndarray) -> np.ndarray | None:
    """``rho`` times the reverse pair's latent deviation so far, for rekan, into ``out``."""
    rho = b.round.params.reciprocity
    if b.role != C.REKAN or not rho > 0:
        return None
    rev = reverse_pairs(b.pos, b.rater, b.round.ids)
    return np.multiply(np.float32(rho), (b.x - b.t)[rev], out=out)


RECIPROCITY = register_rater_effect(RaterEffect(
    "reciprocity", 110, term,
    params={"reciprocity": (Share, 0.0)},
    labels={"reciprocity": {"en": "Reciprocity among peers", "id": "Saling balas antar-rekan"}},
    formula="`rho (y_ji - t_j)`: the reverse peer rating's deviation, echoed",
    roles="rekan", source="seed 003 (Sawahlunto); size assumed",
    behaviour=("reciprocity", "peer reciprocity", "timbal balik rekan")))
