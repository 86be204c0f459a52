"""Verdicts on the front: for each objective, the best front design, or the designs that cannot be told apart.

The front designs all raced to the end on the same replicates (common random
numbers), so, as ``asnsim compare``'s verdicts do
(:mod:`asnsim.experiment.verdict`), two designs are compared by their
*paired* difference over those replicates, on the loss scale (larger is
worse; for an objective where closer to 0 is better, the difference in
distance from 0, each design's sign fixed at the sign of its estimate,
:func:`asnsim.explore.objectives.oriented`).  The *best set* of an objective
is its leader and every design whose paired gap is within ``z`` Monte Carlo
SEs of 0; designs equal in every replicate tie.  The sentence names the best
set and the closest design clearly behind it, with the size of its gap.

References
----------
Morris, T. P., White, I. R. & Crowther, M. J. (2019). Using simulation studies
to evaluate statistical methods. *Statistics in Medicine* 38:2074-2102.
Hsu, J. C. (1996). *Multiple Comparisons: Theory and Methods*. Chapman & Hall.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .figures import direction_text
from .objectives import Objective, oriented

SENTENCES = {
    "head": {"en": "{label} ({direction}): ", "id": "{label} ({direction}): "},
    "clear": {"en": "{name} is best ({value})", "id": "{name} terbaik ({value})"},
    "tie": {"en": "{names} tie for best ({value} each)", "id": "{names} sama-sama terbaik (masing-masing {value})"},
    "inseparable": {"en": "{names} cannot be separated ({low} to {high})",
                    "id": "{names} tidak dapat dibedakan ({low} sampai {high})"},
    "margin": {"en": "; the closest design clearly behind, {name} ({value}), is {margin} worse "
                     "(paired over {n} replicates, MCSE {mcse}).",
               "id": "; desain terdekat yang jelas tertinggal, {name} ({value}), lebih buruk {margin} "
                     "(berpasangan atas {n} replikasi, MCSE {mcse})."},
    "none_behind": {"en": "; no front design is clearly behind on this objective.",
                    "id": "; tidak ada desain front yang jelas tertinggal pada tujuan ini."},
}
COLUMNS = ["objective", "direction", "status", "best", "n_best", "leader", "leader_estimate", "runner_up",
           "runner_up_estimate", "margin", "margin_mcse", "n_reps", "sentence"]


def _say(key: str, lang: str, **fmt) -> str:
    return SENTENCES[key]["id" if lang == "id" else "en"].format(**fmt)


def _num(x: float, lang: str) -> str:
    s = f"{x:.3g}"
    return s.replace(".", ",") if lang == "id" else s


def _names(names: Sequence[str], lang: str) -> str:
    conj = " dan " if lang == "id" else " and "
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + conj + names[-1]


def front_verdicts(pareto: pd.DataFrame, values: Sequence[np.ndarray], objectives: Sequence[Objective],
                   z: float = 2.0, lang: str = "en") -> pd.DataFrame:
    """One verdict per objective over the front designs (module notes).

    Parameters
    ----------
    pareto : DataFrame
        The front (``design`` and one column per objective), in the order of ``values``.
    values : sequence of ndarray
        Each front design's per-replicate outcomes ``(n_reps, k)``, on common replicates.
    objectives : sequence of Objective
    z : float
        Monte Carlo SEs a paired gap must exceed to count as clearly behind.
    lang : {"en", "id"}

    Returns
    -------
    DataFrame
        :data:`COLUMNS`; ``status`` is ``clear``, ``tie`` (equal in every replicate) or ``inseparable``.

    Examples
    --------
    >>> front = pd.DataFrame({"design": ["D1", "D2", "D3"]})
    >>> vals = [np.array([[0.60, 5.0], [0.70, 5.0]]), np.array([[0.50, 4.0], [0.60, 4.0]]),
    ...         np.array([[0.59, 3.0], [0.71, 3.0]])]
    >>> v = front_verdicts(front, vals, [Objective("acc", 1), Objective("hours", -1)])
    >>> v[["objective", "status", "best", "runner_up"]].values.tolist()
    [['acc', 'inseparable', 'D1,D3', 'D2'], ['hours', 'clear', 'D3', 'D2']]
    """
    names = pareto["design"].tolist()
    n = min((len(v) for v in values), default=0)
    if not names or n == 0:
        return pd.DataFrame(columns=COLUMNS)
    natural = np.stack([np.asarray(v, float)[:n] for v in values])            # (designs, reps, k)
    rows = []
    for j, o in enumerate(objectives):
        loss = np.stack([oriented(natural[i][:, [j]], np.array([o.direction]))[:, 0] for i in range(len(names))])
        mean = loss.mean(axis=1)
        lead = int(np.argmin(mean))
        gap = loss - loss[lead]                                                # (designs, reps), >= 0 on average
        g = gap.mean(axis=1)
        se = gap.std(axis=1, ddof=1) / np.sqrt(n) if n > 1 else np.zeros(len(names))
        equal = np.all(gap == 0, axis=1)
        within = equal | (g <= z * se)
        best = [names[i] for i in np.flatnonzero(within)]
        est = natural[:, :, j].mean(axis=1)
        status = "tie" if np.all(equal[within]) and len(best) > 1 else ("clear" if len(best) == 1
                                                                        else "inseparable")
        behind = np.flatnonzero(~within)
        runner = int(behind[np.argmin(g[behind])]) if len(behind) else None
        rows.append({"objective": o.name, "direction": o.direction, "status": status, "best": ",".join(best),
                     "n_best": len(best), "leader": names[lead], "leader_estimate": est[lead],
                     "runner_up": names[runner] if runner is not None else "",
                     "runner_up_estimate": est[runner] if runner is not None else np.nan,
                     "margin": g[runner] if runner is not None else np.nan,
                     "margin_mcse": se[runner] if runner is not None else np.nan, "n_reps": n,
                     "sentence": _sentence(o, best, est[within], names[lead], est[lead], runner, names, est, g, se,
                                           n, status, lang)})
    return pd.DataFrame(rows, columns=COLUMNS)


def _sentence(o: Objective, best: list[str], best_est: np.ndarray, leader: str, lead_est: float,
              runner: int | None, names: list[str], est: np.ndarray, g: np.ndarray, se: np.ndarray, n: int,
              status: str, lang: str) -> str:
    text = _say("head", lang, label=o.title, direction=direction_text(o, lang))
    if status == "clear":
        text += _say("clear", lang, name=leader, value=_num(lead_est, lang))
    elif status == "tie":
        text += _say("tie", lang, names=_names(best, lang), value=_num(lead_est, lang))
    else:
        text += _say("inseparable", lang, names=_names(best, lang), low=_num(float(best_est.min()), lang),
                     high=_num(float(best_est.max()), lang))
    if runner is None:
        return text + _say("none_behind", lang)
    return text + _say("margin", lang, name=names[runner], value=_num(est[runner], lang),
                       margin=_num(g[runner], lang), n=n, mcse=_num(se[runner], lang))


__all__ = ["COLUMNS", "SENTENCES", "front_verdicts"]
