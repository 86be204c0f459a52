"""Favouritism (kedekatan personal): a bonus for ratees close to the rater, ``f_r close(r, i)``.

``close(r, i)``: for atasan the ratee's ``closeness`` to the supervisor; for bawahan the rater's; for rekan
both peers in the supervisor's inner circle (both close to the shared supervisor); 0 for stakeholders.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..bounds import LatentSD
from .registry import RaterEffect, RatingBlock, RatingRound, affine, register_rater_effect


def draw(params, z: np.ndarray) -> np.ndarray:
    """``f_r = max(0, favouritism + favouritism_sd z)`` per rater."""
    return np.maximum(affine(params.favouritism, params.favouritism_sd, z), 0)


def prepare(r: RatingRound) -> np.ndarray:
    """Closeness to the supervisor by employee position (bool)."""
    return r.employees[C.CLOSENESS].to_numpy().astype(bool)


def closeness(role: str, close: np.ndarray, pos: np.ndarray, rater: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """1 where rater and ratee are close (see the module docstring), as float32."""
    if role == C.ATASAN:
        return close[pos].astype(np.float32)
    rpos = pd.Index(ids).get_indexer(rater)
    if role == C.BAWAHAN:
        return close[rpos].astype(np.float32)
    return (close[pos] & close[rpos]).astype(np.float32)


def term(b: RatingBlock, out: np.ndarray) -> np.ndarray | None:
    """``f_r close(r, i)`` for atasan, rekan and bawahan (P, 1)."""
    fav = b.round.disp["favouritism"]
    if b.role not in (C.ATASAN, C.REKAN, C.BAWAHAN) or not fav.any():
        return None
    cl = closeness(b.role, b.round.prepared["favouritism"], b.pos, b.rater, b.round.ids)
    return (fav[b.rater] * cl)[:, None]


FAVOURITISM = register_rater_effect(RaterEffect(
    "favouritism", 30, term,
    params={"favouritism": (LatentSD, 0.0), "favouritism_sd": (LatentSD, 0.0)},
    labels={"favouritism": {"en": "Favouritism toward close ratees", "id": "Kedekatan personal dengan atasan"},
            "favouritism_sd": {"en": "Favouritism: differences between raters",
                               "id": "Perbedaan favoritisme antar-atasan"}},
    disposition="favouritism", draw=draw, prepare=prepare,
    formula="`f_r close(r, i)`, `f_r = max(0, favouritism + favouritism_sd z)`; close: atasan the ratee's "
            "`closeness`, bawahan the rater's, rekan both",
    roles="atasan, rekan, bawahan", source="seed 004 (kedekatan personal); size assumed",
    behaviour=("favouritism", "favouritism (closeness)", "favoritisme (kedekatan)")))
