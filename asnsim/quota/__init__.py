"""Kurva distribusi: the quotas a unit's predikat puts on its employees' predikat.

SE MenPAN-RB 03/2023 ties the allowed distribution of employee predikat to the
unit's own predikat (DOMAIN.md s.2), e.g. a unit rated *Baik* may rate at most
70% of its employees Baik and must rate at least one Butuh Perbaikan or
Kurang.  The rules are data (``[[quota.rules]]`` in a policy file); this
module checks a distribution against them and enforces them.

Counting convention (an assumption documented in the policy files): a share
bound is met strictly, so a rule ``min_share = s`` needs at least
``ceil(s * n)`` employees and ``max_share = s`` allows at most
``floor(s * n)``, where ``n`` is the number of the unit's employees under the
quota.

Enforcement moves the fewest employees.  Within one unit predikat the rules'
predikat sets are disjoint (the policy validator checks it), so with ``E``
employees above the maximums and ``D`` missing from the minimums every
distribution meeting the quotas differs from the raw one in at least
``max(E, D)`` employees: each surplus employee must leave its set, each
missing one must arrive in its set, and one move does at most one of each.
The algorithm reaches that bound:

1. the surplus of each capped set leaves it, lowest-scoring first, and fills
   the deficits of the other sets (nearest deficit first); what is left goes
   to the nearest level below with room (above only when none below has
   room);
2. any deficit still open is filled from the nearest levels with employees to
   spare, above the set first (the lowest-scoring of a level above moves
   down), then below (the highest-scoring of a level below moves up).

This is mode ``down-first`` (the rule's intent); ``up-first`` plans the
mirror image and ``nearest`` splits a surplus by score
(:mod:`asnsim.quota._flows`).  Every mode moves the same, fewest, number of
employees.  Which units enforce at all is practice, not rule
(:mod:`asnsim.quota.organisation`): ``enforce_quotas(..., enforcing=)``
leaves the others at their raw predikat.

A rule's predikat set need not be contiguous: movers land on the set's level
nearest to where they come from.  The tests check the fewest-moves claim by
brute force over every distribution, for the built-in rows and for random
disjoint rule sets.

Within a level the movers are chosen in score order, so the lowest-scoring
Sangat Baik is the first to move down.  Everything is array arithmetic over
units (``units x 5`` counts and a ``units x 5 x 5`` flow matrix); the loops run
over rules and the five levels only.  Units whose quotas cannot be met (a
one-person unit rated Kurang needs one Kurang *and* one Butuh Perbaikan) keep
their raw predikat and are reported with status ``infeasible``; with
``on_infeasible="raise"`` a :class:`~asnsim.errors.QuotaInfeasible` names
the first such unit and its rules.

References
----------
SE MenPAN-RB No. 03 Tahun 2023 (kurva distribusi); PermenPAN-RB No. 6 Tahun
2022 (predikat kinerja organisasi and the unit leader's hasil kerja).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import QuotaInfeasible
from ..policy import Quota
from ..scoring.arrays import level_codes, text_column
from ._flows import LEVELS, MODES, N_LEVELS, Nearness, _assign, _counts, _Plan, _plan_flows, _violations, rule_bounds

__all__ = ["QuotaResult", "rule_bounds", "check_quotas", "enforce_quotas", "LEVELS", "MODES",
           "unit_leaders", "draw_unit_predikat", "apply_organisation"]


@dataclass(frozen=True)
class QuotaResult:
    """What :func:`enforce_quotas` returns.

    Attributes
    ----------
    predikat : Series
        Employee predikat after enforcement (same index as the input).
    units : DataFrame
        One row per unit: ``unit, unit_predikat, n_quota, quota_status``
        (``met``, ``enforced``, ``infeasible`` or ``not enforced``: the unit
        breaks a quota and does not enforce it), ``quota_bound`` (the rules
        the raw distribution broke, ``"; "``-joined, empty when none) and
        ``n_moved``.
    violations : DataFrame
        The raw distribution's violations (see :func:`check_quotas`).
    """

    predikat: pd.Series
    units: pd.DataFrame
    violations: pd.DataFrame

    def summary(self) -> str:
        """One line for people: how many units met, needed enforcement, could not meet their quotas."""
        st = self.units[C.QUOTA_STATUS].value_counts()
        text = (f"kurva distribusi: {int(st.get('met', 0))} units met their quotas, "
                f"{int(st.get('enforced', 0))} needed enforcement "
                f"({int(self.units[C.N_MOVED].sum())} employees moved), "
                f"{int(st.get('infeasible', 0))} cannot meet them")
        if st.get("not enforced", 0):
            text += f", {int(st['not enforced'])} break them without enforcing"
        bad = self.units.loc[self.units[C.QUOTA_STATUS] == "infeasible", C.UNIT]
        if len(bad):
            text += f" (kept raw: {', '.join(map(str, bad[:5]))}{', ...' if len(bad) > 5 else ''})"
        return text


def _factor_units(unit, unit_predikat) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unit names as str, each row's unit index, each unit's predikat) without per-row Python work.

    Units are named by ``str`` and sorted; a categorical ``unit`` is factorized through its categories.
    """
    unit = pd.Series(unit)
    if isinstance(unit.dtype, pd.CategoricalDtype) and (unit.cat.codes.to_numpy() >= 0).all():
        cats = unit.cat.codes.to_numpy()
        used = np.flatnonzero(np.bincount(cats, minlength=len(unit.cat.categories)))
        code, uniq = pd.factorize(pd.Series(unit.cat.categories[used]).astype(str), sort=True)
        of_cat = np.full(len(unit.cat.categories), -1, dtype=np.int64)
        of_cat[used] = code
        u = of_cat[cats]
    else:
        u, uniq = pd.factorize(pd.Series(np.asarray(unit, dtype=object)).astype(str), sort=True)
    units = np.asarray(uniq, dtype=object)
    up = pd.Series(unit_predikat)
    up.index = up.index.astype(str)
    return units, u.astype(np.int64), up.reindex(units).to_numpy(dtype=object)


