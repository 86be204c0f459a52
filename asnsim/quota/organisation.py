"""The organisation-first step of PermenPAN-RB 6/2022 in a simulation: rules as written vs practice.

The policy holds the rule: the unit's predikat fixes its kurva distribusi
(``[[quota.rules]]``), the unit leader's hasil kerja equals the unit's
predikat (``quota.leader_rating``), and the policy's ``quota.unit_cutpoints``
say how a judge without leniency would spread units over the five unit
predikat.  The scenario holds practice (:class:`asnsim.scenario.QuotaPractice`):
how the next-higher leaders rate units in practice (``quota.unit_shares``),
the share of units that actually enforce their quotas
(``quota.compliance.share``) and who moves when one does
(``quota.compliance.mode``).  ``neutral`` applies the rule strictly (every
unit enforces, the policy's unit cutpoints); ``default`` reproduces practice
(docs/validation.md).

Which units enforce is drawn once per unit from the ``quota_compliance``
stream (:func:`asnsim.rng.stage_rng`), one uniform number per unit in sorted
unit order: a unit enforces when its number is below the share.  The stream
depends on the seed and the organisation only, so the same units enforce
under every policy (common random numbers), and raising the share only adds
units.

References
----------
SE MenPAN-RB No. 03 Tahun 2023 (kurva distribusi); PermenPAN-RB No. 6 Tahun
2022 (predikat kinerja organisasi and the unit leader's hasil kerja).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..policy import Quota
from ..scoring.arrays import positions
from . import _enforce, _factor_units

__all__ = ["unit_leaders", "draw_unit_predikat", "enforcing_units", "apply_organisation"]


def unit_leaders(employees: pd.DataFrame) -> np.ndarray:
    """True for each unit's leader: an employee whose supervisor is outside the unit (or is the kepala daerah)."""
    unit = pd.Series(employees[C.UNIT]).reset_index(drop=True)
    if not isinstance(unit.dtype, pd.CategoricalDtype):
        unit = unit.astype("category")
    code = unit.cat.codes.to_numpy()
    sup = positions(employees[C.SUPERVISOR_ID].to_numpy(), employees[C.EMPLOYEE_ID].to_numpy())
    same = (sup >= 0) & (code >= 0) & (code[np.maximum(sup, 0)] == code)
    return ~same


def draw_unit_predikat(employees: pd.DataFrame, quota: Quota, rng: np.random.Generator,
                       cutpoints: tuple[float, ...] | None = None) -> pd.DataFrame:
    """Each unit's predikat (the organisation's own rating), drawn for a simulation.

    With ``quota.unit_predikat = "draw"``:
    ``z_u = (m_u - mean(m)) / sd(m)`` where ``m_u`` is the unit's mean true
    performance, ``x_u = (z_u + e_u) / sqrt(1 + s^2)`` with
    ``e_u ~ N(0, s^2)``, ``s = quota.unit_noise_sd``, and ``x_u`` is cut at
    ``cutpoints`` (default ``quota.unit_cutpoints``; a scenario's
    ``quota.unit_shares`` replace them: practice) into Sangat Kurang, Kurang,
    Butuh Perbaikan, Baik, Istimewa.  This stands in for the next-higher
    leader's judgement of the unit (an assumption: no source says how units
    are rated).  Otherwise every unit gets ``quota.unit_predikat``.

    Returns
    -------
    DataFrame
        ``unit, unit_predikat, n`` (n: employees in the unit), one row per unit.
    """
    g = employees.groupby(C.UNIT, sort=True)[C.TRUE_PERFORMANCE]
    m = g.mean()
    n = g.size()
    noise = rng.standard_normal(len(m))  # drawn even for a fixed predikat, so streams stay aligned
    if quota.unit_predikat == "draw":
        sd = m.std(ddof=0)
        z = (m - m.mean()) / sd if sd > 0 else m * 0.0
        s = quota.unit_noise_sd
        x = (z.to_numpy() + s * noise) / np.sqrt(1.0 + s * s)
        cuts = np.asarray(quota.unit_cutpoints if cutpoints is None else cutpoints, dtype=float)
        up = np.asarray(C.UNIT_PREDIKAT_ORDER, dtype=object)[np.searchsorted(cuts, x, side="right")]
    else:
        up = np.full(len(m), quota.unit_predikat, dtype=object)
    return pd.DataFrame({C.UNIT: m.index.to_numpy(), C.UNIT_PREDIKAT: up, C.N: n.to_numpy()})


