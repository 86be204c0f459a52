"""Performance measures of a Monte Carlo experiment, with their Monte Carlo error.

The conventions follow Morris, White & Crowther (2019), "Using simulation
studies to evaluate statistical methods", *Statistics in Medicine* 38:2074-2102
(Table 6).  For a metric ``theta_i`` observed in replicates ``i = 1..n_sim``:

- estimate ``theta_bar = mean(theta_i)``;
- empirical SE ``s = sd(theta_i)`` (ddof 1): the replicate-to-replicate spread,
  i.e. how much one simulated round of this size varies;
- Monte Carlo SE of the estimate ``s / sqrt(n_sim)``, and of the empirical SE
  ``s / sqrt(2 (n_sim - 1))``;
- interval ``theta_bar +- t_{n_sim-1, 0.975} * MCSE``: where the expected value
  of the metric lies given the finite number of replicates.

Paired differences use the replicates shared by two policies (common random
numbers): ``d_i = theta_i(policy) - theta_i(reference)``, with MCSE
``sd(d_i) / sqrt(n_sim)``; ``mcse_unpaired`` shows what the same comparison
would cost without pairing, ``sqrt((s_a^2 + s_b^2) / n_sim)``.  Non-finite
values (a metric that does not apply, e.g. inter-rater agreement with one
rater) are left out, and ``n_reps`` says how many replicates remain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import AsnsimError
from ..outcomes import directions

KEYS = ["scenario", "policy", "metric", "group"]
SUMMARY_COLUMNS = ["scenario", "policy", "metric", "group", "estimate", "mcse", "ci_low", "ci_high",
                   "emp_se", "emp_se_mcse", "n_reps"]
PAIRED_COLUMNS = ["scenario", "policy", "reference", "metric", "group", "difference", "mcse", "ci_low",
                  "ci_high", "sd_difference", "mcse_unpaired", "correlation", "n_reps"]
RANKING_COLUMNS = ["scenario", "metric", "group", "direction", "policy", "mean_rank", "rank_low", "rank_high",
                   "p_best", "n_reps"]

_DIRECTION_NAME = {1: "higher is better", -1: "lower is better", 0: "closer to 0 is better"}


def _interval(est: np.ndarray, mcse: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore"):
        q = stats.t.ppf(0.5 + level / 2, np.where(n > 1, n - 1, np.nan))
    return est - q * mcse, est + q * mcse


def summarize(replicates: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Estimate, empirical SE, Monte Carlo SE and interval per scenario, policy, metric and group.

    Parameters
    ----------
    replicates : DataFrame
        ``scenario, policy, replicate, metric, group, value`` (one row per
        replicate and metric; see :mod:`asnsim.experiment.runner`).
    level : float
        Interval coverage (default 0.95).

    Returns
    -------
    DataFrame
        :data:`SUMMARY_COLUMNS`, in the order the rows first appear.

    Examples
    --------
    >>> rep = pd.DataFrame({"scenario": "s", "policy": "p", "replicate": [0, 1, 2, 3],
    ...                     "metric": "m", "group": "all", "value": [1.0, 2.0, 3.0, 4.0]})
    >>> row = summarize(rep).iloc[0]
    >>> float(row.estimate), round(float(row.mcse), 4), int(row.n_reps)
    (2.5, 0.6455, 4)
    """
    vals = replicates["value"].astype(float).where(np.isfinite(replicates["value"].astype(float)))
    g = vals.groupby([replicates[k] for k in KEYS], sort=False)
    n = g.count().to_numpy()
    est = g.mean().to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = g.std(ddof=1).to_numpy()
        mcse = sd / np.sqrt(n)
        sd_mcse = sd / np.sqrt(2.0 * (n - 1))
    lo, hi = _interval(est, mcse, n, level)
    out = g.mean().index.to_frame(index=False)
    out["estimate"], out["mcse"], out["ci_low"], out["ci_high"] = est, mcse, lo, hi
    out["emp_se"], out["emp_se_mcse"], out["n_reps"] = sd, sd_mcse, n.astype(int)
    return out[SUMMARY_COLUMNS]


def _wide(replicates: pd.DataFrame) -> pd.DataFrame:
    """Replicates as scenario x metric x group x replicate rows, one column per policy (design order)."""
    policies = list(dict.fromkeys(replicates["policy"]))
    rows = pd.MultiIndex.from_frame(replicates[["scenario", "metric", "group", "replicate"]])
    series = pd.Series(replicates["value"].to_numpy(float),
                       index=pd.MultiIndex.from_arrays([*(rows.get_level_values(i) for i in range(4)),
                                                        replicates["policy"]],
                                                       names=[*rows.names, "policy"]))
    series = series[~series.index.duplicated(keep="first")]
    return series.unstack("policy").reindex(index=rows.unique(), columns=policies)


