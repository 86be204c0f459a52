"""Robustness of designs across an ensemble of worlds (rater behaviours nobody knows exactly).

The worlds are a Latin hypercube over the uncertainty ranges (McKay, Beckman
& Conover 1979; ``scipy.stats.qmc.LatinHypercube``): each range is cut into
as many equal strata as there are worlds and each stratum is used once, so a
few dozen worlds cover every range evenly.  Each design is evaluated in each
world on the same replicates (common random numbers across designs and
worlds), and the report gives, per design and objective:

- regret in a world: how much worse the design is than the best of the
  compared designs in that world (in loss terms, 0 for the best); its maximum
  over worlds is Savage's minimax regret, its mean the average regret
  (Kwakkel, Eker & Pruyt 2016 compare these robustness metrics);
- the share of worlds where the design meets every requirement
  (``--require NAME>=VALUE``; a satisficing metric, Starr 1963), with its
  binomial standard error over the ensemble.

References
----------
McKay, M. D., Beckman, R. J. & Conover, W. J. (1979). A comparison of three
methods for selecting values of input variables in the analysis of output from
a computer code. *Technometrics* 21:239-245.
Kwakkel, J. H., Eker, S. & Pruyt, E. (2016). How robust is a robust policy?
Comparing alternative robustness metrics for robust decision-making. In
*Robustness Analysis in Decision Aiding, Optimization, and Analytics*, 221-237.
Savage, L. J. (1951). The theory of statistical decision. *JASA* 46:55-67.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DesignError
from .evaluation import REPLICATE, Evaluator, Job, check_outcomes, run_jobs
from .levers import LeverSpace
from .objectives import Objective

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
_REQUIRE = re.compile(r"^\s*([A-Za-z_][\w.\-]*)\s*(>=|<=|>|<)\s*(\S+)\s*$")


@dataclass(frozen=True)
class Requirement:
    """A threshold an outcome must meet in a world, e.g. ``spearman>=0.6``.

    Examples
    --------
    >>> r = Requirement.parse("rater_hours<=3")
    >>> r.name, r.op, r.value, r.met(np.array([2.0, 4.0])).tolist()
    ('rater_hours', '<=', 3.0, [True, False])
    """

    name: str
    op: str
    value: float

    @classmethod
    def parse(cls, text: str) -> "Requirement":
        m = _REQUIRE.match(str(text))
        if not m:
            raise DesignError(f"--require {text!r}: expected NAME>=VALUE (or <=, >, <)")
        try:
            value = float(m.group(3))
        except ValueError:
            raise DesignError(f"--require {m.group(1)}: {m.group(3)!r} is not a number") from None
        if not np.isfinite(value):
            raise DesignError(f"--require {m.group(1)}: the threshold must be finite")
        return cls(m.group(1), m.group(2), value)

    def met(self, values: np.ndarray) -> np.ndarray:
        return _OPS[self.op](np.asarray(values, float), self.value)

    def __str__(self) -> str:
        return f"{self.name}{self.op}{self.value:g}"


def latin_hypercube(uncertainties: LeverSpace, n_worlds: int, seed: int) -> pd.DataFrame:
    """``n_worlds`` worlds over the uncertainty ranges: ``world`` (W001, ...) and one column per key.

    Choice uncertainties (several scenarios) take each choice in equal shares.

    Examples
    --------
    >>> w = latin_hypercube(LeverSpace.parse(["rater.leniency=0.0:1.0"], "--uncertainty"), 4, seed=1)
    >>> sorted((w["rater.leniency"] * 4).astype(int).tolist())  # one world per quarter
    [0, 1, 2, 3]
    """
    from scipy.stats import qmc

    if int(n_worlds) < 2:
        raise DesignError(f"--worlds must be at least 2, got {n_worlds}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x4C48]))  # its own stream ("LH")
    u = qmc.LatinHypercube(d=len(uncertainties.levers), rng=rng).random(int(n_worlds))
    worlds = pd.DataFrame(uncertainties.from_unit(u))
    worlds.insert(0, "world", [f"W{i + 1:03d}" for i in range(len(worlds))])
    return worlds


def evaluate_worlds(designs: Mapping[str, Mapping[str, Any]], worlds: pd.DataFrame, evaluator: Evaluator,
                    outcomes: Sequence[str], reps: int, executor=None, slots: int = 1) -> pd.DataFrame:
    """Per-replicate outcomes of every design in every world: ``design, world, replicate, outcome...``."""
    keys = [c for c in worlds.columns if c != "world"]
    cells = [(name, w["world"], Job(dict(d), tuple(range(int(reps))), {k: _plain(w[k]) for k in keys}))
             for name, d in designs.items() for _, w in worlds.iterrows()]
    tables = run_jobs(evaluator, [c[2] for c in cells], executor, slots)
    parts = []
    for (name, world, job), table in zip(cells, tables):
        block = pd.DataFrame(check_outcomes(table, job, outcomes), columns=list(outcomes))
        block.insert(0, REPLICATE, list(job.replicates))
        block.insert(0, "world", world)
        block.insert(0, "design", name)
        parts.append(block)
    return pd.concat(parts, ignore_index=True)


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def world_estimates(per_replicate: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Mean over replicates per design and world (``design, world, outcome...``), in input order."""
    return per_replicate.groupby(["design", "world"], sort=False)[list(outcomes)].mean().reset_index()


