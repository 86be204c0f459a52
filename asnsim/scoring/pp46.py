"""PP 46/2011 with Perka BKN 1/2013: the SKP per activity, 60/40 with perilaku, five bands.

Per activity (kegiatan tugas jabatan), from target and realisation:

- kuantitas ``= RO / TO * 100``; kualitas ``= RK / TK * 100``;
- waktu, with efficiency ``e = 100 - RW / TW * 100``::

      e <= 24:  (1.76 * TW - RW) / TW * 100
      e >  24:  76 - ((1.76 * TW - RW) / TW * 100 - 100)

  so finishing exactly on time scores 76, finishing 24% early scores 100, and
  anything earlier drops back below 76 (the rule jumps at 24%);
- biaya: the same rule with TB and RB (the denominator is the *target* TB),
  counted only when the activity has a cost target.

The activity score is the sum of its aspect scores over 3 (or 4 with biaya);
an activity with no output (RO = 0) scores 0.  The SKP score is the mean over
activities (and periods).  Perilaku kerja is the mean of the six aspects
(orientasi pelayanan, integritas, komitmen, disiplin, kerja sama,
kepemimpinan), kepemimpinan only for structural positions.  Final =
weights (0.6 SKP, 0.4 perilaku); bands >= 91 Sangat Baik, 76 Baik, 61 Cukup,
51 Kurang, below Buruk.

Public implementations get the waktu rule wrong in three known ways
(DOMAIN.md s.2): ``1.76 * (TW - RW)``, a ``< 25`` test instead of ``<= 24``,
and RB instead of TB in the biaya denominator; ``tests/test_scoring_pp46.py``
shows each gives different numbers.

Worked example: kuantitas 100, kualitas 90, waktu 76, biaya 76 ->
(100 + 90 + 76 + 76) / 4 = 85.50.

References
----------
PP No. 46 Tahun 2011 tentang Penilaian Prestasi Kerja PNS; Peraturan Kepala
BKN No. 1 Tahun 2013, lampiran (contoh perhitungan).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..policy import Policy
from . import banded_scores, component_value, indicator_table, item_table


def ratio_score(target, realisasi) -> np.ndarray:
    """Kuantitas or kualitas score: ``realisasi / target * 100``.

    >>> ratio_score(10, 9).item()
    90.0
    """
    t, r = np.asarray(target, dtype=float), np.asarray(realisasi, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t > 0, 100.0 * r / t, np.nan)


def efficiency_score(target, realisasi, factor: float = 1.76, threshold: float = 24.0) -> np.ndarray:
    """Waktu (or biaya) score by the Perka BKN 1/2013 efficiency rule.

    ``e = 100 - R/T*100``; ``e <= threshold``: ``(factor*T - R)/T*100``;
    otherwise ``76 - ((factor*T - R)/T*100 - 100)``.  A zero target gives NaN
    (the aspect is not appraised).

    Examples
    --------
    >>> efficiency_score([12, 12, 12], [12, 9.12, 0]).round(2).tolist()
    [76.0, 100.0, 0.0]
    """
    t, r = np.asarray(target, dtype=float), np.asarray(realisasi, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        eff = 100.0 - r / t * 100.0
        base = (factor * t - r) / t * 100.0
        out = np.where(eff <= threshold + 1e-12, base, 76.0 - (base - 100.0))
    return np.where(t > 0, out, np.nan)


def activity_scores(ind: pd.DataFrame, factor: float = 1.76, threshold: float = 24.0) -> pd.Series:
    """Score of every (employee, indicator, period) activity: the mean of its appraised aspects."""
    aspect = ind[C.ASPECT].to_numpy()
    t, r = ind[C.TARGET].to_numpy(dtype=float), ind[C.REALISASI].to_numpy(dtype=float)
    eff = np.isin(aspect, ("waktu", "biaya"))
    val = np.where(eff, efficiency_score(t, r, factor, threshold), ratio_score(t, r))
    key = [ind[C.EMPLOYEE_ID].to_numpy(), ind[C.INDICATOR].astype(str).to_numpy(),
           ind[C.PERIOD].astype(str).to_numpy()]
    frame = pd.DataFrame({"e": key[0], "i": key[1], "p": key[2], "v": val,
                          "zero": (aspect == "kuantitas") & (r == 0)})
    g = frame.groupby(["e", "i", "p"], sort=True)
    act = g["v"].mean()  # NaN aspects (no target, e.g. no biaya) are left out: /3 or /4
    act = act.where(~g["zero"].max(), 0.0)
    act.index = act.index.set_names([C.EMPLOYEE_ID, C.INDICATOR, C.PERIOD])
    return act


def skp_scores(ind: pd.DataFrame, factor: float = 1.76, threshold: float = 24.0) -> pd.Series:
    """Nilai SKP per employee: the mean of the activity scores."""
    return activity_scores(ind, factor, threshold).groupby(level=C.EMPLOYEE_ID).mean()


def score_pp46(policy: Policy, ratings: pd.DataFrame, employees: pd.DataFrame,
               indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score under PP 46/2011 (see the module docstring)."""
    rules = policy.rating
    ids = employees[C.EMPLOYEE_ID].to_numpy()
    out = pd.DataFrame({C.EMPLOYEE_ID: ids})
    final = np.zeros(len(ids))
    for cname, comp in policy.components.items():
        if comp.measure == "indicators":
            ind = indicator_table(indicators, policy, cname)
            value = skp_scores(ind, rules.waktu_factor, rules.efficiency_threshold).reindex(ids).to_numpy()
        else:
            sc = item_table(ratings, policy, cname, ids)
            drop = [c for c in rules.structural_only_items if c in sc.columns]
            if drop and C.POSITION_CLASS in employees.columns:
                structural = employees[C.POSITION_CLASS].isin(rules.structural_classes).to_numpy()
                sc.loc[~structural, drop] = np.nan
            value = component_value(sc, policy, cname).to_numpy()
        out[f"score_{cname}"] = value
        final += comp.weight * value
    return banded_scores(out, final, policy, employees)