def enforcing_units(n_units: int, share: float, rng: np.random.Generator | None) -> np.ndarray:
    """Which of ``n_units`` units (in sorted unit order) enforce their quotas.

    One uniform number per unit from ``rng`` (the ``quota_compliance``
    stream); a unit enforces when its number is below ``share``.  With
    ``share = 1`` every unit enforces and nothing is drawn.

    Examples
    --------
    >>> enforcing_units(4, 1.0, None).tolist()
    [True, True, True, True]
    >>> int(enforcing_units(10_000, 0.25, np.random.default_rng(0)).sum())
    2524
    """
    if share >= 1:
        return np.ones(n_units, dtype=bool)
    if rng is None:
        raise ValueError("a compliance share below 1 needs the quota_compliance random stream")
    return rng.random(n_units) < share


def apply_organisation(policy, employees: pd.DataFrame, scores: pd.DataFrame,
                       rng: np.random.Generator, practice=None,
                       compliance_rng: np.random.Generator | None = None
                       ) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The organisation-first step of PermenPAN-RB 6/2022 on simulated scores.

    Draws each unit's predikat (:func:`draw_unit_predikat`, with the
    practice's unit shares when given), sets every unit leader's hasil kerja from it
    (``quota.leader_rating``), keeps the result as ``predikat_raw`` and, when
    ``quota.enabled``, enforces the kurva distribusi in the units that
    comply (:func:`enforcing_units`; leaders outside the quota when
    ``quota.exclude_leaders``), moving employees as the practice's
    ``compliance.mode`` says.  Policies scored by bands (PP 30, PP 46 and
    their cities) have no unit predikat: ``unit_predikat`` is missing and
    nothing moves.

    Parameters
    ----------
    practice : asnsim.scenario.QuotaPractice, optional
        The scenario's ``[quota]`` section (default: rules as written, every
        unit enforces, ``down-first``, the policy's unit cutpoints).
    compliance_rng : numpy.random.Generator, optional
        The ``quota_compliance`` stream; needed when the share is below 1.

    Returns
    -------
    scores : DataFrame
        With ``predikat`` (after enforcement) and ``predikat_raw``.
    units : DataFrame
        ``unit, unit_predikat, n`` plus, with quotas, ``n_quota, quota_status,
        quota_bound, n_moved``.
    summary : str
        One line on the quotas ("" when they are off).
    """
    from ..scenario import QuotaPractice
    from ..scoring.permenpan import apply_leader_rating

    practice = practice or QuotaPractice()
    units = draw_unit_predikat(employees, policy.quota, rng, practice.unit_cutpoints())
    scores = scores.copy()
    if policy.predikat.method != "matrix":
        units[C.UNIT_PREDIKAT] = None
        scores[C.PREDIKAT_RAW] = scores[C.PREDIKAT]
        return scores, units, ""
    pos = positions(scores[C.EMPLOYEE_ID].to_numpy(), employees[C.EMPLOYEE_ID].to_numpy())
    unit = pd.Series(employees[C.UNIT]).reset_index(drop=True).iloc[pos].reset_index(drop=True)
    if not isinstance(unit.dtype, pd.CategoricalDtype):
        unit = unit.astype("category")
    # each row's unit predikat, through the units' table (a missing unit or one not drawn: missing)
    up_code, up_names = pd.factorize(units[C.UNIT_PREDIKAT])
    of_cat = np.r_[pd.Index(units[C.UNIT]).get_indexer(unit.cat.categories), -1]
    row = of_cat[unit.cat.codes.to_numpy()]
    by_row = pd.Categorical.from_codes(np.where(row >= 0, np.r_[up_code, -1][row], -1), categories=up_names)
    leader = unit_leaders(employees)[pos]
    scores = apply_leader_rating(scores, leader, by_row, policy)
    scores[C.PREDIKAT_RAW] = scores[C.PREDIKAT]
    if not policy.quota.enabled:
        return scores, units, ""
    include = ~leader if policy.quota.exclude_leaders else None
    names, u, up_arr = _factor_units(unit, pd.Series(units[C.UNIT_PREDIKAT].to_numpy(),
                                                     index=units[C.UNIT].astype(str)))
    # one draw per unit of the units table (sorted, every unit of the organisation), then on to names
    comply = enforcing_units(len(units), practice.compliance.share, compliance_rng)
    enforcing = None
    if not comply.all():
        enforcing = pd.Series(comply, index=units[C.UNIT].astype(str)).reindex(names).fillna(True).to_numpy(bool)
    res = _enforce(scores, names, u, up_arr, policy.quota, include, "report", practice.compliance.mode, enforcing)
    scores[C.PREDIKAT] = res.predikat.array
    extra = res.units.drop(columns=[C.UNIT_PREDIKAT])
    units = units.assign(**{C.UNIT: units[C.UNIT].astype(str)}).merge(extra, on=C.UNIT, how="left")
    return scores, units, res.summary()
