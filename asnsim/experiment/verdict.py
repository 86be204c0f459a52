"""Verdicts: for each outcome, the best policy, or the policies that cannot be told apart from it.

Two steps, each a table:

1. :func:`leader_gaps` -- per scenario and outcome, the *leader* (the best
   estimate, in the outcome's direction) and, for every other policy, how much
   worse it is than the leader, paired over the replicates both have (common
   random numbers), with its Monte Carlo SE and interval: the paired-difference
   arithmetic of :func:`~asnsim.experiment.summary.paired_differences`, on the
   scale where larger is worse.  For an outcome where closer to 0 is better,
   the gap is the difference in distance from 0, ``|policy| - |leader|``,
   taken per replicate with each policy's sign fixed at the sign of its
   estimate.
2. :func:`verdict_table` -- the best set (the leader and every policy whose
   gap interval includes 0, i.e. whose paired interval overlaps no difference),
   a status (``clear``, ``tie``, ``inseparable``, ``single``,
   ``not applicable``), the nearest policy outside the set and the size of its
   gap, warnings, and one sentence in English or Bahasa Indonesia.

Equal values are ties, never wins: two policies whose values are equal in every
replicate (rater hours of two designs with the same panel) share the first
place.  The best set is a comparison with the best at the interval's level,
without a correction for the number of policies (Hsu 1996 gives the
simultaneous version); it says which leads are larger than the simulation's own
error, not that the model matches a real organisation.

References
----------
Morris, T. P., White, I. R. & Crowther, M. J. (2019). Using simulation studies
to evaluate statistical methods. *Statistics in Medicine* 38:2074-2102.
Hsu, J. C. (1996). *Multiple Comparisons: Theory and Methods*. Chapman & Hall
(comparisons with the best).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import labels as L
from ..outcomes import Outcome, outcome, verdict_metrics
from .summary import _interval, _wide

GAP_COLUMNS = ["scenario", "metric", "group", "policy", "leader", "estimate", "leader_estimate", "worse_by",
               "mcse", "ci_low", "ci_high", "n_reps"]
VERDICT_COLUMNS = ["scenario", "family", "metric", "group", "direction", "status", "best", "n_best", "leader",
                   "leader_estimate", "runner_up", "runner_up_estimate", "margin", "margin_ci_low",
                   "margin_ci_high", "n_policies", "not_applicable", "warning", "sentence"]
STATUSES = ("clear", "tie", "inseparable", "single", "not applicable")
_TOL = 1e-9


def _column_means(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Means of the finite values of each column (NaN where none) and their counts."""
    ok = np.isfinite(x)
    n = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, x, 0.0).sum(axis=0) / n, n


def _goodness(x: np.ndarray, direction: int) -> tuple[np.ndarray, np.ndarray]:
    """Replicate values on a larger-is-better scale, and the estimates' signs used for gaps."""
    est = _column_means(x)[0]
    if direction == 0:
        sign = np.where(est < 0, -1.0, 1.0)
        return -sign * x, est
    return direction * x, est


