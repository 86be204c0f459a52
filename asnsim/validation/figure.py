"""The validation figure: observed vs simulated predikat distribution, one panel per regime."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..plots import PREDIKAT_COLOURS
from .reference import PREDIKAT

_TEXT = {
    "en": {"observed": "observed", "simulated": "simulated (±2 MCSE)", "share": "% of employees",
           "none": "no observed numbers:\n'the great majority\nBaik or better'",
           "title": "Predikat: observed national record vs the simulated '{scenario}' world"},
    "id": {"observed": "data nasional", "simulated": "simulasi (±2 MCSE)", "share": "% pegawai",
           "none": "tidak ada angka:\n'sebagian besar\nBaik ke atas'",
           "title": "Predikat: data nasional vs dunia simulasi '{scenario}'"},
}
_REGIME_TITLE = {"permenpan-6-2022": "PermenPAN-RB 6/2022 (2022-2024)", "pp-30-2019": "PP 30/2019",
                 "pp-46-2011": "PP 46/2011"}


def _fmt(v: float) -> str:
    return "" if not np.isfinite(v) else (f"{v:.2f}" if v < 1 else f"{v:.1f}")


def validation_figure(table: pd.DataFrame, lang: str = "en", title: str | None = None,
                      scenario: str = "default") -> Figure:
    """Horizontal bars of observed and simulated percent per predikat, one panel per regime.

    Parameters
    ----------
    table : DataFrame
        :func:`asnsim.validation.validation_table` output (``regime, predikat,
        observed, simulated, mcse``).
    lang : {"en", "id"}
        Language of the labels (predikat names stay Indonesian).
    title : str, optional
        Overrides the default title.
    scenario : str
        The simulated scenario's name, for the default title.

    Returns
    -------
    matplotlib.figure.Figure
        Values are printed beside every bar, so the tails (a tenth of a
        percent) can be read although their bars are invisible.

    Examples
    --------
    >>> t = pd.DataFrame({"regime": "permenpan-6-2022", "predikat": list(PREDIKAT),
    ...                   "observed": [11.3, 88.5, 0.11, 0.06, 0.1], "simulated": [11, 88.6, 0.2, 0.1, 0.1],
    ...                   "mcse": 0.1})
    >>> len(validation_figure(t).axes)
    1
    """
    txt = _TEXT.get(lang, _TEXT["en"])
    regimes = list(dict.fromkeys(table["regime"]))
    fig = Figure(figsize=(4.2 * len(regimes), 3.6), layout="constrained")
    axes = fig.subplots(1, len(regimes), sharey=True, squeeze=False)[0]
    y = np.arange(len(PREDIKAT))
    h = 0.38
    for ax, regime in zip(axes, regimes):
        sub = table[table["regime"] == regime].set_index("predikat").reindex(list(PREDIKAT))
        obs, sim, se = (sub[c].to_numpy(float) for c in ("observed", "simulated", "mcse"))
        has_obs = np.isfinite(obs).any()
        if has_obs:
            b = ax.barh(y - h / 2, np.nan_to_num(obs), height=h, color="0.35", label=txt["observed"])
            ax.bar_label(b, labels=[_fmt(v) for v in obs], padding=2, fontsize=8)
        else:
            ax.text(0.97, 0.55, txt["none"], transform=ax.transAxes, ha="right", va="center", fontsize=8,
                    color="0.35")
        colours = list(PREDIKAT_COLOURS[::-1])
        b = ax.barh(y + (h / 2 if has_obs else 0), sim, height=h, color=colours, label=txt["simulated"],
                    xerr=2 * np.nan_to_num(se), error_kw={"ecolor": "0.2", "capsize": 2, "lw": 0.8})
        ax.bar_label(b, labels=[_fmt(v) for v in sim], padding=2, fontsize=8)
        ax.set_xlim(0, 112)
        ax.set_xlabel(txt["share"])
        ax.set_title(_REGIME_TITLE.get(regime, regime), fontsize=10)
        ax.grid(axis="x", color="0.9")
        ax.set_axisbelow(True)
    axes[0].set_yticks(y, list(PREDIKAT))
    axes[0].invert_yaxis()
    handles, labels = axes[0].get_legend_handles_labels()
    axes[0].legend(handles, labels, loc="lower right", fontsize=8)
    fig.suptitle(title if title is not None else txt["title"].format(scenario=scenario), fontsize=11)
    return fig
