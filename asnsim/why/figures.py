"""Figures of the two "why" answers: a waterfall per outcome and Sobol' bars per outcome.

Each draws on a fresh :class:`asnsim.plots.Figure` (no pyplot state; it shows itself as a PNG in Jupyter),
returns it, and labels in English (``lang="en"``) or Bahasa Indonesia (``lang="id"``, decimal commas).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from ..plots import Figure, localize
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


def _wrap(title: str, inches: float) -> str:
    """A title broken into lines that fit a figure ``inches`` wide (about 11 characters an inch at 10 pt)."""
    import textwrap

    return "\n".join(textwrap.wrap(title, max(20, int(11 * inches))))


def text(key: str, lang: str = "en", **fmt) -> str:
    """A label in the requested language (English when a translation is missing)."""
    entry = TEXT[key]
    return entry.get(lang, entry["en"]).format(**fmt)


def waterfall(shapley: pd.DataFrame, metric: str, start: float, start_label: str = "A", end_label: str = "B",
              direction: int = 0, labels: Mapping[str, str] | None = None, metric_label: str | None = None,
              lang: str = "en", percent: bool = False, decimals: int = 3) -> Figure:
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
    percent : bool
        The outcome is a share: values as percentages, contributions in percentage points.
    decimals : int
        Decimals of the labels (of the percentage when ``percent``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import FuncFormatter

    from .. import labels as L

    rows = shapley[shapley["metric"] == metric]
    if rows.empty:
        raise KeyError(f"no Shapley values for metric {metric!r}")
    total = rows[rows["provision"] == TOTAL]
    parts = rows[rows["provision"] != TOTAL]
    parts = parts.iloc[np.argsort(-np.abs(parts["estimate"].to_numpy(float)), kind="stable")]
    end = start + float(total["estimate"].iloc[0]) if len(total) else start + float(parts["estimate"].sum())
    width = max(6.5, 1.1 * (len(parts) + 2))
    fig = Figure(figsize=(width, 4.2), layout="constrained")
    ax = fig.add_subplot()
    scale = 100.0 if percent else 1.0
    level = _floating_bars(ax, parts, start, direction, lambda v: L.number(scale * v, decimals, lang, signed=True)
                           if round(scale * v, decimals) != 0 else "")
    ax.plot([len(parts) + 0.3, len(parts) + 0.7], [level, level], color=LEVEL, lw=0.6, ls=":")
    for x, level_value in ((0, start), (len(parts) + 1, end)):
        ax.plot([x - 0.3, x + 0.3], [level_value, level_value], color=LEVEL, lw=3)
        ax.annotate(L.number(scale * level_value, decimals, lang) + ("%" if percent else ""), (x, level_value),
                    textcoords="offset points", xytext=(0, 5), ha="center", fontsize=9, fontweight="bold")
    names = [start_label, *(dict(labels or {}).get(p, p) for p in parts["provision"]), end_label]
    crowded = max(len(x) for x in names) * len(names) > 9 * width
    ax.set_xticks(range(len(names)), names, rotation=25 if crowded else 0, ha="right" if crowded else "center",
                  rotation_mode="anchor")
    name = metric_label or metric
    ax.set_ylabel(name + (" (%)" if percent else ""))
    if percent:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: L.number(100 * v, max(0, decimals - 1), lang)))
    fig.suptitle(_wrap(text("waterfall_title", lang, metric=name, start=start_label, end=end_label), width),
                 fontsize=10)
    ax.set_title(text("waterfall_note", lang), fontsize=7.5, color="#555")
    ax.use_sticky_edges = False
    ax.margins(x=0.04, y=0.15)
    ax.spines[["top", "right"]].set_visible(False)
    if not percent:
        localize(fig, lang)
    return fig


def _floating_bars(ax, parts: pd.DataFrame, start: float, direction: int, label) -> float:
    """One bar per provision from the running total, its interval at the end, dotted links; returns the end."""
    level = start
    for i, row in enumerate(parts.itertuples(index=False), start=1):
        est = float(row.estimate)
        if not np.isfinite(est):
            continue
        colour = NEUTRAL if not direction else (GOOD if est * direction > 0 else BAD)
        ax.bar(i, est, bottom=level, color=colour, width=0.6)
        lo, hi = float(row.ci_low), float(row.ci_high)
        edge = est  # the label goes beyond the bar's end and its interval's cap, so neither line crosses it
        if np.isfinite(lo) and np.isfinite(hi):
            ax.errorbar(i, level + est, yerr=[[est - lo], [hi - est]], color="black", capsize=3, lw=1)
            edge = max(est, hi) if est >= 0 else min(est, lo)
        if label(est):  # nothing to read on a bar too small to see
            ax.annotate(label(est), (i, level + edge), textcoords="offset points", xytext=(0, 4 if est >= 0 else -12),
                        ha="center", fontsize=8)
        ax.plot([i - 0.7, i - 0.3], [level, level], color=LEVEL, lw=0.6, ls=":")
        level += est
    return level


def _rows_of(sobol: pd.DataFrame, metric: str) -> pd.DataFrame:
    rows = sobol[sobol["metric"] == metric]
    if rows.empty:
        raise KeyError(f"no Sobol indices for metric {metric!r}")
    return rows


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
    rows = _rows_of(sobol, metric)
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
    ax.set_title(_wrap(text("sobol_title", lang, metric=metric_label or metric), 6.5), fontsize=10)
    fig.legend(fontsize=8, loc="outside lower center", ncols=2, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    localize(fig, lang)
    return fig


def sensitivity_heatmap(sobol: pd.DataFrame, metric: str, labels: Mapping[str, str] | None = None,
                        metric_label: str | None = None, lang: str = "en") -> Figure:
    """Policies (rows) by behaviours (columns): each cell the total index ``ST`` of one outcome, a row's leader in bold.

    Parameters
    ----------
    sobol : DataFrame
        ``policy, parameter, metric, ST`` (the comparison mode's table).
    metric : str
        The outcome to draw.
    labels : mapping, optional
        Display names of parameters.

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = _rows_of(sobol, metric)
    grid = rows.pivot_table(index="policy", columns="parameter", values="ST", sort=False, dropna=False)
    grid = grid.loc[:, (grid.fillna(0) > 0.005).any(axis=0)]  # behaviours that matter somewhere
    grid = grid[grid.max(axis=0).sort_values(ascending=False).index] if grid.shape[1] else grid
    labels = dict(labels or {})
    width = max(5.5, 1.8 + 0.75 * grid.shape[1])
    fig = Figure(figsize=(width, 1.6 + 0.42 * len(grid)), layout="constrained")
    ax = fig.add_subplot()
    values = grid.to_numpy(float)  # written in each cell as estimated (no colour bar needed); colour saturates at 0, 1
    ax.imshow(np.clip(np.nan_to_num(values), 0, 1), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for (i, j), v in np.ndenumerate(values):
        lead = np.isfinite(v) and v == np.nanmax(values[i])
        shown = f"{v:.2f}".replace(".", "," if lang == "id" else ".")
        ax.text(j, i, "n/a" if not np.isfinite(v) else shown, ha="center", va="center", fontsize=7,
                color="white" if np.isfinite(v) and v > 0.55 else "black", fontweight="bold" if lead else "normal")
    ax.set_xticks(range(grid.shape[1]), [labels.get(c, c) for c in grid.columns], rotation=35, ha="right",
                  fontsize=7)
    ax.set_yticks(range(len(grid)), list(grid.index), fontsize=8)
    ax.set_title(_wrap(text("sobol_title", lang, metric=metric_label or metric) + " (ST)", width), fontsize=10)
    localize(fig, lang)
    return fig


__all__ = ["sensitivity_heatmap", "sobol_bars", "text", "waterfall"]