def leader_gaps(replicates: pd.DataFrame, metrics: tuple[tuple[str, str], ...] | None = None,
                level: float = 0.95) -> pd.DataFrame:
    """How far each policy falls behind the best one, per scenario and outcome, paired over replicates.

    Parameters
    ----------
    replicates : DataFrame
        ``scenario, policy, replicate, metric, group, value`` (the experiment's replicate table).
    metrics : tuple of (metric, group), optional
        Outcomes with a direction in :data:`asnsim.outcomes.OUTCOMES`; default
        :func:`asnsim.outcomes.verdict_metrics`.
    level : float
        Interval coverage.

    Returns
    -------
    DataFrame
        :data:`GAP_COLUMNS`: one row per policy with a value (the leader
        included, with gap 0); ``worse_by`` >= 0 is the mean paired gap in the
        outcome's unit (distance from 0 for gaps), ``ci_low``/``ci_high`` its
        interval; the leader is the best estimate (the first in design order on
        a tie).

    Examples
    --------
    >>> rep = pd.DataFrame({"scenario": "s", "policy": ["a"] * 3 + ["b"] * 3, "replicate": [0, 1, 2] * 2,
    ...                     "metric": "rater_hours", "group": "all", "value": [2.0, 2.0, 2.0, 1.0, 1.5, 1.0]})
    >>> g = leader_gaps(rep, metrics=(("rater_hours", "all"),))
    >>> g[["policy", "leader", "worse_by"]].round(4).values.tolist()
    [['b', 'b', 0.0], ['a', 'b', 0.8333]]
    """
    keep = pd.Series(False, index=replicates.index)
    for metric, group in metrics or verdict_metrics():
        keep |= (replicates["metric"] == metric) & (replicates["group"].astype(str) == group)
    sub = replicates[keep]
    if sub.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    wide = _wide(sub)
    parts = []
    for (scen, metric, group), block in wide.groupby(level=[0, 1, 2], sort=False):  # a loop per outcome
        o = outcome(metric, group)
        if o is None or o.direction is None:
            continue
        x = block.to_numpy(float)
        x = np.where(np.isfinite(x), x, np.nan)
        applies = np.isfinite(x).any(axis=0)
        if not applies.any():
            continue
        g, est = _goodness(x, o.direction)
        policies = np.asarray(block.columns)[applies]
        g, est = g[:, applies], est[applies]
        lead = int(np.argmax(_column_means(g)[0]))  # first maximum: design order on ties
        d = g[:, [lead]] - g                          # per replicate: how much worse than the leader
        worse, n = _column_means(d)
        with np.errstate(invalid="ignore", divide="ignore"):
            dev = np.where(np.isfinite(d), d - worse, 0.0)
            sd = np.sqrt((dev ** 2).sum(axis=0) / (n - 1))
            mcse = np.where(n > 1, sd / np.sqrt(n), np.nan)
        worse[lead], mcse[lead] = 0.0, 0.0
        lo, hi = _interval(worse, mcse, n, level)
        order = np.argsort(worse, kind="stable")
        parts.append(pd.DataFrame({
            "scenario": scen, "metric": metric, "group": group, "policy": policies[order],
            "leader": policies[lead], "estimate": est[order], "leader_estimate": est[lead],
            "worse_by": worse[order], "mcse": mcse[order], "ci_low": lo[order], "ci_high": hi[order],
            "n_reps": n[order].astype(int)}))
    if not parts:
        return pd.DataFrame(columns=GAP_COLUMNS)
    return pd.concat(parts, ignore_index=True)[GAP_COLUMNS]


