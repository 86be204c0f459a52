"""Halo: a rater's general impression of the ratee bleeds into every item, ``h_r (G_i - b_ij)``."""

from __future__ import annotations

import numpy as np

from ..bounds import LatentSD, Share
from .registry import RaterEffect, RatingBlock, affine, register_rater_effect


def draw(params, z: np.ndarray) -> np.ndarray:
    """``h_r = clip(halo_mean + halo_sd z, 0, 1)`` per rater."""
    return np.clip(affine(params.halo_mean, params.halo_sd, z), 0, 1)


def term(b: RatingBlock, out: np.ndarray) -> np.ndarray | None:
    """``h_r (G_i - b_ij)``, G the true general performance, b the item's true level (P, k), into ``out``."""
    halo = b.round.disp["halo"]
    if not halo.any():
        return None
    np.subtract(b.of_ratees(b.round.general)[:, None], b.of_ratees(b.base), out=out)
    out *= halo[b.rater][:, None]
    return out


HALO = register_rater_effect(RaterEffect(
    "halo", 10, term,
    params={"halo_mean": (Share, 0.0), "halo_sd": (LatentSD, 0.0)},
    labels={"halo_mean": {"en": "Halo: average", "id": "Efek halo: rata-rata"},
            "halo_sd": {"en": "Halo: differences between raters", "id": "Efek halo: perbedaan antar-penilai"}},
    disposition="halo", draw=draw,
    formula="`h_r (G_i - b_ij)`, `G` = true_performance, `b` = t without the period deviation; "
            "`h_r = clip(halo_mean + halo_sd z, 0, 1)`",
    roles="all", source="Cooper 1981; Viswesvaran, Schmidt & Ones 2005",
    behaviour=("halo", "halo", "efek halo")))
