"""Simulated predikat distributions of the national regimes, with Monte Carlo error, beside the observed ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import AsnsimError
from ..scenario import Scenario
from .reference import PREDIKAT, REGIMES, observed_percent, read_reference

#: The columns of ``validation.csv``.
VALIDATION_COLUMNS = ("regime", "predikat", "observed", "simulated", "mcse")


def replicate_percent(policy, scenario: Scenario | str | Path = "default", n: int = 10_000, reps: int = 5,
                      seed: int = 1, progress=None) -> pd.DataFrame:
    """Percent of employees per predikat in each of ``reps`` simulated rounds.

    Replicate ``r`` is :func:`asnsim.pipeline.simulate` with ``replicate=r``,
    so every regime (and every scenario value in a fit) meets the same
    organisations, true performance and raters (common random numbers).

    Returns
    -------
    DataFrame
        One row per replicate, one column per predikat (best first), in percent.
    """
    from ..pipeline import simulate

    if reps < 1 or int(n) < 1:
        raise AsnsimError(f"need at least one replicate of at least one employee, got n={n}, reps={reps}")
    rows = []
    for r in range(reps):  # a loop over replicates, each one vectorized
        sim = simulate(policy, n=n, seed=seed, scenario=scenario, replicate=r)
        counts = sim.scores[C.PREDIKAT].value_counts().reindex(list(PREDIKAT), fill_value=0)
        rows.append(100.0 * counts.to_numpy(float) / max(int(counts.sum()), 1))
        if progress is not None:
            progress.update(1)
    return pd.DataFrame(rows, columns=list(PREDIKAT)).rename_axis("replicate")


def summarize_percent(per_rep: pd.DataFrame) -> pd.DataFrame:
    """Mean over replicates and its Monte Carlo SE (``sd / sqrt(reps)``; NaN with one replicate)."""
    k = len(per_rep)
    sd = per_rep.std(ddof=1) if k > 1 else per_rep.iloc[0] * np.nan
    return pd.DataFrame({"simulated": per_rep.mean(), "mcse": sd / np.sqrt(k)})


def validation_table(scenario: Scenario | str | Path = "default", n: int = 10_000, reps: int = 5, seed: int = 1,
                     regimes: tuple[str, ...] = REGIMES, progress=None,
                     reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Observed and simulated predikat distribution of each regime, in percent.

    Parameters
    ----------
    scenario : Scenario, str or Path
        The world to validate (default: the built-in ``default``).
    n, reps, seed : int
        Employees per simulated organisation, replicates, the one seed.
    regimes : tuple of str
        Built-in policies (or policy files) to simulate.
    progress : tqdm-like, optional
        Updated once per simulated round.
    reference : DataFrame, optional
        Observed distributions (:func:`asnsim.validation.read_reference`).

    Returns
    -------
    DataFrame
        ``regime, predikat, observed, simulated, mcse``: one row per regime
        and predikat (best first); ``observed`` is NaN where no source gives
        a number; ``mcse`` is the Monte Carlo SE of ``simulated``.

    Examples
    --------
    >>> t = validation_table(n=300, reps=2, regimes=("permenpan-6-2022",))
    >>> list(t.columns), len(t)
    (['regime', 'predikat', 'observed', 'simulated', 'mcse'], 5)
    """
    ref = read_reference() if reference is None else reference
    parts = []
    for regime in regimes:
        label = Path(str(regime)).stem if str(regime).endswith(".toml") else str(regime)
        summ = summarize_percent(replicate_percent(regime, scenario, n, reps, seed, progress))
        parts.append(pd.DataFrame({"regime": label, "predikat": list(PREDIKAT),
                                   "observed": observed_percent(label, ref).to_numpy(),
                                   "simulated": summ["simulated"].to_numpy(), "mcse": summ["mcse"].to_numpy()}))
    return pd.concat(parts, ignore_index=True)[list(VALIDATION_COLUMNS)]


def baik_or_better(table: pd.DataFrame) -> pd.DataFrame:
    """Per regime, percent Baik or better: observed (NaN where not sourced) and simulated.

    The MCSE of the sum is not the sum of MCSEs; it is not reported here.
    """
    top = table[table["predikat"].isin(PREDIKAT[:2])]
    obs = top.groupby("regime", sort=False)["observed"].sum(min_count=2)
    sim = top.groupby("regime", sort=False)["simulated"].sum()
    return pd.DataFrame({"observed": obs, "simulated": sim})


def worst_gap(table: pd.DataFrame) -> float:
    """The largest absolute difference, in percentage points, between observed and simulated (sourced rows)."""
    d = (table["simulated"] - table["observed"]).abs().dropna()
    return float(d.max()) if len(d) else float("nan")
