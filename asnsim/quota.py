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

from . import columns as C
from .errors import QuotaInfeasible
from .policy import Quota, QuotaRule
from .scoring.arrays import level_codes, positions, text_column

LEVELS = C.PREDIKAT_ORDER
N_LEVELS = len(LEVELS)
_BIG = np.iinfo(np.int64).max // 4

__all__ = ["QuotaResult", "rule_bounds", "check_quotas", "enforce_quotas", "LEVELS"]


@dataclass(frozen=True)
class QuotaResult:
    """What :func:`enforce_quotas` returns.

    Attributes
    ----------
    predikat : Series
        Employee predikat after enforcement (same index as the input).
    units : DataFrame
        One row per unit: ``unit, unit_predikat, n_quota, quota_status``
        (``met``, ``enforced`` or ``infeasible``), ``quota_bound`` (the rules
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
        bad = self.units.loc[self.units[C.QUOTA_STATUS] == "infeasible", C.UNIT]
        if len(bad):
            text += f" (kept raw: {', '.join(map(str, bad[:5]))}{', ...' if len(bad) > 5 else ''})"
        return text


def rule_bounds(rule: QuotaRule, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper count bounds of one rule for units of ``n`` employees.

    ``lo = max(ceil(min_share * n), min_count)``, ``hi = floor(max_share * n)``
    (no bound: 0 and a very large number).  A tolerance of 1e-9 keeps
    ``0.7 * 10`` at 7.

    Examples
    --------
    >>> from asnsim.policy import QuotaRule
    >>> r = QuotaRule(unit_predikat="Istimewa", predikat=("Sangat Baik",), max_share=0.7)
    >>> rule_bounds(r, np.array([1, 3, 10]))[1].tolist()
    [0, 2, 7]
    """
    n = np.asarray(n, dtype=np.int64)
    lo = np.zeros(len(n), dtype=np.int64)
    if rule.min_share is not None:
        lo = np.ceil(rule.min_share * n - 1e-9).astype(np.int64)
    lo = np.maximum(lo, rule.min_count)
    hi = np.full(len(n), _BIG, dtype=np.int64)
    if rule.max_share is not None:
        hi = np.floor(rule.max_share * n + 1e-9).astype(np.int64)
    return lo, hi


class _Plan:
    """Per-unit rule slots: member masks (U, R, 5) and bounds (U, R)."""

    def __init__(self, quota: Quota, unit_predikat: np.ndarray, n: np.ndarray):
        rows = {up: [r for r in quota.rules if r.unit_predikat == up] for up in C.UNIT_PREDIKAT_ORDER}
        self.R = max([len(v) for v in rows.values()] + [1])
        U = len(n)
        self.member = np.zeros((U, self.R, N_LEVELS), dtype=bool)
        self.lo = np.zeros((U, self.R), dtype=np.int64)
        self.hi = np.full((U, self.R), _BIG, dtype=np.int64)
        self.labels = np.full((U, self.R), "", dtype=object)
        for up, rules in rows.items():  # loop over the five unit predikat rows
            sel = (unit_predikat == up) & (n > 0)
            if not sel.any():
                continue
            for j, rule in enumerate(rules):
                mask = np.array([lv in rule.predikat for lv in LEVELS])
                lo, hi = rule_bounds(rule, n[sel])
                self.member[sel, j] = mask
                self.lo[sel, j], self.hi[sel, j] = lo, hi
                self.labels[sel, j] = rule.label
        self.slot_of_level = np.full((U, N_LEVELS), -1, dtype=np.int64)
        for j in range(self.R):
            self.slot_of_level = np.where(self.member[:, j], j, self.slot_of_level)

    def set_counts(self, cnt: np.ndarray) -> np.ndarray:
        return (self.member * cnt[:, None, :]).sum(axis=2)

    def take(self, idx: np.ndarray) -> "_Plan":
        """The plan of the units ``idx`` only."""
        sub = object.__new__(_Plan)
        sub.R = self.R
        for name in ("member", "lo", "hi", "labels", "slot_of_level"):
            setattr(sub, name, getattr(self, name)[idx])
        return sub


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


