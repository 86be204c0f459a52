"""The tables of an exploration: every design tried, and the Pareto front with its separability.

``trials`` has one row per design the study evaluated, in the order they
were asked: ``design`` (D001, D002, ...), one column per lever, for each
objective its estimate (mean over replicates, natural scale) and ``_mcse``
(Monte Carlo SE, SD/sqrt(n)), ``n_reps`` (replicates used), ``raced_out``
(stopped early, clearly dominated), ``evaluations`` (replicates this row
ran; a revisited design reuses its replicates) and ``status`` (``complete``
or ``infeasible``: an objective undefined for the design).

``pareto`` keeps the non-dominated designs among those that raced to the end
(all on the same replicates, so their estimates share the same common random
numbers and compare fairly; a raced-out design was found clearly dominated by
paired comparison), judged by their losses.  A design asked twice counts once,
by its latest trial, which started from all the replicates of the earlier
ones.  Rows are ordered by the first objective, best first, with
``separable`` (False when some other front design is within ``z`` Monte Carlo
SEs of it on every objective) and ``not_separable_from`` (those designs).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .levers import LeverSpace
from .objectives import Objective, directions_of
from .pareto import nondominated, separability
from .study import EVALUATIONS, INFEASIBLE, OUTCOMES, RACED_OUT, RESULT

STATUS_COMPLETE, STATUS_INFEASIBLE = "complete", "infeasible"


def _estimates(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(values)
    mean = values.mean(axis=0) if n else np.full(values.shape[1], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        mcse = values.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else np.full(values.shape[1], np.nan)
    if n > 1:
        mcse[np.ptp(values, axis=0) == 0] = 0.0  # an exact outcome (burden): no rounding noise in its SE
    return mean, mcse


def trial_table(study, space: LeverSpace, objectives: Sequence[Objective]) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """The ``trials`` table of a study (module notes) and each row's per-replicate outcomes."""
    from optuna.trial import TrialState

    k = len(objectives)
    rows, values = [], []
    for t in study.get_trials(deepcopy=False):
        complete = t.state == TrialState.COMPLETE
        if not complete and not (t.state == TrialState.FAIL and INFEASIBLE in t.user_attrs):
            continue
        result = t.user_attrs.get(RESULT, {})
        v = np.asarray(result.get(OUTCOMES, []), float).reshape(-1, k)
        mean, mcse = _estimates(v)
        row: dict = {"design": f"D{len(rows) + 1:03d}", **{key: t.params[key] for key in space.keys}}
        for j, o in enumerate(objectives):
            row[o.name] = mean[j] if complete else np.nan
            row[f"{o.name}_mcse"] = mcse[j] if complete else np.nan
        row.update(n_reps=len(v), raced_out=bool(result.get(RACED_OUT, False)),
                   evaluations=int(result.get(EVALUATIONS, 0)),
                   status=STATUS_COMPLETE if complete else STATUS_INFEASIBLE)
        rows.append(row)
        values.append(v)
    cols = ["design", *space.keys] + [c for o in objectives for c in (o.name, f"{o.name}_mcse")] + \
        ["n_reps", "raced_out", "evaluations", "status"]
    return pd.DataFrame(rows, columns=cols), values


def losses(trials: pd.DataFrame, values: Sequence[np.ndarray], objectives: Sequence[Objective]) -> np.ndarray:
    """``(rows, k)`` losses (minimised) of the trials table's rows."""
    return np.array([[o.loss(v[:, j]) if len(v) else np.nan for j, o in enumerate(objectives)] for v in values],
                    dtype=float).reshape(len(values), len(objectives))


def pareto_table(trials: pd.DataFrame, values: Sequence[np.ndarray], space: LeverSpace,
                 objectives: Sequence[Objective], z: float = 2.0) -> pd.DataFrame:
    """The non-dominated designs of ``trials`` with their separability (module notes)."""
    ok = (trials["status"] == STATUS_COMPLETE).to_numpy()
    keys = trials[list(space.keys)].astype(str).agg("|".join, axis=1).to_numpy()
    latest: dict[str, int] = {}  # a design asked again starts from all it had: its last verdict knows most
    for i in np.flatnonzero(ok):
        if keys[i] not in latest or len(values[i]) >= len(values[latest[keys[i]]]):
            latest[keys[i]] = int(i)
    raced = trials["raced_out"].astype(bool).to_numpy()
    rows = np.array(sorted(i for i in latest.values() if not raced[i]), dtype=int)
    if len(rows) == 0:
        return trials.iloc[0:0].assign(separable=pd.Series(dtype=bool), not_separable_from=pd.Series(dtype=str))
    loss = losses(trials.iloc[rows], [values[i] for i in rows], objectives)
    front = rows[nondominated(loss)]
    loss_front = loss[nondominated(loss)]
    order = np.lexsort(loss_front.T[::-1])
    front = front[order]
    close = separability([values[i] for i in front], directions_of(objectives), z)
    out = trials.iloc[front].reset_index(drop=True)
    names = out["design"].tolist()
    out["separable"] = [not c for c in close]
    out["not_separable_from"] = [",".join(names[j] for j in c) for c in close]
    return out.drop(columns=["status"])


__all__ = ["STATUS_COMPLETE", "STATUS_INFEASIBLE", "losses", "pareto_table", "trial_table"]