def paired_differences(replicates: pd.DataFrame, reference: str | None = None,
                       level: float = 0.95, all_pairs: bool = False) -> pd.DataFrame:
    """Paired policy differences per replicate, with Monte Carlo SE.

    Parameters
    ----------
    replicates : DataFrame
        As for :func:`summarize`.
    reference : str, optional
        Compare every policy with this one (``difference = policy - reference``).
        Default: the first policy in design order.
    level : float
        Interval coverage.
    all_pairs : bool
        Instead, every pair: each later policy (in design order) minus each earlier one.

    Raises
    ------
    AsnsimError
        When ``reference`` is not one of the policies.

    Returns
    -------
    DataFrame
        :data:`PAIRED_COLUMNS`; ``difference = policy - reference``.

    Examples
    --------
    >>> rep = pd.DataFrame({"scenario": "s", "policy": ["a"] * 3 + ["b"] * 3, "replicate": [0, 1, 2] * 2,
    ...                     "metric": "m", "group": "all", "value": [1.0, 2.0, 3.0, 1.5, 2.5, 3.6]})
    >>> row = paired_differences(rep).iloc[0]
    >>> row.policy, row.reference, round(float(row.difference), 4), round(float(row.mcse), 4)
    ('b', 'a', 0.5333, 0.0333)
    """
    if replicates.empty:
        return pd.DataFrame(columns=PAIRED_COLUMNS)
    wide = _wide(replicates)
    policies = list(wide.columns)
    if all_pairs:
        pairs = [(b, a) for i, a in enumerate(policies) for b in policies[i + 1:]]
    else:
        reference = check_reference(reference, policies)
        pairs = [(p, reference) for p in policies if p != reference]
    keys = wide.index.droplevel("replicate")
    parts = []
    for pol, ref in pairs:  # loop over policy pairs, not over replicates
        a, b = wide[ref].to_numpy(float), wide[pol].to_numpy(float)
        ok = np.isfinite(a) & np.isfinite(b)
        frame = pd.DataFrame({"a": np.where(ok, a, np.nan), "b": np.where(ok, b, np.nan)}, index=keys)
        frame["d"] = frame["b"] - frame["a"]
        g = frame.groupby(level=[0, 1, 2], sort=False)
        n = g["d"].count().to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = g["d"].std(ddof=1).to_numpy()
            mcse = sd / np.sqrt(n)
            va, vb = g["a"].var(ddof=1).to_numpy(), g["b"].var(ddof=1).to_numpy()
            unpaired = np.sqrt((va + vb) / n)
            cov = (g["d"].var(ddof=1).to_numpy() - va - vb) / -2.0
            # a metric constant across replicates (variance 0 up to rounding) has no correlation
            varies = (va > 1e-12 * (1.0 + g["a"].mean().to_numpy() ** 2)) & \
                     (vb > 1e-12 * (1.0 + g["b"].mean().to_numpy() ** 2))
            corr = np.where(varies, np.clip(cov / np.sqrt(np.where(varies, va * vb, 1.0)), -1.0, 1.0), np.nan)
        est = g["d"].mean().to_numpy()
        lo, hi = _interval(est, mcse, n, level)
        res = g["d"].mean().index.to_frame(index=False)
        res.insert(1, "policy", pol)
        res.insert(2, "reference", ref)
        res["difference"], res["mcse"], res["ci_low"], res["ci_high"] = est, mcse, lo, hi
        res["sd_difference"], res["mcse_unpaired"], res["correlation"], res["n_reps"] = sd, unpaired, corr, n
        parts.append(res)
    if not parts:
        return pd.DataFrame(columns=PAIRED_COLUMNS)
    return pd.concat(parts, ignore_index=True)[PAIRED_COLUMNS]


def check_reference(reference: str | None, policies: list[str]) -> str:
    """The reference policy of paired differences: ``reference`` if it is one of ``policies``, else the first.

    Raises
    ------
    AsnsimError
        ``reference`` is given and is not one of the policies (the message lists them).
    """
    if reference is None:
        return policies[0]
    if reference not in policies:
        raise AsnsimError(f"--reference {reference!r} is not one of the compared policies: "
                          f"{', '.join(map(str, policies))}")
    return reference


