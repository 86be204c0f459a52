"""Scale use: central tendency (factor below 1) or extremity (above 1) around the middle of the scale."""

from __future__ import annotations

import numpy as np

from ..bounds import Latent, LatentSD
from .registry import RaterEffect, RatingBlock, affine, register_rater_effect, times_centred


def draw(params, z: np.ndarray) -> np.ndarray:
    """The scale factor ``k_r = exp(scale_use_mean + scale_use_sd z)`` per rater."""
    return np.exp(affine(params.scale_use_mean, params.scale_use_sd, z))


def term(b: RatingBlock, out: np.ndarray) -> np.ndarray | None:
    """``(k_r - 1)(x - c)``: the impression so far stretched or shrunk around the scale's middle ``c``."""
    factor = b.round.disp["scale_factor"]
    if not (factor != 1).any():
        return None
    return times_centred(b.x, b.center, factor[b.rater] - 1, out)


SCALE_USE = register_rater_effect(RaterEffect(
    "scale_use", 80, term,
    params={"scale_use_mean": (Latent, 0.0), "scale_use_sd": (LatentSD, 0.0)},
    labels={"scale_use_mean": {"en": "Scale use: average spread (central tendency < 0 < extremity)",
                               "id": "Penggunaan skala: rata-rata (cenderung tengah < 0 < ekstrem)"},
            "scale_use_sd": {"en": "Scale use: differences between raters",
                             "id": "Penggunaan skala: perbedaan antar-penilai"}},
    disposition="scale_factor", draw=draw,
    formula="`(k_r - 1)(x - c)`, `k_r = exp(scale_use_mean + scale_use_sd z)`, `c` the middle of the scale as "
            "raters use it (ordinal: halfway between the first and last cutpoint; numeric: 0, the policy's "
            "`center`); `x` = t + the terms above",
    roles="all",
    source="central tendency; mean **fitted** to the national record ([validation.md](validation.md))",
    behaviour=("central_tendency", "central tendency (scale use)", "kecenderungan ke tengah")))