def _counts(u: np.ndarray, codes: np.ndarray, n_units: int) -> np.ndarray:
    ok = codes >= 0
    flat = np.bincount(u[ok] * N_LEVELS + codes[ok], minlength=n_units * N_LEVELS)
    return flat.reshape(n_units, N_LEVELS).astype(np.int64)


def _violations(plan: _Plan, cnt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boolean (U, R) arrays: a slot below its minimum, above its maximum."""
    sc = plan.set_counts(cnt)
    active = plan.member.any(axis=2)
    return active & (sc < plan.lo), active & (sc > plan.hi)


def _landing(member_q: np.ndarray, s: int, down: bool) -> np.ndarray:
    """Per unit, the member level of a slot nearest to level ``s`` from below ``s`` (``down``: a mover
    from ``s`` goes down into it) or from above; -1 where the slot has no such level."""
    lv = np.arange(N_LEVELS)
    if down:
        return np.where(member_q & (lv < s), lv, -1).max(axis=1)
    cand = np.where(member_q & (lv > s), lv, N_LEVELS).min(axis=1)
    return np.where(cand < N_LEVELS, cand, -1)


def _plan_flows(plan: _Plan, orig: np.ndarray, broken: np.ndarray) -> np.ndarray:
    """Flow matrix F (U, 5, 5): F[u, s, d] employees of unit u move from level s to level d.

    Only the units ``broken`` marks (a quota broken by ``orig``) move anyone; the others get no flows.
    """
    F = np.zeros((orig.shape[0], N_LEVELS, N_LEVELS), dtype=np.int64)
    idx = np.flatnonzero(broken)
    if len(idx):
        F[idx] = _unit_flows(plan.take(idx), orig[idx])
    return F


def _unit_flows(plan: _Plan, orig: np.ndarray) -> np.ndarray:
    """:func:`_plan_flows` for units that all break a quota (array arithmetic over units)."""
    U = orig.shape[0]
    cnt = orig.copy()
    left = orig.copy()  # original members not yet moved
    sc = plan.set_counts(cnt)  # employees in each slot, kept current by move()
    F = np.zeros((U, N_LEVELS, N_LEVELS), dtype=np.int64)
    rows = np.arange(U)
    landing = {}

    def land_of(q: int, s: int, down: bool) -> np.ndarray:
        if (q, s, down) not in landing:
            landing[q, s, down] = _landing(plan.member[:, q], s, down)
        return landing[q, s, down]

    def move(src: np.ndarray | int, dst: np.ndarray, amount: np.ndarray) -> None:
        src = np.broadcast_to(np.asarray(src), (U,))
        amount = np.where(dst >= 0, amount, 0)
        d = np.clip(dst, 0, N_LEVELS - 1)
        F[rows, src, d] += amount  # one (row, src, d) per unit: no repeated index
        cnt[rows, src] -= amount
        left[rows, src] -= amount
        cnt[rows, d] += amount
        sc[...] = plan.set_counts(cnt)

    def capacity(level: int) -> np.ndarray:
        """Room left at ``level``: unlimited unless the level sits in a capped slot."""
        slot = plan.slot_of_level[:, level]
        hi = np.where(slot >= 0, plan.hi[rows, np.maximum(slot, 0)], _BIG)
        used = np.where(slot >= 0, sc[rows, np.maximum(slot, 0)], 0)
        return np.maximum(hi - used, 0)

    def spare(level: int) -> np.ndarray:
        """Employees a level can give up without breaking its slot's minimum."""
        slot = plan.slot_of_level[:, level]
        lo = np.where(slot >= 0, plan.lo[rows, np.maximum(slot, 0)], 0)
        have = np.where(slot >= 0, sc[rows, np.maximum(slot, 0)], 0)
        own = np.minimum(cnt[:, level], left[:, level])
        return np.where(slot >= 0, np.minimum(np.maximum(have - lo, 0), own), own)

    # 1. surplus of capped slots: leave the slot, lowest levels (and lowest scores) first
    for r in range(plan.R):
        excess = np.maximum(sc[:, r] - plan.hi[:, r], 0)
        if not excess.any():
            continue
        for s in range(N_LEVELS):
            take = np.where(plan.member[:, r, s], np.minimum(excess, np.minimum(cnt[:, s], left[:, s])), 0)
            if not take.any():
                continue
            excess -= take
            # deficits of other slots, nearest first (moving down before moving up at equal distance)
            for dist in range(1, N_LEVELS):
                for down in (True, False):
                    for q in range(plan.R):
                        if q == r:
                            continue
                        land = land_of(q, s, down)
                        near = (land >= 0) & (np.abs(land - s) == dist)
                        deficit = np.maximum(plan.lo[:, q] - sc[:, q], 0)
                        amt = np.where(near, np.minimum(take, deficit), 0)
                        if amt.any():
                            move(s, np.where(near, land, -1), amt)
                            take -= amt
            # the rest: nearest level below with room, else nearest above
            for dst in [s - k for k in range(1, s + 1)] + list(range(s + 1, N_LEVELS)):
                if not take.any():
                    break
                room = np.where(plan.member[:, r, dst], 0, capacity(dst))
                amt = np.minimum(take, room)
                if amt.any():
                    move(s, np.full(U, dst), amt)
                    take -= amt
    # 2. deficits still open: pull from the nearest levels with employees to spare, from above first
    #    (the lowest-scoring of a level above moves down), then from below (the highest-scoring moves up)
    for q in range(plan.R):
        for down in (True, False):
            for dist in range(1, N_LEVELS):
                for s in range(N_LEVELS):
                    deficit = np.maximum(plan.lo[:, q] - sc[:, q], 0)
                    if not deficit.any():
                        break
                    land = land_of(q, s, down)
                    here = (deficit > 0) & (land >= 0) & (np.abs(land - s) == dist) & ~plan.member[:, q, s]
                    if not here.any():
                        continue
                    amt = np.where(here, np.minimum(deficit, spare(s)), 0)
                    if amt.any():
                        move(s, np.where(here, land, -1), amt)
    return F


def _assign(u: np.ndarray, codes: np.ndarray, score: np.ndarray, ids: np.ndarray,
            F: np.ndarray, orig: np.ndarray) -> np.ndarray:
    """New level of each employee: within (unit, level), the lowest scores move down, the highest up."""
    new = codes.copy()
    # only the (unit, level) groups that lose employees are ranked; every other employee stays
    out_flow = F.sum(axis=2) - F[:, np.arange(N_LEVELS), np.arange(N_LEVELS)]
    ok = codes >= 0
    ok[ok] = out_flow[u[ok], codes[ok]] > 0
    idx = np.flatnonzero(ok)
    order = np.lexsort((ids[idx], score[idx], codes[idx], u[idx]))
    srt = idx[order]
    key = u[srt] * N_LEVELS + codes[srt]
    start = np.r_[0, np.flatnonzero(np.diff(key)) + 1]
    rank = np.arange(len(srt)) - np.repeat(start, np.diff(np.r_[start, len(srt)]))
    # stayers keep the rest of the level, so F[u, s, s] = orig - movers out
    F = F.copy()
    lv = np.arange(N_LEVELS)
    F[:, lv, lv] = 0
    F[:, lv, lv] = orig - F.sum(axis=2)
    cum = F.cumsum(axis=2)[u[srt], codes[srt]]  # (m, 5)
    new[srt] = (rank[:, None] >= cum).sum(axis=1)
    return new


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
                   on_infeasible: str = "report") -> QuotaResult:
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
    units, u, up_arr = _factor_units(unit, unit_predikat)
    return _enforce(scores, units, u, up_arr, quota, include, on_infeasible)