def paired_scenarios(replicates: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Paired differences between scenarios, per policy, for designs with common scenario streams.

    Only meaningful when every scenario drew the same random numbers
    (``make_design(..., common_scenario_streams=True)``, ``--paired-scenarios``):
    then a sweep point and the first scenario differ only by the swept key.
    Computed as :func:`paired_differences` with the roles of scenario and
    policy exchanged: ``difference = scenario - reference_scenario``, each
    later scenario against the first.

    Returns
    -------
    DataFrame
        ``policy, scenario, reference_scenario, metric, group, difference,
        mcse, ci_low, ci_high, sd_difference, mcse_unpaired, correlation, n_reps``.
    """
    swapped = replicates.rename(columns={"scenario": "policy", "policy": "scenario"})
    first = replicates["scenario"].iloc[0] if len(replicates) else None
    res = paired_differences(swapped, reference=first, level=level)
    res = res.rename(columns={"scenario": "policy", "policy": "scenario", "reference": "reference_scenario"})
    return res[["policy", "scenario", "reference_scenario"] + PAIRED_COLUMNS[3:]]


def rank_policies(replicates: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Rank the policies in every replicate and summarise the ranks' uncertainty.

    For each scenario and each metric with a direction (:func:`asnsim.outcomes.directions`; predikat shares
    describe a distribution and are not ranked),
    policies are ranked within every replicate in which all of them have a
    value (1 = best; ties share the average rank); a policy for which the
    metric never applies (agreement with a single rater) is left out of that
    metric's ranking.  ``mean_rank`` and the
    central ``level`` interval of the ranks (``rank_low``, ``rank_high``)
    show how settled the order is; ``p_best`` is the share of replicates
    where the policy ranks first (ties for first split the replicate).

    Returns
    -------
    DataFrame
        :data:`RANKING_COLUMNS`.
    """
    if replicates.empty:
        return pd.DataFrame(columns=RANKING_COLUMNS)
    direction = directions()
    wide = _wide(replicates[replicates["metric"].isin(list(direction))])
    if wide.empty:
        return pd.DataFrame(columns=RANKING_COLUMNS)
    metric = wide.index.get_level_values("metric")
    sign = metric.map(direction).to_numpy(float)
    x = wide.to_numpy(float)
    badness = np.where(sign[:, None] == 0, np.abs(x), -sign[:, None] * x)
    finite = pd.DataFrame(np.isfinite(badness), columns=wide.columns, index=wide.index)
    # a policy is ranked on a metric where it has a value in some replicate (ICC needs two raters)
    applies = finite.groupby(level=[0, 1, 2], sort=False).transform("any").to_numpy()
    complete = (finite.to_numpy() | ~applies).all(axis=1) & applies.any(axis=1)
    bad = pd.DataFrame(badness[complete], columns=wide.columns, index=wide.index[complete])
    ranks = bad.rank(axis=1, method="average", na_option="keep")
    best = bad.eq(bad.min(axis=1), axis=0)
    first = best.div(best.sum(axis=1), axis=0)
    a = (1.0 - level) / 2.0
    g_rank = ranks.groupby(level=[0, 1, 2], sort=False)
    mean_rank = g_rank.mean().stack().rename("mean_rank")
    low = g_rank.quantile(a).stack().rename("rank_low")
    high = g_rank.quantile(1.0 - a).stack().rename("rank_high")
    p_best = first.groupby(level=[0, 1, 2], sort=False).mean().stack().rename("p_best")
    n = ranks.groupby(level=[0, 1, 2], sort=False).size()
    out = pd.concat([mean_rank, low, high, p_best], axis=1).reset_index()
    out.columns = ["scenario", "metric", "group", "policy", "mean_rank", "rank_low", "rank_high", "p_best"]
    out = out[out["mean_rank"].notna()].reset_index(drop=True)
    out["n_reps"] = out.set_index(["scenario", "metric", "group"]).index.map(n).to_numpy(int)
    out["direction"] = out["metric"].map(lambda m: _DIRECTION_NAME[direction[m]])
    return out[RANKING_COLUMNS]


def _scenario_rows(summary: pd.DataFrame, scenario: str | None) -> pd.DataFrame:
    if scenario is not None:
        return summary[summary["scenario"] == scenario]
    if summary["scenario"].nunique() > 1:
        return summary[summary["scenario"] == summary["scenario"].iloc[0]]
    return summary


def headline_columns(lang: str = "en") -> tuple[tuple[str, str, str], ...]:
    """``(metric, group, column title)`` of the headline table: the short label and which way is better."""
    from .. import labels as L
    from ..outcomes import headline_outcomes

    return tuple((o.metric, o.group, f"{o.text(lang, short=True)} {L.arrow(o.direction)}".strip())
                 for o in headline_outcomes())


def headline(summary: pd.DataFrame, metrics: tuple[tuple[str, str, str], ...] | None = None,
             scenario: str | None = None, lang: str = "en",
             best: dict[tuple[str, str, str], set[str]] | None = None, mark: str = "") -> pd.DataFrame:
    """A compact policy x metric table of ``estimate (MCSE)`` strings for printing.

    Parameters
    ----------
    summary : DataFrame
        :func:`summarize` output.
    metrics : tuple of (metric, group, column title), optional
        Default :func:`headline_columns`: objectivity, the Sangat Baik share,
        agreement, fairness, burden and the true-performance gain from
        feedback and training, each title with ``↑`` (higher is
        better), ``↓`` (lower) or ``→0`` (closer to 0).
    scenario : str, optional
        Default: the first scenario.
    lang : {"en", "id"}
        Number format (decimal comma in Indonesian) and titles.
    best : mapping, optional
        ``(scenario, metric, group) -> best set`` (:func:`asnsim.experiment.verdict.best_sets`);
        with ``mark``, the cells of the best set end with ``mark``.
    mark : str
        E.g. ``" *"``.

    Returns
    -------
    DataFrame
        Index ``policy``; shares in percent.
    """
    from .. import labels as L
    from ..outcomes import outcome

    metrics = metrics or headline_columns(lang)
    sub = _scenario_rows(summary, scenario)
    scen = sub["scenario"].iloc[0] if len(sub) else None
    policies = list(dict.fromkeys(sub["policy"]))
    table = pd.DataFrame(index=pd.Index(policies, name=L.text("policy", lang)))
    for metric, group, title in metrics:
        rows = sub[(sub["metric"] == metric) & (sub["group"].astype(str) == group)].set_index("policy")
        if rows.empty:
            continue
        rows = rows.reindex(policies)
        o = outcome(metric, group)
        top = (best or {}).get((scen, metric, group), set())
        table[title] = [_fmt_est(e, m, o, lang) + (mark if mark and p in top else "")
                        for p, e, m in zip(policies, rows["estimate"], rows["mcse"])]
    return table


def headline_best(summary: pd.DataFrame, best: dict[tuple[str, str, str], set[str]],
                  metrics: tuple[tuple[str, str, str], ...] | None = None, scenario: str | None = None,
                  lang: str = "en") -> pd.DataFrame:
    """Booleans shaped like :func:`headline`: True where the policy is in the outcome's best set."""
    table = headline(summary, metrics, scenario, lang)
    sub = _scenario_rows(summary, scenario)
    scen = sub["scenario"].iloc[0] if len(sub) else None
    out = pd.DataFrame(False, index=table.index, columns=table.columns)
    for metric, group, title in metrics or headline_columns(lang):
        if title in out.columns:
            out[title] = [p in best.get((scen, metric, group), set()) for p in out.index]
    return out


def predikat_table(summary: pd.DataFrame, scenario: str | None = None, lang: str = "en") -> pd.DataFrame:
    """The predikat distribution by policy: percent of employees in each predikat, best first.

    Each cell is the mean share over replicates (``share_predikat`` rows of the summary), in percent, with its
    Monte Carlo SE in brackets; rows are policies, columns the five predikat from Sangat Baik down.
    """
    from .. import columns as C
    from .. import labels as L

    sub = _scenario_rows(summary[(summary["metric"] == "share_predikat")], scenario)
    policies = list(dict.fromkeys(sub["policy"]))
    table = pd.DataFrame(index=pd.Index(policies, name=L.text("policy", lang)))
    for label in reversed(C.PREDIKAT_ORDER):
        rows = sub[sub["group"] == label].set_index("policy").reindex(policies)
        table[label] = [(L.NA[lang] if not np.isfinite(e) else
                         L.number(100 * e, 1, lang) + (f" ({L.number(100 * m, 1, lang)})"
                                                       if np.isfinite(m) and m > 0 else ""))
                        for e, m in zip(rows["estimate"], rows["mcse"])]
    return table


def _fmt_est(est: float, mcse: float, o=None, lang: str = "en") -> str:
    from .. import labels as L

    if not np.isfinite(est):
        return L.NA[lang]
    pct = o is not None and o.percent
    digits = o.decimals if o is not None else 3
    scale = 100.0 if pct else 1.0
    text = L.number(scale * est, digits, lang) + ("%" if pct else "")
    if not np.isfinite(mcse) or mcse == 0:
        return text
    return f"{text} ({L.number(scale * mcse, digits, lang)})"


__all__ = ["PAIRED_COLUMNS", "RANKING_COLUMNS", "SUMMARY_COLUMNS", "check_reference", "headline",
           "headline_best", "headline_columns", "paired_differences", "paired_scenarios", "predikat_table",
           "rank_policies", "summarize"]
