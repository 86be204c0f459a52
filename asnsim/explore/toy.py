"""Toy problems with known answers, for testing and benchmarking the explorer's machinery.

Both are evaluators (:mod:`asnsim.explore.evaluation`) that cost microseconds,
with a known noise-free truth, so the front the explorer finds can be checked
against the exhaustive one.  Their noise has the structure of common random
numbers: each replicate draws a shock shared by every design (the population
and raters of that replicate) plus a smaller design-specific part, so paired
differences between designs are far more precise than unpaired ones, as in
the simulator.

:class:`ToyAppraisal` mimics a rubric design question: number of peer raters
x correction method x the weight of the results component, with objectivity
(higher is better), rater burden (lower) and a fairness gap (closer to 0),
and two behaviour uncertainties (leniency, favouritism) for robustness and
scenario discovery.  :class:`ToyBiObjective` is Schaffer's function
``f1 = x^2, f2 = (x - 2)^2`` (Schaffer 1985), whose Pareto set is ``[0, 2]``.

References
----------
Schaffer, J. D. (1985). Multiple objective optimization with vector evaluated
genetic algorithms. *Proc. 1st Int. Conf. on Genetic Algorithms* 93-100.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .evaluation import REPLICATE
from .levers import LeverSpace

_METHOD_GAIN = {"none": 0.0, "standardize": 0.05, "mixed": 0.08}
_METHOD_HOURS = {"none": 0.0, "standardize": 0.1, "mixed": 0.3}
_METHOD_DEBIAS = {"none": 1.0, "standardize": 0.7, "mixed": 0.4}


def _streams(seed: int, replicate: int, design: Mapping[str, Any], k: int) -> tuple[np.ndarray, np.ndarray]:
    """(shared shock, design-specific shock) of one replicate, standard normal, ``k`` each."""
    common = np.random.default_rng(np.random.SeedSequence([seed, replicate])).standard_normal(k)
    tag = zlib.crc32(repr(sorted(design.items())).encode())
    own = np.random.default_rng(np.random.SeedSequence([seed, replicate, tag])).standard_normal(k)
    return common, own


@dataclass(frozen=True)
class ToyAppraisal:
    """Peer raters x correction method x results weight, with a known truth (module notes).

    Levers: ``peers`` (0-4), ``method`` (none, standardize, mixed), ``weight``
    (0-1).  Outcomes: ``objectivity`` (higher is better), ``burden`` (rater
    hours, lower; exact, no noise), ``fairness_gap`` (closer to 0).  World
    keys: ``leniency`` and ``favouritism`` (0-1; defaults 0.3 and 0.5).

    Examples
    --------
    >>> toy = ToyAppraisal()
    >>> round(toy.truth({"peers": 0, "method": "none", "weight": 0.6})["objectivity"], 4)
    0.505
    >>> toy({"peers": 2, "method": "mixed", "weight": 0.5}, [0, 1]).shape
    (2, 4)
    """

    seed: int = 1
    common_sd: float = 0.04
    own_sd: float = 0.01

    OUTCOMES = ("objectivity", "burden", "fairness_gap")
    DIRECTIONS = {"objectivity": 1, "burden": -1, "fairness_gap": 0}
    WORLD = {"leniency": 0.3, "favouritism": 0.5}

    @staticmethod
    def space() -> LeverSpace:
        """The levers of the known-answer test: 5 x 3 x 21 = 315 designs."""
        return LeverSpace.parse(["peers=0:4", "method=none,standardize,mixed", "weight=0:1:0.05"])

    def truth(self, design: Mapping[str, Any], world: Mapping[str, Any] | None = None) -> dict[str, float]:
        """Noise-free outcomes of a design in a world."""
        w = {**self.WORLD, **(world or {})}
        peers, method, weight = int(design["peers"]), str(design["method"]), float(design["weight"])
        objectivity = (0.55 + 0.25 * (1 - 1 / (1 + peers)) + _METHOD_GAIN[method] - 0.3 * (weight - 0.6) ** 2
                       - 0.15 * w["leniency"] * _METHOD_DEBIAS[method])
        burden = 1.0 + 0.6 * peers + _METHOD_HOURS[method]
        gap = 0.25 * (weight - 0.3) + 0.3 * w["favouritism"] * _METHOD_DEBIAS[method] / (1 + peers) - 0.05
        return {"objectivity": objectivity, "burden": burden, "fairness_gap": gap}

    def true_losses(self, designs: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Noise-free losses ``(len(designs), 3)``: -objectivity, burden, |fairness_gap| (the known answer)."""
        rows = [self.truth(d) for d in designs]
        return np.array([[-t["objectivity"], t["burden"], abs(t["fairness_gap"])] for t in rows]).reshape(-1, 3)

    def describe(self) -> str:
        return f"ToyAppraisal(seed={self.seed}, common_sd={self.common_sd}, own_sd={self.own_sd})"

    def __call__(self, design: Mapping[str, Any], replicates: Sequence[int],
                 world: Mapping[str, Any] | None = None) -> pd.DataFrame:
        truth = self.truth(design, world)
        rows = []
        for r in replicates:
            common, own = _streams(self.seed, int(r), design, 2)
            noise = self.common_sd * common + self.own_sd * own
            rows.append({REPLICATE: int(r), "objectivity": truth["objectivity"] + noise[0],
                         "burden": truth["burden"], "fairness_gap": truth["fairness_gap"] + 0.5 * noise[1]})
        return pd.DataFrame(rows, columns=[REPLICATE, *self.OUTCOMES])


@dataclass(frozen=True)
class ToyBiObjective:
    """Schaffer's problem with noise: ``f1 = x^2``, ``f2 = (x - 2)^2``, both lower is better; lever ``x``.

    Examples
    --------
    >>> ToyBiObjective().truth({"x": 1.0})
    {'f1': 1.0, 'f2': 1.0}
    """

    seed: int = 1
    common_sd: float = 0.2
    own_sd: float = 0.05

    OUTCOMES = ("f1", "f2")
    DIRECTIONS = {"f1": -1, "f2": -1}

    @staticmethod
    def space(low: float = -1.0, high: float = 3.0) -> LeverSpace:
        return LeverSpace.parse([f"x={low}:{high}"])

    def truth(self, design: Mapping[str, Any], world: Mapping[str, Any] | None = None) -> dict[str, float]:
        x = float(design["x"])
        return {"f1": x * x, "f2": (x - 2.0) ** 2}

    def describe(self) -> str:
        return f"ToyBiObjective(seed={self.seed}, common_sd={self.common_sd}, own_sd={self.own_sd})"

    def __call__(self, design: Mapping[str, Any], replicates: Sequence[int],
                 world: Mapping[str, Any] | None = None) -> pd.DataFrame:
        t = self.truth(design)
        rows = []
        for r in replicates:
            common, own = _streams(self.seed, int(r), design, 2)
            noise = self.common_sd * common + self.own_sd * own
            rows.append({REPLICATE: int(r), "f1": t["f1"] + noise[0], "f2": t["f2"] + noise[1]})
        return pd.DataFrame(rows, columns=[REPLICATE, *self.OUTCOMES])


__all__ = ["ToyAppraisal", "ToyBiObjective"]
