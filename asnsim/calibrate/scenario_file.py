"""Writing a calibrated scenario: a TOML file that extends a base scenario with the fitted rater parameters.

Each written value carries its provenance (a ``[[sources]]`` entry with the estimate and its bootstrap SE) and each
value assumed rather than fitted an ``[[assumptions]]`` entry with the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..policyfiles import dump_toml
from ..scenario import RaterParams, load_scenario

if TYPE_CHECKING:
    from .fit import Calibration


KIND_INDEX = {"results": 0, "behaviour": 1, "competency_technical": 2, "competency_nontechnical": 3}


def _corr_value(cal: Calibration, base: str):
    """The base scenario's component correlations with the estimated pairs replaced (if still positive
    definite); a single number when the base holds one."""
    from ..scenario import correlation_matrix

    base_corr = load_scenario(base).population.component_corr
    if isinstance(base_corr, (int, float)) or not cal.rho_pairs:
        return None if not cal.rho_pairs else round(float(cal.component_corr), 4)
    m = np.array(correlation_matrix(base_corr), dtype=float)
    for (ka, kb), est in cal.rho_pairs:
        i, j = KIND_INDEX[ka], KIND_INDEX[kb]
        if i != j:
            m[i, j] = m[j, i] = float(np.clip(est, -0.3, 0.99))
    if np.linalg.eigvalsh(m).min() <= 1e-6:
        return None
    return [[round(float(x), 4) for x in row] for row in m]


def scenario_toml(cal: Calibration, name: str, source: str, base: str = "neutral") -> str:
    """A scenario file (``extends = base``) holding the calibrated rater parameters, with provenance.

    Written: ``rater.leniency_sd, noise_sd, leniency_mean, scale_use_mean`` (and
    ``favouritism = 0``, with the reason), and ``population.component_corr`` with
    the estimated component pairs replaced in the base's matrix.
    """
    fields = RaterParams.model_fields
    rater = {"leniency_sd": round(cal.leniency_sd, 4), "noise_sd": round(cal.noise_sd, 4),
             "leniency_mean": round(cal.leniency_mean, 4), "scale_use_mean": round(cal.scale_use_mean, 4),
             "favouritism": 0.0, "scale_use_sd": 0.0}
    rater.update({k: round(v, 4) for k, v in cal.group_effects.items()})
    if "ingroup_bias" in cal.group_effects:
        rater["ingroup_attribute"] = cal.group_attribute
    rater = {k: v for k, v in rater.items() if k in fields}

    def se(k: str) -> str:
        return f" (bootstrap SE {cal.se[k]:.3f})" if k in cal.se else ""

    data: dict = {"name": name,
                  "title": f"Calibrated on {Path(source).name}: {cal.n_ratings} ratings, {cal.n_raters} raters",
                  "extends": base,
                  "description": ("Rater parameters fitted by asnsim calibrate (latent pairwise correlations, "
                                  "see asnsim.calibrate); everything else comes from the base scenario."),
                  "rater": rater}
    corr = _corr_value(cal, base)
    if corr is not None:
        data["population"] = {"component_corr": corr}
    src = f"asnsim calibrate on {Path(source).name}"
    data["sources"] = [
        {"element": f"rater.{k}", "source": src, "note": f"estimate {getattr(cal, k):.4f}{se(k)}"}
        for k in ("leniency_sd", "noise_sd", "leniency_mean", "scale_use_mean") if k in rater]
    data["sources"] += [{"element": f"rater.{k}", "source": src, "note": f"estimate {v:.4f}"}
                        for k, v in cal.group_effects.items() if k in rater]
    if cal.rho_pairs:
        data["sources"].append({"element": "population.component_corr", "source": src,
                                "note": "; ".join(f"{a}-{b}: {e:.4f}" for (a, b), e in cal.rho_pairs)})
    data["assumptions"] = [dict(a) for a in cal.notes]
    return dump_toml(data)


def load_calibration_ratings(path: str | Path, column_map: dict[str, str] | None = None,
                             score_range: tuple[float, float] | None = None, skip_invalid: bool = False):
    """Read and validate a ratings file for :func:`calibrate` (see :func:`asnsim.io.read_table`)."""
    from ..io import read_table

    return read_table(path, "ratings", column_map, score_range, skip_invalid)
