"""Who moves when a unit enforces its kurva distribusi: flow planning in count space.

A unit's employees are counted per predikat level (``units x 5``); a plan
moves counts between levels (a ``units x 5 x 5`` flow matrix) so that every
rule slot of the unit's row meets its bounds with the fewest moves, and
:func:`_assign` then picks the employees, in score order, within each
(unit, level).  Three modes (``ComplianceParams.mode`` of a scenario):

``down-first``
    The rule as SE MenPAN-RB 03/2023 intends it (room for lower predikat):
    a capped set's surplus fills other rules' minimums (nearest first, down
    before up at equal distance), the rest moves to the nearest level below
    with room (above only when none below has room), lowest scores first;
    open minimums are filled from the levels above first.
``up-first``
    The mirror image: a surplus moves up first (the highest scores first),
    open minimums are filled from below first.  Planned as ``down-first`` on
    the reversed ladder.
``nearest``
    As ``down-first``, except that the surplus left after other rules'
    minimums are met splits between the neighbouring levels by score: with
    ``m_s`` the mean final score of the employees at level ``s`` (all units),
    a mover at level ``s`` goes down when its score is below
    ``(m_{s-1} + m_{s+1}) / 2`` (nearer the level below) and up otherwise;
    the employees farthest from that midpoint (nearest a neighbouring level)
    move first.

Every mode moves the same, fewest, number of employees: only the direction
differs.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import columns as C
from ..policy import Quota, QuotaRule

LEVELS = C.PREDIKAT_ORDER
N_LEVELS = len(LEVELS)
_BIG = np.iinfo(np.int64).max // 4
MODES = ("down-first", "up-first", "nearest")

#: ``split(level, take, moved) -> how many of take prefer to move down`` (mode ``nearest``; ``moved``: the
#: flows already planned out of ``level``, units x 5)
Split = Callable[[int, np.ndarray, np.ndarray], np.ndarray]


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

    def mirrored(self) -> "_Plan":
        """The plan on the reversed ladder (level ``s`` becomes ``4 - s``)."""
        sub = object.__new__(_Plan)
        sub.R, sub.lo, sub.hi, sub.labels = self.R, self.lo, self.hi, self.labels
        sub.member = self.member[:, :, ::-1]
        sub.slot_of_level = self.slot_of_level[:, ::-1]
        return sub



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


def _plan_flows(plan: _Plan, orig: np.ndarray, broken: np.ndarray, mode: str = "down-first",
                nearness: "Nearness | None" = None) -> np.ndarray:
    """Flow matrix F (U, 5, 5): F[u, s, d] employees of unit u move from level s to level d.

    Only the units ``broken`` marks (a quota broken by ``orig`` in a unit that
    enforces) move anyone; the others get no flows.  ``mode``: see the module
    docstring; ``nearest`` needs ``nearness``.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    F = np.zeros((orig.shape[0], N_LEVELS, N_LEVELS), dtype=np.int64)
    idx = np.flatnonzero(broken)
    if not len(idx):
        return F
    sub = plan.take(idx)
    if mode == "up-first":
        F[idx] = _unit_flows(sub.mirrored(), orig[idx][:, ::-1])[:, ::-1, ::-1]
    elif mode == "nearest":
        if nearness is None:
            raise ValueError("mode 'nearest' needs the employees' scores (a Nearness)")
        F[idx] = _unit_flows(sub, orig[idx], lambda s, take, moved: nearness.down_count(s, take, idx, moved))
    else:
        F[idx] = _unit_flows(sub, orig[idx])
    return F