def _enforce(scores: pd.DataFrame, units: np.ndarray, u: np.ndarray, up_arr: np.ndarray, quota: Quota,
             include, on_infeasible: str) -> QuotaResult:
    """:func:`enforce_quotas` on factorized units: names (sorted), each row's unit index, each unit's predikat."""
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
    F = _plan_flows(plan, orig, (under0 | over0).any(axis=1))
    final = orig - F.sum(axis=2) + F.sum(axis=1)
    under1, over1 = _violations(plan, final)
    infeasible = (under1 | over1).any(axis=1)
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
    status = np.where(infeasible, "infeasible", np.where(moved > 0, "enforced", "met"))
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


# ------------------------------------------------------------ the organisation's predikat in a simulation

def unit_leaders(employees: pd.DataFrame) -> np.ndarray:
    """True for each unit's leader: an employee whose supervisor is outside the unit (or is the kepala daerah)."""
    unit = pd.Series(employees[C.UNIT]).reset_index(drop=True)
    if not isinstance(unit.dtype, pd.CategoricalDtype):
        unit = unit.astype("category")
    code = unit.cat.codes.to_numpy()
    sup = positions(employees[C.SUPERVISOR_ID].to_numpy(), employees[C.EMPLOYEE_ID].to_numpy())
    same = (sup >= 0) & (code >= 0) & (code[np.maximum(sup, 0)] == code)
    return ~same


