"""Figures of the two "why" answers: a waterfall per outcome and Sobol' bars per outcome.

Both draw on a fresh :class:`matplotlib.figure.Figure` (no pyplot state, as :mod:`asnsim.plots`), return it,
and label in English (``lang="en"``) or Bahasa Indonesia (``lang="id"``).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .decomposition import TOTAL

#: better, worse, neither (colour-blind safe: blue, orange, grey)
GOOD, BAD, NEUTRAL = "#2166ac", "#e08214", "#8c8c8c"
LEVEL = "#404040"

TEXT: dict[str, dict[str, str]] = {
    "waterfall_title": {"en": "What moved {metric}: {start} to {end}",
                        "id": "Apa yang menggeser {metric}: {start} ke {end}"},
    "waterfall_note": {"en": "Shapley value of each provision (order-free); bars: 95% interval over replicates",
                       "id": "Nilai Shapley tiap ketentuan (tanpa urutan); garis: interval 95% antar-replikasi"},
    "sobol_title": {"en": "What {metric} depends on", "id": "Apa yang memengaruhi {metric}"},
    "first_order": {"en": "first-order S1 (alone)", "id": "orde pertama S1 (sendiri)"},
    "total_order": {"en": "total ST (with interactions)", "id": "total ST (dengan interaksi)"},
    "share_variance": {"en": "share of the outcome's variance (95% bootstrap interval)",
                       "id": "bagian ragam hasil (interval bootstrap 95%)"},
}


def text(key: str, lang: str = "en", **fmt) -> str:
    """A label in the requested language (English when a translation is missing)."""
    entry = TEXT[key]
    return entry.get(lang, entry["en"]).format(**fmt)


def waterfall(shapley: pd.DataFrame, metric: str, start: float, start_label: str = "A", end_label: str = "B",
              direction: int = 0, labels: Mapping[str, str] | None = None, metric_label: str | None = None,
              lang: str = "en") -> Figure:
    """A waterfall from A's value to B's: one floating bar per provision, its Shapley value, largest first.

    Parameters
    ----------
    shapley : DataFrame
        :meth:`asnsim.why.decomposition.Decomposition.shapley_table` (``provision, metric, estimate, ci_low,
        ci_high``; the ``total`` row gives B).
    metric : str
        The outcome to draw.
    start : float
        A's value (the empty coalition's estimate).
    start_label, end_label : str
        Names of A and B.
    direction : {1, -1, 0}
        Which way is better (colours: better blue, worse orange; 0 or unknown: grey).
    labels : mapping, optional
        Display names of provisions.
    metric_label : str, optional
        Display name of the outcome.
    lang : {"en", "id"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = shapley[shapley["metric"] == metric]
    if rows.empty:
        raise KeyError(f"no Shapley values for metric {metric!r}")
    total = rows[rows["provision"] == TOTAL]
    parts = rows[rows["provision"] != TOTAL]
    parts = parts.iloc[np.argsort(-np.abs(parts["estimate"].to_numpy(float)), kind="stable")]
    labels = dict(labels or {})
    end = start + float(total["estimate"].iloc[0]) if len(total) else start + float(parts["estimate"].sum())
    fig = Figure(figsize=(max(5.5, 1.1 * (len(parts) + 2)), 4.0), layout="constrained")
    ax = fig.add_subplot()
    level = start
    names = [start_label]
    for i, row in enumerate(parts.itertuples(index=False), start=1):
        est = float(row.estimate)
        colour = NEUTRAL if not direction or not np.isfinite(est) else (GOOD if est * direction > 0 else BAD)
        if np.isfinite(est):
            ax.bar(i, est, bottom=level, color=colour, width=0.6)
            lo, hi = float(row.ci_low), float(row.ci_high)
            if np.isfinite(lo) and np.isfinite(hi):
                ax.errorbar(i, level + est, yerr=[[est - lo], [hi - est]], color="black", capsize=3, lw=1)
            ax.annotate(f"{est:+.3g}", (i, level + est), textcoords="offset points",
                        xytext=(0, 4 if est >= 0 else -12), ha="center", fontsize=8)
            ax.plot([i - 0.7, i - 0.3], [level, level], color=LEVEL, lw=0.6, ls=":")
            level += est
        names.append(labels.get(row.provision, row.provision))
    ax.plot([len(parts) + 0.3, len(parts) + 0.7], [level, level], color=LEVEL, lw=0.6, ls=":")
    for x, value in ((0, start), (len(parts) + 1, end)):
        ax.plot([x - 0.3, x + 0.3], [value, value], color=LEVEL, lw=3)
        ax.annotate(f"{value:.3g}", (x, value), textcoords="offset points", xytext=(0, 5), ha="center",
                    fontsize=9, fontweight="bold")
    names.append(end_label)
    ax.set_xticks(range(len(names)), names, rotation=20 if len(names) > 5 else 0, ha="right" if len(names) > 5
                  else "center")
    name = metric_label or metric
    ax.set_ylabel(name)
    fig.suptitle(text("waterfall_title", lang, metric=name, start=start_label, end=end_label), fontsize=10)
    ax.set_title(text("waterfall_note", lang), fontsize=7.5, color="#555")
    ax.use_sticky_edges = False
    ax.margins(x=0.04, y=0.15)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def sobol_bars(sobol: pd.DataFrame, metric: str, labels: Mapping[str, str] | None = None,
               metric_label: str | None = None, lang: str = "en") -> Figure:
    """Horizontal bars of each parameter's first-order and total index for one outcome, largest total first.

    Parameters
    ----------
    sobol : DataFrame
        :data:`asnsim.why.sobol.SOBOL_COLUMNS`.
    metric : str
        The outcome to draw.
    labels : mapping, optional
        Display names of parameters.
    metric_label : str, optional
        Display name of the outcome.
    lang : {"en", "id"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = sobol[sobol["metric"] == metric]
    if rows.empty:
        raise KeyError(f"no Sobol indices for metric {metric!r}")
    rows = rows.iloc[np.argsort(-rows["ST"].fillna(-1).to_numpy(float), kind="stable")]
    labels = dict(labels or {})
    y = np.arange(len(rows))[::-1]
    fig = Figure(figsize=(6.5, 1.5 + 0.32 * len(rows)), layout="constrained")
    ax = fig.add_subplot()
    h = 0.38
    ax.barh(y + h / 2, rows["ST"].fillna(0), h, xerr=rows["ST_conf"].fillna(0), color=GOOD,
            label=text("total_order", lang), error_kw={"lw": 0.8, "capsize": 2})
    ax.barh(y - h / 2, rows["S1"].fillna(0), h, xerr=rows["S1_conf"].fillna(0), color="#92c5de",
            label=text("first_order", lang), error_kw={"lw": 0.8, "capsize": 2})
    ax.set_yticks(y, [labels.get(p, p) for p in rows["parameter"]], fontsize=8)
    ax.axvline(0, color=LEVEL, lw=0.6)
    hi = np.nanmax((rows["ST"] + rows["ST_conf"]).to_numpy(float)) if rows["ST"].notna().any() else 1.0
    ax.set_xlim(min(0.0, np.nanmin(rows["S1"].fillna(0) - rows["S1_conf"].fillna(0))), max(0.1, min(1.05, hi)) + 0.02)
    ax.set_xlabel(text("share_variance", lang), fontsize=8)
    ax.set_title(text("sobol_title", lang, metric=metric_label or metric), fontsize=10)
    fig.legend(fontsize=8, loc="outside lower center", ncols=2, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


__all__ = ["sobol_bars", "text", "waterfall"]
