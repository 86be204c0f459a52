"""Self-rating inflation: a ratee rates themself up by ``s_i = self_inflation + self_inflation_sd z``."""

from __future__ import annotations

import numpy as np

from .. import columns as C
from ..bounds import Latent, LatentSD
from .registry import RaterEffect, RatingBlock, affine, register_rater_effect


def draw(params, z: np.ndarray) -> np.ndarray:
    """``s_i = self_inflation + self_inflation_sd z`` per rater."""
    return affine(params.self_inflation, params.self_inflation_sd, z)


def term(b: RatingBlock, out: np.ndarray) -> np.ndarray | None:
    """``s_i`` on self ratings (P, 1)."""
    inflation = b.round.disp["self_inflation"]
    if b.role != C.SELF or not inflation.any():
        return None
    return inflation[b.rater][:, None]


SELF_INFLATION = register_rater_effect(RaterEffect(
    "self_inflation", 60, term,
    params={"self_inflation": (Latent, 0.0), "self_inflation_sd": (LatentSD, 0.0)},
    labels={"self_inflation": {"en": "Self-rating inflation: average",
                               "id": "Penilaian diri yang melambung: rata-rata"},
            "self_inflation_sd": {"en": "Self-rating inflation: differences", "id": "Penilaian diri: perbedaan"}},
    disposition="self_inflation", draw=draw,
    formula="`s_i = self_inflation + self_inflation_sd z`", roles="self", source="Heidemeier & Moser 2009",
    behaviour=("self_inflation", "self-rating inflation", "penilaian diri yang dibesarkan")))