class Nearness:
    """Per employee, which neighbouring level is nearer by score, and who is nearest one (mode ``nearest``).

    ``m_s`` is the mean score of the employees at level ``s`` (every unit);
    an employee at level ``s`` is nearer the level below when its score is
    under ``(m_{s-1} + m_{s+1}) / 2`` (a neighbour nobody holds does not
    attract anyone; with neither, the employee counts as nearer below).
    Among the employees of a (unit, level) who have not moved yet, those
    farthest from that midpoint (nearest a neighbour) move first; ties go to
    the lower employee id.
    """

    def __init__(self, u: np.ndarray, codes: np.ndarray, score: np.ndarray, ids: np.ndarray, n_units: int):
        ok = (codes >= 0) & np.isfinite(score)
        m = np.full(N_LEVELS + 2, np.nan)
        sums = np.bincount(codes[ok], weights=score[ok], minlength=N_LEVELS)
        cnt = np.bincount(codes[ok], minlength=N_LEVELS)
        with np.errstate(invalid="ignore", divide="ignore"):
            m[1:-1] = sums / cnt
        lo, hi = m[:-2], m[2:]   # mean score of the level below and of the level above each level
        mid = np.where(np.isnan(hi), np.inf, np.where(np.isnan(lo), -np.inf, (lo + hi) / 2))
        sel = np.flatnonzero(codes >= 0)
        x = score[sel]
        mid_i = mid[codes[sel]]
        self.down = x < mid_i
        gap = np.abs(x - mid_i)
        self.gap = np.where(np.isfinite(gap), gap, np.finfo(float).max)
        self.u, self.codes, self.ids, self.n_units = u[sel], codes[sel], ids[sel], n_units
        # each employee's rank by score within its (unit, level), ascending, as _assign orders them
        order = np.lexsort((self.ids, x, self.codes, self.u))
        self.q = _group_rank(order, self.u * N_LEVELS + self.codes)

    def down_count(self, level: int, take: np.ndarray, idx: np.ndarray, moved: np.ndarray) -> np.ndarray:
        """How many of the ``take[k]`` employees leaving ``level`` in unit ``idx[k]`` are nearer the level below.

        ``moved[k, d]`` employees of that unit have already left ``level`` for
        level ``d``: the lowest-scoring went down, the highest-scoring up
        (:func:`_assign`), so the candidates are the ones in between.
        """
        full = np.zeros(self.n_units, np.int64)
        full[idx] = take
        down_done = np.zeros(self.n_units, np.int64)
        up_done = np.zeros(self.n_units, np.int64)
        down_done[idx] = moved[:, :level].sum(axis=1)
        up_done[idx] = moved[:, level + 1:].sum(axis=1)
        at = self.codes == level
        size = np.bincount(self.u[at], minlength=self.n_units)
        cand = np.flatnonzero(at & (self.q >= down_done[self.u]) & (self.q < size[self.u] - up_done[self.u]))
        order = cand[np.lexsort((self.ids[cand], -self.gap[cand], self.u[cand]))]
        rank = _group_rank(np.arange(len(order)), self.u[order])   # position within the unit's candidates
        pick = order[rank < full[self.u[order]]]
        pick = pick[self.down[pick]]
        return np.bincount(self.u[pick], minlength=self.n_units)[idx]


def _group_rank(order: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Rank of each element within its ``key`` group, in the sequence ``order`` (grouped by key)."""
    rank = np.empty(len(key), np.int64)
    if not len(order):
        return rank
    k = key[order]
    start = np.r_[0, np.flatnonzero(np.diff(k)) + 1]
    rank[order] = np.arange(len(order)) - np.repeat(start, np.diff(np.r_[start, len(order)]))
    return rank


def _unit_flows(plan: "_Plan", orig: np.ndarray, split: Split | None = None) -> np.ndarray:
    """:func:`_plan_flows` for units that all break a quota (array arithmetic over units), ``down-first``.

    ``split(s, take, moved)``, when given, says how many of the ``take``
    employees leaving level ``s`` in step 1's last phase prefer to move down
    (mode ``nearest``); the others move up first.
    """
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
            # the rest: nearest level below with room, else nearest above (``split``: part of it
            # goes up first); whatever finds no room on its side tries the other
            below = [s - k for k in range(1, s + 1)]
            above = list(range(s + 1, N_LEVELS))
            parts = [(take, below + above)]
            if split is not None and take.any():
                down = np.minimum(split(s, take, F[:, s]), take)
                parts = [(down, below + above), (take - down, above + below)]
            for part, order in parts:
                for dst in order:
                    if not part.any():
                        break
                    room = np.where(plan.member[:, r, dst], 0, capacity(dst))
                    amt = np.minimum(part, room)
                    if amt.any():
                        move(s, np.full(U, dst), amt)
                        part -= amt
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
