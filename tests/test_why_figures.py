"""The waterfall and Sobol' bar figures draw what the tables say."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from asnsim.why.figures import BAD, GOOD, sobol_bars, waterfall

SHAPLEY = pd.DataFrame({
    "provision": ["quota", "matrix", "raters", "total"], "metric": "spearman",
    "estimate": [-0.02, 0.05, 0.003, 0.033], "ci_low": [-0.025, 0.045, 0.001, 0.03],
    "ci_high": [-0.015, 0.055, 0.005, 0.036]})


def _bars(fig):
    return [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]


def test_waterfall_floats_each_provision_from_the_running_total_largest_first():
    fig = waterfall(SHAPLEY, "spearman", start=0.5, start_label="A", end_label="B", direction=1)
    bars = _bars(fig)
    assert [round(b.get_height(), 6) for b in bars] == [0.05, -0.02, 0.003]
    assert [round(b.get_y(), 6) for b in bars] == [0.5, 0.55, 0.53]
    colours = [tuple(np.round(b.get_facecolor()[:3], 3)) for b in bars]
    from matplotlib.colors import to_rgb
    assert colours == [tuple(np.round(to_rgb(c), 3)) for c in (GOOD, BAD, GOOD)]
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["A", "matrix", "quota", "raters", "B"]


def test_waterfall_lower_is_better_swaps_colours_and_speaks_indonesian():
    fig = waterfall(SHAPLEY, "spearman", start=0.5, direction=-1, lang="id", labels={"quota": "kuota"})
    from matplotlib.colors import to_rgb
    assert tuple(_bars(fig)[0].get_facecolor()[:3]) == pytest.approx(to_rgb(BAD))
    assert "Apa yang menggeser" in fig._suptitle.get_text()
    assert "kuota" in [t.get_text() for t in fig.axes[0].get_xticklabels()]
    with pytest.raises(KeyError, match="icc1"):
        waterfall(SHAPLEY, "icc1", start=0.0)


def test_sobol_bars_sorted_by_total_index():
    table = pd.DataFrame({"parameter": ["a", "b", "c"], "metric": "y", "S1": [0.1, 0.5, np.nan],
                          "S1_conf": [0.02, 0.05, np.nan], "ST": [0.2, 0.6, np.nan], "ST_conf": [0.03, 0.04, np.nan]})
    fig = sobol_bars(table, "y", labels={"b": "favouritism"})
    ax = fig.axes[0]
    height = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks())}
    assert sorted(height, key=height.get, reverse=True) == ["favouritism", "a", "c"]  # the largest total on top
    widths = sorted(round(p.get_width(), 6) for p in _bars(fig))
    assert widths == [0.0, 0.0, 0.1, 0.2, 0.5, 0.6]