def check_quotas(predikat: pd.Series, unit: pd.Series, unit_predikat: pd.Series | dict,
                 quota: Quota) -> pd.DataFrame:
    """Report every quota a distribution breaks.

    Parameters
    ----------
    predikat, unit : Series
        Each employee's predikat and unit (aligned); employees with a missing
        predikat are not counted.
    unit_predikat : Series or dict
        Each unit's predikat (index or keys: unit).
    quota : Quota
        The policy's ``quota`` section (its ``rules``).

    Returns
    -------
    DataFrame
        One row per broken rule: ``unit, unit_predikat, rule, n_quota, count,
        bound, kind`` (``min`` or ``max``); empty when every unit meets its
        quotas.

    Examples
    --------
    >>> from asnsim.policy import load_policy
    >>> q = load_policy("permenpan-6-2022").quota
    >>> p = pd.Series(["Sangat Baik"] * 3 + ["Baik"])
    >>> check_quotas(p, pd.Series(["A"] * 4), {"A": "Istimewa"}, q)[["rule", "count", "bound"]].to_dict("records")
    [{'rule': 'Sangat Baik <= 70%', 'count': 3, 'bound': 2}]
    """
    units, u, up_arr = _factor_units(unit, unit_predikat)
    return _check(units, u, up_arr, level_codes(predikat, LEVELS), quota)


def _check(units: np.ndarray, u: np.ndarray, up_arr: np.ndarray, codes: np.ndarray, quota: Quota) -> pd.DataFrame:
    cnt = _counts(u, codes, len(units))
    n = cnt.sum(axis=1)
    plan = _Plan(quota, up_arr, n)
    sc = plan.set_counts(cnt)
    under, over = _violations(plan, cnt)
    out = []
    for kind, mask, bound in (("min", under, plan.lo), ("max", over, plan.hi)):
        uu, rr = np.nonzero(mask)
        out.append(pd.DataFrame({C.UNIT: units[uu], C.UNIT_PREDIKAT: up_arr[uu], "rule": plan.labels[uu, rr],
                                 C.N_QUOTA: n[uu], "count": sc[uu, rr], "bound": bound[uu, rr], "kind": kind}))
    res = pd.concat(out, ignore_index=True)
    return res.sort_values([C.UNIT, "kind"], kind="stable").reset_index(drop=True)


def enforce_quotas(scores: pd.DataFrame, unit: pd.Series, unit_predikat: pd.Series | dict, quota: Quota,
                   include: pd.Series | np.ndarray | None = None,
                   on_infeasible: str = "report", mode: str = "down-first",
                   enforcing: pd.Series | dict | None = None) -> QuotaResult:
    """Move the fewest employees, in score order, so that every unit meets its kurva distribusi.

    Parameters
    ----------
    scores : DataFrame
        ``employee_id, final_score, predikat`` (the raw predikat).
    unit : Series
        Each employee's unit, aligned with ``scores``.
    unit_predikat : Series or dict
        Each unit's predikat (Istimewa, Baik, Butuh Perbaikan, Kurang, Sangat Kurang).
    quota : Quota
        The policy's quota section.
    include : bool array, optional
        Employees under the quota (default all); the others keep their
        predikat and are not counted (the unit leader, whose hasil kerja is
        set by the unit's predikat).
    on_infeasible : {"report", "raise"}
        What to do when a unit cannot meet its quotas: keep its raw predikat
        and report it (``quota_status = "infeasible"``), or raise
        :class:`~asnsim.errors.QuotaInfeasible`.
    mode : {"down-first", "up-first", "nearest"}
        Which employees move (:mod:`asnsim.quota._flows`): the surplus moves
        down, lowest scores first (the rule's intent; default), up, highest
        scores first, or to the neighbouring level nearer its score.
    enforcing : Series or dict, optional
        Per unit, whether the unit enforces its quotas (default: every unit).
        A unit that does not keeps its raw predikat; if that breaks a quota
        its status is ``not enforced``.

    Returns
    -------
    QuotaResult

    Notes
    -----
    With disjoint rule sets the fewest moves is ``max(E, D)`` (module
    docstring); the tests check it against brute force over all
    distributions of small units.

    Examples
    --------
    >>> from asnsim.policy import load_policy
    >>> q = load_policy("permenpan-6-2022").quota
    >>> s = pd.DataFrame({"employee_id": [1, 2, 3, 4], "final_score": [90, 80, 85, 70],
    ...                   "predikat": ["Sangat Baik"] * 3 + ["Baik"]})
    >>> res = enforce_quotas(s, pd.Series(["A"] * 4), {"A": "Istimewa"}, q)
    >>> res.predikat.tolist()
    ['Sangat Baik', 'Baik', 'Sangat Baik', 'Baik']
    """
    if on_infeasible not in ("report", "raise"):
        raise ValueError("on_infeasible must be 'report' or 'raise'")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    units, u, up_arr = _factor_units(unit, unit_predikat)
    enf = None
    if enforcing is not None:
        e = pd.Series(enforcing)
        e.index = e.index.astype(str)
        enf = e.reindex(units).fillna(True).to_numpy(dtype=bool)
    return _enforce(scores, units, u, up_arr, quota, include, on_infeasible, mode, enf)


