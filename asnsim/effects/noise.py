"""Rating noise: ``sigma z``, sigma = ``noise_sd`` (stakeholders: ``sqrt(noise_sd^2 + stakeholder_noise_sd^2)``).

The only term that draws from the ``ratings`` stream, one standard normal per rating, block after block.
"""

from __future__ import annotations

import numpy as np

from .. import columns as C
from ..bounds import LatentSD
from .registry import RaterEffect, RatingBlock, register_rater_effect


def term(b: RatingBlock, out: np.ndarray) -> np.ndarray | None:
    """``sigma z`` drawn into ``out``."""
    p = b.round.params
    sd = p.noise_sd if b.role != C.STAKEHOLDER else float(np.hypot(p.noise_sd, p.stakeholder_noise_sd))
    if not sd > 0:
        return None
    noise = b.round.rng.standard_normal(dtype=np.float32, out=out)
    noise *= np.float32(sd)
    return noise


NOISE = register_rater_effect(RaterEffect(
    "noise", 100, term,
    params={"noise_sd": (LatentSD, 0.5), "stakeholder_noise_sd": (LatentSD, 0.0)},
    labels={"noise_sd": {"en": "Rating noise (SD)", "id": "Ketidakpastian penilaian (simpangan baku)"},
            "stakeholder_noise_sd": {"en": "Stakeholder rating noise (SD)",
                                     "id": "Ketidakpastian penilaian pemangku kepentingan"}},
    formula="`sigma z`; stakeholders `sqrt(noise_sd^2 + stakeholder_noise_sd^2)`", roles="all",
    source="Viswesvaran, Ones & Schmidt 1996; seed 000 (noisy stakeholders)", params_first=True,
    behaviour=("rating_noise", "rating noise", "galat penilaian"), low_factor=0.5))
