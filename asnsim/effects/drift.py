"""Drift: a rater grows more (or less) lenient over the year, ``d_r tau``, tau the end of the period in years."""

from __future__ import annotations

import numpy as np

from .. import columns as C
from ..bounds import Latent, LatentSD
from .registry import RaterEffect, RatingBlock, affine, register_rater_effect


def draw(params, z: np.ndarray) -> np.ndarray:
    """``d_r = drift_mean + drift_sd z`` per rater (per year)."""
    return affine(params.drift_mean, params.drift_sd, z)


def term(b: RatingBlock, out: np.ndarray) -> np.ndarray | None:
    """``d_r tau`` for every rating but self ratings (P, 1)."""
    drift = b.round.disp["drift"]
    if b.role == C.SELF or not drift.any():
        return None
    return (drift[b.rater] * np.float32(b.tau))[:, None]


DRIFT = register_rater_effect(RaterEffect(
    "drift", 50, term,
    params={"drift_mean": (Latent, 0.0), "drift_sd": (LatentSD, 0.0)},
    labels={"drift_mean": {"en": "Drift over periods: average", "id": "Pergeseran antar-periode: rata-rata"},
            "drift_sd": {"en": "Drift over periods: differences", "id": "Pergeseran antar-periode: perbedaan"}},
    disposition="drift", draw=draw,
    formula="`d_r tau`, `tau` = end of the period in years (annual 1), `d_r = drift_mean + drift_sd z`",
    roles="all but self", source="assumption",
    behaviour=("drift", "drift over the year", "pergeseran sepanjang tahun")))