def regret(estimates: pd.DataFrame, objectives: Sequence[Objective]) -> pd.DataFrame:
    """Regret of each design in each world, per objective (long: ``design, world, objective, loss, regret``).

    Examples
    --------
    >>> est = pd.DataFrame({"design": ["a", "b", "a", "b"], "world": ["W1", "W1", "W2", "W2"],
    ...                     "acc": [0.8, 0.6, 0.5, 0.7]})
    >>> regret(est, [Objective("acc", 1)])["regret"].round(3).tolist()
    [0.0, 0.2, 0.2, 0.0]
    """
    parts = []
    for o in objectives:
        x = estimates[o.name].to_numpy(float)
        loss = {1: -x, -1: x, 0: np.abs(x)}[o.direction]
        best = pd.Series(loss).groupby(estimates["world"].to_numpy(), sort=False).transform("min").to_numpy()
        parts.append(pd.DataFrame({"design": estimates["design"], "world": estimates["world"], "objective": o.name,
                                   "loss": loss, "regret": loss - best}))
    return pd.concat(parts, ignore_index=True)


def robustness_table(estimates: pd.DataFrame, objectives: Sequence[Objective],
                     requirements: Sequence[Requirement] = ()) -> pd.DataFrame:
    """Per design: each objective's mean, worst value, maximum and mean regret; share of worlds meeting all
    requirements (and each one), with its binomial SE over the worlds."""
    reg = regret(estimates, objectives)
    designs = list(dict.fromkeys(estimates["design"]))
    out = pd.DataFrame({"design": designs})
    for o in objectives:
        r = reg[reg["objective"] == o.name].groupby("design", sort=False)
        x = estimates.groupby("design", sort=False)[o.name]
        worst = x.min() if o.direction == 1 else (x.max() if o.direction == -1
                                                  else x.apply(lambda s: s.iloc[int(np.argmax(np.abs(s.to_numpy())))]))
        out[f"{o.name}_mean"] = x.mean().reindex(designs).to_numpy()
        out[f"{o.name}_worst"] = worst.reindex(designs).to_numpy()
        out[f"{o.name}_max_regret"] = r["regret"].max().reindex(designs).to_numpy()
        out[f"{o.name}_mean_regret"] = r["regret"].mean().reindex(designs).to_numpy()
    if requirements:
        ok = meets(estimates, requirements)
        by = ok.groupby(estimates["design"].to_numpy(), sort=False)
        share = by["all"].mean().reindex(designs).to_numpy()
        n = by["all"].size().reindex(designs).to_numpy()
        out["share_meeting"] = share
        out["share_meeting_se"] = np.sqrt(share * (1 - share) / n)
        for req in requirements:
            out[f"share {req}"] = by[str(req)].mean().reindex(designs).to_numpy()
    return out


def meets(estimates: pd.DataFrame, requirements: Sequence[Requirement]) -> pd.DataFrame:
    """Which (design, world) rows meet each requirement, and ``all`` of them; a missing outcome is an error."""
    out = pd.DataFrame(index=estimates.index)
    for req in requirements:
        if req.name not in estimates:
            raise DesignError(f"--require {req.name}: not an outcome of the evaluation; "
                              f"outcomes: {', '.join(c for c in estimates if c not in ('design', 'world'))}")
        out[str(req)] = req.met(estimates[req.name].to_numpy(float))
    out["all"] = out.all(axis=1) if len(requirements) else True
    return out


def discover(worlds: pd.DataFrame, estimates: pd.DataFrame, design: str, requirements: Sequence[Requirement],
             threshold: float = 0.8):
    """Scenario discovery for one design: PRIM over the worlds where it fails a requirement.

    Returns
    -------
    (Prim or None, float)
        The PRIM run (None when the design never fails, or always does) and the share of worlds where it fails.
    """
    from .prim import Prim

    if not requirements:
        raise DesignError("scenario discovery needs at least one --require NAME>=VALUE")
    rows = estimates[estimates["design"] == design]
    if rows.empty:
        raise DesignError(f"--discover {design}: not one of the designs evaluated across worlds")
    fail = ~meets(rows, requirements)["all"].to_numpy(bool)
    x = worlds.set_index("world").loc[rows["world"].to_numpy()].reset_index(drop=True)
    share = float(fail.mean())
    if fail.all() or not fail.any():
        return None, share
    return Prim(x, fail, threshold=threshold), share


__all__ = ["Requirement", "discover", "evaluate_worlds", "latin_hypercube", "meets", "regret", "robustness_table",
           "world_estimates"]
