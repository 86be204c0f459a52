"""Leniency: a rater's constant shift of every rating of others, ``l_r = leniency_mean + leniency_sd z``."""

from __future__ import annotations

import numpy as np

from .. import columns as C
from ..bounds import Latent, LatentSD
from .registry import RaterEffect, RatingBlock, affine, register_rater_effect


def draw(params, z: np.ndarray) -> np.ndarray:
    """``leniency_mean + leniency_sd z`` per rater."""
    return affine(params.leniency_mean, params.leniency_sd, z)


def term(b: RatingBlock, out: np.ndarray) -> np.ndarray | None:
    """``l_r`` for every rating but self ratings (P, 1)."""
    lenient = b.round.disp["leniency"]
    if b.role == C.SELF or not lenient.any():
        return None
    return lenient[b.rater][:, None]


LENIENCY = register_rater_effect(RaterEffect(
    "leniency", 20, term,
    params={"leniency_mean": (Latent, 0.0), "leniency_sd": (LatentSD, 0.0)},
    labels={"leniency_mean": {"en": "Leniency: average shift", "id": "Kemurahan rata-rata penilai"},
            "leniency_sd": {"en": "Leniency: differences between raters", "id": "Perbedaan antar-penilai"}},
    disposition="leniency", draw=draw,
    formula="`l_r = leniency_mean + leniency_sd z`", roles="all but self",
    source="Scullen, Mount & Goff 2000 (rater variance); mean **fitted** to the national record "
           "([validation.md](validation.md))",
    behaviour=("leniency", "leniency", "kemurahan penilai")))