def _best_set(block: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """Split a scenario-outcome block of gaps into (best set, the rest) and say whether the best set is a tie."""
    tol = _TOL * max(1.0, float(np.abs(block["leader_estimate"].iloc[0])))
    zero = block["worse_by"].abs() <= tol
    exact = zero & (block["mcse"].fillna(0.0).abs() <= tol)
    separated = block["ci_low"] > tol
    best = block[~separated | exact]
    return best, block[separated & ~exact], bool(exact[best.index].all())


def verdict_table(summary: pd.DataFrame, gaps: pd.DataFrame, lang: str = "en",
                  metrics: tuple[tuple[str, str], ...] | None = None, level: float = 0.95,
                  names: dict[str, str] | None = None) -> pd.DataFrame:
    """One verdict per scenario and outcome: the best policy or the set that cannot be separated.

    Parameters
    ----------
    summary : DataFrame
        :func:`~asnsim.experiment.summary.summarize` output: gives the list of
        policies (for "not applicable" counts) and the shares outcomes rest on
        (``share_predikat`` Sangat Baik for undeserved Sangat Baik).
    gaps : DataFrame
        :func:`leader_gaps` output.
    lang : {"en", "id"}
        Language of ``warning`` and ``sentence``.
    metrics : tuple of (metric, group), optional
        The outcomes, in the order of the verdicts (default :func:`asnsim.outcomes.verdict_metrics`).
    level : float
        The gaps' interval coverage (for the sentences).
    names : mapping, optional
        Display names of the policies in the sentences (:func:`short_names`); tables keep the labels.

    Returns
    -------
    DataFrame
        :data:`VERDICT_COLUMNS`.  ``best`` lists the best set (``"; "``
        between names, leader first); ``runner_up`` is the nearest policy
        outside it and ``margin`` its gap (with ``margin_ci_low``,
        ``margin_ci_high``), in the outcome's unit; ``not_applicable`` counts
        policies without a value.

    Examples
    --------
    >>> rep = pd.DataFrame({"scenario": "s", "policy": ["a"] * 3 + ["b"] * 3, "replicate": [0, 1, 2] * 2,
    ...                     "metric": "rater_hours", "group": "all", "value": [2.0, 2.0, 2.0, 1.0, 1.5, 1.0]})
    >>> from asnsim.experiment.summary import summarize
    >>> m = (("rater_hours", "all"),)
    >>> v = verdict_table(summarize(rep), leader_gaps(rep, m), metrics=m)
    >>> v[["status", "best", "runner_up"]].values.tolist()
    [['clear', 'b', 'a']]
    """
    rows = []
    scenarios = list(dict.fromkeys(summary["scenario"])) if len(summary) else []
    for scen in scenarios:
        s_sub = summary[summary["scenario"] == scen]
        policies = list(dict.fromkeys(s_sub["policy"]))
        for metric, group in metrics or verdict_metrics():
            o = outcome(metric, group)
            if o is None or o.direction is None:
                continue
            if not ((s_sub["metric"] == metric) & (s_sub["group"].astype(str) == group)).any():
                continue
            block = gaps[(gaps["scenario"] == scen) & (gaps["metric"] == metric) & (gaps["group"] == group)]
            rows.append(_verdict_row(scen, o, block, policies, s_sub, lang, level, names or {}))
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def _verdict_row(scen: str, o: Outcome, block: pd.DataFrame, policies: list[str], s_sub: pd.DataFrame,
                 lang: str, level: float, names: dict[str, str]) -> dict:
    row = dict.fromkeys(VERDICT_COLUMNS)
    row.update(scenario=scen, family=o.family, metric=o.metric, group=o.group, direction=o.direction,
               n_policies=len(block), not_applicable=len(policies) - len(block), warning="")
    if block.empty:
        row.update(status="not applicable", best="", n_best=0)
        row["sentence"] = _sentence(o, row, pd.DataFrame(), lang, level, names)
        return row
    best, rest, tie = _best_set(block)
    status = "single" if len(block) == 1 else "clear" if len(best) == 1 else "tie" if tie else "inseparable"
    row.update(status=status, best="; ".join(best["policy"]), n_best=len(best), leader=block["leader"].iloc[0],
               leader_estimate=float(block["leader_estimate"].iloc[0]))
    if len(rest):
        nxt = rest.iloc[0]
        row.update(runner_up=nxt["policy"], runner_up_estimate=float(nxt["estimate"]), margin=float(nxt["worse_by"]),
                   margin_ci_low=float(nxt["ci_low"]), margin_ci_high=float(nxt["ci_high"]))
    row["warning"] = _warning(o, best, s_sub, lang, names)
    row["sentence"] = _sentence(o, row, best, lang, level, names)
    return row


def _warning(o: Outcome, best: pd.DataFrame, s_sub: pd.DataFrame, lang: str, names: dict[str, str]) -> str:
    """Warn when a policy of the best set rests on a tiny share (e.g. Sangat Baik under 2%)."""
    if o.basis is None or best.empty:
        return ""
    metric, group = o.basis
    basis = s_sub[(s_sub["metric"] == metric) & (s_sub["group"].astype(str) == group)].set_index("policy")["estimate"]
    thin = [(p, float(basis[p])) for p in best["policy"] if p in basis.index and basis[p] < o.min_basis]
    if not thin:
        return ""
    listed = L.join_names([f"{names.get(p, p)} ({L.percent(v, 1, lang)})" for p, v in thin], lang)
    return L.text("warn_tiny_share", lang, names=listed, group=group, limit=L.percent(o.min_basis, 0, lang))


def _value(o: Outcome, x: float, lang: str, signed: bool = False) -> str:
    if o.percent:
        return L.percent(x, o.decimals, lang, signed=signed)
    return L.number(x, o.decimals, lang, signed=signed)


def _sentence(o: Outcome, row: dict, best: pd.DataFrame, lang: str, level: float, names: dict[str, str]) -> str:
    head = L.text("verdict_head", lang, family=L.family(o.family, lang), label=o.text(lang),
                  unit=(f"{o.unit_text(lang)}; " if o.unit_text(lang) else ""),
                  direction=L.direction(o.direction, lang))
    status = row["status"]
    if status == "not applicable":
        return head + L.text("verdict_none", lang, note=o.note.get(lang, ""))
    val = {p: _value(o, e, lang) for p, e in zip(best["policy"], best["estimate"])}
    leader = names.get(row["leader"], row["leader"])
    listed = L.join_names([names.get(p, p) for p in best["policy"]], lang)
    if status == "single":
        body = L.text("verdict_single", lang, name=leader, value=val[row["leader"]])
    elif status == "clear":
        body = L.text("verdict_clear", lang, name=leader, value=val[row["leader"]])
    elif status == "tie":
        key = "verdict_tie" if len(best) < row["n_policies"] else "verdict_tie_both" if len(best) == 2 else \
            "verdict_tie_all"
        body = L.text(key, lang, names=listed, n=len(best), value=val[row["leader"]])
    else:
        lo, hi = _value(o, best["estimate"].min(), lang), _value(o, best["estimate"].max(), lang)
        key = "verdict_inseparable" if len(best) < row["n_policies"] else \
            "verdict_both" if len(best) == 2 else "verdict_all"
        body = L.text(key, lang, names=listed, n=len(best), low=lo, high=hi)
    if row.get("runner_up") is not None:
        if o.percent:
            margin, low, high = (L.number(100 * row[k], o.decimals, lang)
                                 for k in ("margin", "margin_ci_low", "margin_ci_high"))
            margin += " " + L.text("pct_points", lang)
        else:
            margin, low, high = (_value(o, row[k], lang) for k in ("margin", "margin_ci_low", "margin_ci_high"))
            for extra in (1, 2):  # an interval that rounds to one value gets the decimals it needs
                if low != high:
                    break
                low, high = (L.number(row[k], o.decimals + extra, lang) for k in ("margin_ci_low", "margin_ci_high"))
        exact = abs(row["margin_ci_high"] - row["margin_ci_low"]) <= _TOL * max(1.0, abs(row["margin"]))
        body += L.text("verdict_margin_exact" if exact else "verdict_margin", lang,
                       name=names.get(row["runner_up"], row["runner_up"]),
                       value=_value(o, row["runner_up_estimate"], lang), margin=margin,
                       worse=L.worse_word(o.direction, lang), level=L.number(100 * level, 0, lang),
                       low=low, high=high)
    else:
        body += "."
    if row["not_applicable"]:
        body += L.text("verdict_na", lang, n=row["not_applicable"], note=o.note.get(lang, ""))
    return head + body + (" " + row["warning"] if row["warning"] else "")


_VARIANT = re.compile(r"^(?P<base>[^\[]+)\[(?P<over>.+)\]$")


def short_names(labels: list[str]) -> dict[str, str]:
    """Display names for sweep variants of one base: ``base[a.b.c=1]`` -> ``b.c=1``; other labels unchanged.

    Only when every label is a variant of the same base and the short names
    stay distinct; ``{label: label}`` otherwise.

    Examples
    --------
    >>> short_names(["p[components.hasil_kerja.weight=0.3]", "p[components.hasil_kerja.weight=0.5]"])
    {'p[components.hasil_kerja.weight=0.3]': 'hasil_kerja.weight=0.3', 'p[components.hasil_kerja.weight=0.5]': \
'hasil_kerja.weight=0.5'}
    """
    labels = [str(x) for x in labels]
    found = [_VARIANT.match(x) for x in labels]
    if len(labels) < 2 or not all(found) or len({m["base"] for m in found}) != 1:
        return {x: x for x in labels}
    short = {x: ", ".join(".".join(k.split(".")[-2:]) + "=" + v
                          for k, _, v in (kv.partition("=") for kv in m["over"].split(", ")))
             for x, m in zip(labels, found)}
    return short if len(set(short.values())) == len(labels) else {x: x for x in labels}


def best_sets(verdicts: pd.DataFrame) -> dict[tuple[str, str, str], set[str]]:
    """``(scenario, metric, group) -> names of the best set``, for marking tables.

    Outcomes where nobody stands out (the best set holds every policy with a
    value, or only one policy has a value) mark nothing.
    """
    return {(r.scenario, r.metric, r.group): set(filter(None, str(r.best).split("; ")))
            for r in verdicts.itertuples(index=False) if 0 < r.n_best < r.n_policies}


def verdicts_from_replicates(replicates: pd.DataFrame, summary: pd.DataFrame, lang: str = "en",
                             metrics: tuple[tuple[str, str], ...] | None = None,
                             level: float = 0.95) -> pd.DataFrame:
    """:func:`leader_gaps` then :func:`verdict_table`: the verdicts of an experiment (sweep variants named short)."""
    names = short_names(list(dict.fromkeys(summary["policy"]))) if len(summary) else {}
    return verdict_table(summary, leader_gaps(replicates, metrics, level), lang, metrics, level, names)


__all__ = ["GAP_COLUMNS", "STATUSES", "VERDICT_COLUMNS", "best_sets", "leader_gaps", "short_names", "verdict_table",
           "verdicts_from_replicates"]