def _enforce(scores: pd.DataFrame, units: np.ndarray, u: np.ndarray, up_arr: np.ndarray, quota: Quota,
             include, on_infeasible: str, mode: str = "down-first",
             enforcing: np.ndarray | None = None) -> QuotaResult:
    """:func:`enforce_quotas` on factorized units: names (sorted), each row's unit index, each unit's
    predikat; ``enforcing``: per unit, whether it enforces (None: all)."""
    raw_codes = level_codes(scores[C.PREDIKAT], LEVELS)
    codes = raw_codes
    if include is not None:
        codes = np.where(np.asarray(include, dtype=bool), codes, -1)
    score = scores[C.FINAL_SCORE].to_numpy(dtype=float)
    score = np.where(np.isnan(score), -np.inf, score)
    ids = scores[C.EMPLOYEE_ID].to_numpy()
    orig = _counts(u, codes, len(units))
    n = orig.sum(axis=1)
    plan = _Plan(quota, up_arr, n)
    under0, over0 = _violations(plan, orig)
    broken = (under0 | over0).any(axis=1)
    acting = broken if enforcing is None else broken & enforcing
    nearness = Nearness(u, codes, score, ids, len(units)) if mode == "nearest" and acting.any() else None
    F = _plan_flows(plan, orig, acting, mode, nearness)
    final = orig - F.sum(axis=2) + F.sum(axis=1)
    under1, over1 = _violations(plan, final)
    infeasible = acting & (under1 | over1).any(axis=1)
    F[infeasible] = 0
    new = _assign(u, codes, score, ids, F, orig)
    out_codes = np.where(codes >= 0, new, raw_codes)
    if (raw_codes >= 0).all():
        values = text_column(LEVELS, out_codes)
    else:  # missing or unknown predikat: kept as they are
        names = np.array(LEVELS + ("",), dtype=object)
        values = np.where(out_codes >= 0, names[out_codes], scores[C.PREDIKAT].to_numpy(dtype=object))
    pred = pd.Series(values, index=scores.index, name=C.PREDIKAT)
    moved = np.bincount(u[(codes >= 0) & (new != codes)], minlength=len(units))
    status = np.where(infeasible, "infeasible", np.where(moved > 0, "enforced",
                                                         np.where(broken & ~acting, "not enforced", "met")))
    units_df = pd.DataFrame({C.UNIT: units, C.UNIT_PREDIKAT: up_arr, C.N_QUOTA: n,
                             C.QUOTA_STATUS: status, C.QUOTA_BOUND: _joined_labels(plan, under0 | over0),
                             C.N_MOVED: moved})
    violations = _check(units, u, up_arr, codes, quota)
    if on_infeasible == "raise" and infeasible.any():
        i = int(np.flatnonzero(infeasible)[0])
        rules = "; ".join(x for x in plan.labels[i] if x)
        need = int(plan.lo[i].sum())
        raise QuotaInfeasible(f"unit {units[i]} (predikat {up_arr[i]}, {n[i]} employees under the quota) "
                              f"cannot meet its kurva distribusi ({rules}): the minimums alone need "
                              f"{need} employees")
    return QuotaResult(pred, units_df, violations)


def _joined_labels(plan: _Plan, mask: np.ndarray) -> np.ndarray:
    """Per unit, the labels of the slots ``mask`` marks, ``"; "``-joined ("" when none).

    Units share few label rows (one per unit predikat), so each distinct
    (labels, mask) pattern is joined once: the pattern is an integer key.
    """
    key = np.zeros(len(mask), dtype=np.int64)
    for j in range(plan.R):  # slots, not units
        code, names = pd.factorize(pd.Series(np.where(mask[:, j], plan.labels[:, j], "")))
        key = key * (len(names) + 1) + code + 1
    keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    shown = np.where(mask[first], plan.labels[first], "")
    text = np.array(["; ".join(x for x in row if x) for row in shown], dtype=object)
    return text[np.asarray(inverse).reshape(-1)]


from .organisation import apply_organisation, draw_unit_predikat, unit_leaders  # noqa: E402  (uses the above)
