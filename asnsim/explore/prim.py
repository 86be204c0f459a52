"""Scenario discovery with PRIM: which ranges of rater behaviour make a design fail.

The Patient Rule Induction Method (Friedman & Fisher 1999) as scenario
discovery uses it (Bryant & Lempert 2010) and as EMA workbench implements it
(Kwakkel 2017; ``ema_workbench.analysis.prim``, whose defaults this follows
and against which it is tested): starting from the box holding every world,
*peel* repeatedly the slice (a ``peel_alpha`` quantile off one end of one
numeric dimension, or one category) whose removal raises the share of cases
of interest fastest per case removed (EMA's "lenient 1" objective), while the
box keeps at least ``mass_min`` of the worlds; then *paste* back slices that
raise the share.  Each step is a point of the *peeling trajectory*:

- coverage: the box's cases of interest / all cases of interest;
- density: the box's cases of interest / the box's worlds;
- mass: the box's worlds / all worlds;
- restricted dimensions, and quasi p-values (one-sided binomial tests of
  each restriction, Bryant & Lempert 2010).

A box is chosen on the trajectory: the one with the highest coverage among
those with density at least ``threshold`` (default 0.8; ties: the denser),
else the densest.

Why not a package: PRIM on PyPI (``prim``) is GPL-3.0, which an Apache-2.0
package cannot depend on; ema-workbench (BSD) imports about 2,600 modules
(~5 s) and warns at import about optional parts.  The tests cross-check this
implementation's trajectory against ema-workbench's on the same data.

References
----------
Friedman, J. H. & Fisher, N. I. (1999). Bump hunting in high-dimensional data.
*Statistics and Computing* 9:123-143.
Bryant, B. P. & Lempert, R. J. (2010). Thinking inside the box: a
participatory, computer-assisted approach to scenario discovery.
*Technological Forecasting and Social Change* 77:34-49.
Kwakkel, J. H. (2017). The Exploratory Modeling Workbench. *Environmental
Modelling & Software* 96:239-250.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DesignError

TRAJECTORY_COLUMNS = ["step", "coverage", "density", "mass", "res_dim", "n", "k"]
BOX_COLUMNS = ["box", "uncertainty", "lower", "upper", "categories", "qp_lower", "qp_upper", "coverage",
               "density", "mass"]


def quantile(data: np.ndarray, q: float) -> float:
    """The sdtoolkit quantile PRIM peels at (EMA workbench's ``get_quantile``): ties are stepped over.

    Examples
    --------
    >>> quantile(np.arange(10.0), 0.05), quantile(np.arange(10.0), 0.95)
    (0.5, 8.5)
    """
    data = np.sort(np.asarray(data, float))
    i = (len(data) - 1) * q
    lo, hi = int(math.floor(i)), int(math.ceil(i))
    if q > 0.5:
        while data[lo] == data[hi] and lo > 0:
            lo -= 1
    else:
        while data[lo] == data[hi] and hi < len(data) - 1:
            hi += 1
    return float((data[lo] + data[hi]) / 2)


@dataclass
class Box:
    """Limits of a box: ``[lower, upper]`` per numeric dimension, allowed categories per categorical one."""

    lower: np.ndarray
    upper: np.ndarray
    allowed: list[np.ndarray] = field(default_factory=list)  # boolean mask over each categorical's codes

    def copy(self) -> "Box":
        return Box(self.lower.copy(), self.upper.copy(), [a.copy() for a in self.allowed])


class Prim:
    """PRIM on worlds ``x`` (numeric and categorical columns) and a boolean outcome ``y`` (cases of interest).

    Parameters
    ----------
    x : DataFrame
        One row per world; numeric columns are peeled by quantiles, others by category.
    y : array of bool
        True where the case of interest occurs (the design fails a requirement).
    threshold : float
        Density a chosen box should reach (see the module notes).
    peel_alpha, paste_alpha, mass_min : float
        As in EMA workbench (0.05, 0.05, 0.05).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = pd.DataFrame({"a": rng.random(400), "b": rng.random(400)})
    >>> p = Prim(x, (x.a > 0.7).to_numpy())
    >>> box = p.box_table()
    >>> box.uncertainty.tolist(), bool(box.lower.iloc[0] > 0.6), bool(box.density.iloc[0] > 0.9)
    (['a'], True, True)
    """

    def __init__(self, x: pd.DataFrame, y: np.ndarray, threshold: float = 0.8, peel_alpha: float = 0.05,
                 paste_alpha: float = 0.05, mass_min: float = 0.05):
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(x):
            raise DesignError(f"PRIM: y must be one value per world ({len(x)}), got shape {y.shape}")
        if len(x) < 2 or x.shape[1] == 0:
            raise DesignError("PRIM: needs at least two worlds and one uncertainty")
        if not (0 < peel_alpha < 0.5 and 0 < paste_alpha < 0.5 and 0 < mass_min < 1):
            raise DesignError("PRIM: peel_alpha and paste_alpha must be in (0, 0.5), mass_min in (0, 1)")
        self.y = y.astype(bool).astype(float)
        numeric = [c for c in x.columns if pd.api.types.is_numeric_dtype(x[c]) and not pd.api.types.is_bool_dtype(x[c])]
        self.numeric = numeric
        self.categorical = [c for c in x.columns if c not in numeric and x[c].nunique() > 1]
        self.xn = x[numeric].to_numpy(float)
        cats = [pd.Categorical(x[c]) for c in self.categorical]
        self.levels = [list(c.categories) for c in cats]
        self.xc = np.column_stack([c.codes for c in cats]) if cats else np.zeros((len(x), 0), int)
        self.threshold, self.peel_alpha, self.paste_alpha, self.mass_min = threshold, peel_alpha, paste_alpha, mass_min
        self.n, self.total = len(x), float(self.y.sum())
        self.init = Box(self.xn.min(axis=0), self.xn.max(axis=0), [np.ones(len(lv), bool) for lv in self.levels])
        self.boxes: list[Box] = []
        self.members: list[np.ndarray] = []
        self._run()

    # -- geometry ---------------------------------------------------------------------------------------------------
    def _inside(self, box: Box, rows: np.ndarray | None = None) -> np.ndarray:
        idx = np.arange(self.n) if rows is None else rows
        xn = self.xn[idx]
        ok = np.all((xn >= box.lower) & (xn <= box.upper), axis=1)
        for j, allowed in enumerate(box.allowed):
            ok &= allowed[self.xc[idx, j]]
        return idx[ok]

    def _res_dim(self, box: Box) -> int:
        num = np.sum((box.lower != self.init.lower) | (box.upper != self.init.upper))
        return int(num + sum(not a.all() for a in box.allowed))

    def _objective(self, old: np.ndarray, new: np.ndarray) -> float:
        """EMA's lenient 1: gain in mean per case removed (or added)."""
        m_old = self.y[old].mean()
        m_new = self.y[new].mean() if len(new) else 0.0
        if m_old == m_new or len(old) == len(new):
            return 0.0
        return float((m_new - m_old) / abs(len(old) - len(new)))

    # -- peeling and pasting -----------------------------------------------------------------------------------------
    def _peels(self, box: Box, rows: np.ndarray) -> list[tuple[np.ndarray, Box]]:
        out = []
        for j in range(self.xn.shape[1]):
            xj = self.xn[rows, j]
            for upper in (True, False):
                q = quantile(xj, 1 - self.peel_alpha if upper else self.peel_alpha)
                new = box.copy()
                if upper:
                    new.upper[j], keep = q, xj <= q
                else:
                    new.lower[j], keep = q, xj >= q
                out.append((rows[keep], new))
        for j, allowed in enumerate(box.allowed):
            if allowed.sum() > 1:
                for code in np.flatnonzero(allowed):
                    new = box.copy()
                    new.allowed[j][code] = False
                    out.append((rows[self.xc[rows, j] != code], new))
        return out

    def _pastes(self, box: Box) -> list[tuple[np.ndarray, Box]]:
        out = []
        for j in range(self.xn.shape[1]):
            if box.lower[j] == self.init.lower[j] and box.upper[j] == self.init.upper[j]:
                continue
            for lower in (True, False):
                slab = box.copy()
                if lower:
                    slab.lower[j], slab.upper[j] = self.init.lower[j], box.lower[j]
                else:
                    slab.lower[j], slab.upper[j] = box.upper[j], self.init.upper[j]
                data = self.xn[self._inside(slab), j]
                new = box.copy()
                if lower:
                    new.lower[j] = quantile(data, 1 - self.paste_alpha) if len(data) else self.init.lower[j]
                else:
                    new.upper[j] = quantile(data, self.paste_alpha) if len(data) else self.init.upper[j]
                out.append((self._inside(new), new))
        for j, allowed in enumerate(box.allowed):
            for code in np.flatnonzero(~allowed):
                new = box.copy()
                new.allowed[j][code] = True
                out.append((self._inside(new), new))
        return out

    def _best(self, rows: np.ndarray, candidates: list[tuple[np.ndarray, Box]]) -> tuple[float, np.ndarray, Box]:
        """The candidate with the highest objective; ties: fewer restricted dimensions, then the first."""
        best = None
        for new_rows, new_box in candidates:
            key = (self._objective(rows, new_rows), -self._res_dim(new_box))
            if best is None or key > best[0]:
                best = (key, new_rows, new_box)
        return best[0][0], best[1], best[2]

    def _record(self, box: Box, rows: np.ndarray) -> None:
        self.boxes.append(box)
        self.members.append(rows)

    def _run(self) -> None:
        box, rows = self.init.copy(), np.arange(self.n)
        self._record(box, rows)
        while True:  # peeling
            candidates = self._peels(box, rows)
            if not candidates:
                break
            obj, new_rows, new_box = self._best(rows, candidates)
            if len(new_rows) / self.n >= self.mass_min and len(new_rows) < len(rows) and obj > 0:
                box, rows = new_box, new_rows
                self._record(box, rows)
            else:
                break
        while True:  # pasting
            candidates = self._pastes(box)
            if not candidates:
                break
            obj, new_rows, new_box = self._best(rows, candidates)
            grows = len(new_rows) > len(rows) and self.y[new_rows].mean() > self.y[rows].mean()
            if len(new_rows) / self.n >= self.mass_min and grows and obj > 0:
                box, rows = new_box, new_rows
                self._record(box, rows)
            else:
                break

    # -- results -----------------------------------------------------------------------------------------------------
    @property
    def trajectory(self) -> pd.DataFrame:
        """Coverage, density, mass and restricted dimensions of every box on the peeling/pasting trajectory."""
        rows = []
        for i, (box, members) in enumerate(zip(self.boxes, self.members)):
            k = float(self.y[members].sum())
            rows.append((i, k / self.total if self.total else np.nan, k / len(members), len(members) / self.n,
                         self._res_dim(box), len(members), int(k)))
        return pd.DataFrame(rows, columns=TRAJECTORY_COLUMNS)

    def choose(self) -> int:
        """Step of the chosen box: highest coverage with density >= threshold (ties: denser), else the densest."""
        t = self.trajectory
        ok = t[t["density"] >= self.threshold]
        if len(ok):
            ok = ok.sort_values(["coverage", "density", "res_dim"], ascending=[False, False, True], kind="stable")
            return int(ok["step"].iloc[0])
        return int(t.sort_values(["density", "coverage"], ascending=False, kind="stable")["step"].iloc[0])

    def _quasi_p(self, box: Box, members: np.ndarray, widen: Box) -> float:
        from scipy.stats import binomtest

        rows = self._inside(widen)
        p = self.y[rows].mean()
        return float(binomtest(int(self.y[members].sum()), len(members), p, alternative="greater").pvalue)

    def box_table(self, step: int | None = None) -> pd.DataFrame:
        """The restricted dimensions of a box on the trajectory (default: :meth:`choose`), with quasi p-values."""
        step = self.choose() if step is None else int(step)
        box, members = self.boxes[step], self.members[step]
        stats = self.trajectory.iloc[step]
        rows = []
        for j, name in enumerate(self.numeric):
            qp = []
            for end in ("lower", "upper"):
                if getattr(box, end)[j] == getattr(self.init, end)[j]:
                    qp.append(np.nan)
                    continue
                widen = box.copy()
                getattr(widen, end)[j] = getattr(self.init, end)[j]
                qp.append(self._quasi_p(box, members, widen))
            if not all(np.isnan(qp)):
                rows.append((step, name, box.lower[j], box.upper[j], "", qp[0], qp[1]))
        for j, name in enumerate(self.categorical):
            if not box.allowed[j].all():
                widen = box.copy()
                widen.allowed[j][:] = True
                kept = ",".join(str(self.levels[j][c]) for c in np.flatnonzero(box.allowed[j]))
                rows.append((step, name, np.nan, np.nan, kept, self._quasi_p(box, members, widen), np.nan))
        out = pd.DataFrame(rows, columns=BOX_COLUMNS[:7])
        out["coverage"], out["density"], out["mass"] = stats["coverage"], stats["density"], stats["mass"]
        return out


__all__ = ["BOX_COLUMNS", "Box", "Prim", "TRAJECTORY_COLUMNS", "quantile"]