def draw_unit_predikat(employees: pd.DataFrame, quota: Quota, rng: np.random.Generator) -> pd.DataFrame:
    """Each unit's predikat (the organisation's own rating), drawn for a simulation.

    With ``quota.unit_predikat = "draw"``:
    ``z_u = (m_u - mean(m)) / sd(m)`` where ``m_u`` is the unit's mean true
    performance, ``x_u = (z_u + e_u) / sqrt(1 + s^2)`` with
    ``e_u ~ N(0, s^2)``, ``s = quota.unit_noise_sd``, and ``x_u`` is cut at
    ``quota.unit_cutpoints`` into Sangat Kurang, Kurang, Butuh Perbaikan,
    Baik, Istimewa.  This stands in for the next-higher leader's judgement of
    the unit (an assumption: no source says how units are rated).  Otherwise
    every unit gets ``quota.unit_predikat``.

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
        up = np.asarray(C.UNIT_PREDIKAT_ORDER, dtype=object)[np.searchsorted(np.asarray(quota.unit_cutpoints), x,
                                                                             side="right")]
    else:
        up = np.full(len(m), quota.unit_predikat, dtype=object)
    return pd.DataFrame({C.UNIT: m.index.to_numpy(), C.UNIT_PREDIKAT: up, C.N: n.to_numpy()})


def apply_organisation(policy, employees: pd.DataFrame, scores: pd.DataFrame,
                       rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The organisation-first step of PermenPAN-RB 6/2022 on simulated scores.

    Draws each unit's predikat (:func:`draw_unit_predikat`), sets every unit
    leader's hasil kerja from it (``quota.leader_rating``), keeps the result as
    ``predikat_raw`` and, when ``quota.enabled``, enforces the kurva
    distribusi (leaders outside the quota when ``quota.exclude_leaders``).
    Policies scored by bands (PP 30, PP 46 and their cities) have no unit
    predikat: ``unit_predikat`` is missing and nothing moves.

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
    from .scoring.permenpan import apply_leader_rating

    units = draw_unit_predikat(employees, policy.quota, rng)
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
    res = _enforce(scores, names, u, up_arr, policy.quota, include, "report")
    scores[C.PREDIKAT] = res.predikat.array
    extra = res.units.drop(columns=[C.UNIT_PREDIKAT])
    units = units.assign(**{C.UNIT: units[C.UNIT].astype(str)}).merge(extra, on=C.UNIT, how="left")
    return scores, units, res.summary()
