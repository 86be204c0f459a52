"""Rater panels, rater dispositions and simulated ratings.

Each rater forms a latent impression of a ratee on an item, on the scale of
true performance (standard deviation 1; 0 = the average employee); the item's
scale then quantizes it.  Dispositions are drawn once per rater from the
``dispositions`` stream and do not depend on the policy, so every policy in a
comparison meets the same raters (common random numbers).

The impression of rater ``r`` of ratee ``i`` on item ``j`` in period ``p``
is built in this order (each term is a ``fx_<effect>`` truth column; a term
whose magnitude is zero is exactly 0).  Each term is one rater effect of
:mod:`asnsim.effects` (its parameters, disposition and term), applied in the
order of its ``order`` (:func:`asnsim.effects.applied`)::

    t       = true_score = true component of i + item deviation + period deviation
    halo    = h_r * (G_i - b_ij)          G_i true_performance, b_ij t without period deviation
    leniency= l_r                          (not self)
    favour  = f_r * close(r, i)            atasan, rekan, bawahan
    ingroup = g_r * [A_r == A_i]           A: the scenario's group attribute (not self, stakeholder)
    drift   = d_r * tau_p                  tau_p: end of period in years (annual: 1)
    self    = s_i                          self ratings only
    recency = q * (e_i,last - e_i,p)        annual results ratings: pull to the last quarter
    x       = t + the terms above
    scale   = (k_r - 1) * (x - c)          c: the latent middle of the scale as raters use it (scale_center)
    fatigue = -w_r * (x + scale - c)       w_r = 1 - exp(-fatigue * max(0, n_r - threshold))
    noise   = sigma_role * z
    y       = x + scale + fatigue + noise
    recip   = rho * (y_ji - t_j)            rekan: echo of the reverse peer rating's deviation
    conform = kappa * (y_atasan - y)       forum policies: non-atasan raters move to the superior
    score   = quantize(y + recip + conform)

``close(r, i)``: for atasan the ratee's ``closeness`` to the supervisor; for
bawahan the rater's; for rekan both peers in the supervisor's inner circle
(both close to the shared supervisor); 0 for stakeholders.

Panels (who rates whom): atasan = ``supervisor_id``; rekan = up to
``peers`` colleagues with the same supervisor (all of them in a team of at
most ``peers + 1``, else the ``peers // 2`` neighbours on each side of a
ring, so peer ties are mutual); bawahan = every direct subordinate; self;
stakeholder = ``stakeholders`` external raters per ratee, drawn from a pool
of one external rater per five members of the ratee's unit, with ids after
the last employee id.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import columns as C
from . import effects
from .errors import AsnsimError, PolicyError
from .policy import Component, Policy
from .population import period_months
from .scenario import RaterParams

TRUE_OF_KIND = {
    "results": C.TRUE_RESULTS,
    "behaviour": C.TRUE_BEHAVIOUR,
    "competency_technical": C.TRUE_TECHNICAL,
    "competency_nontechnical": C.TRUE_NONTECHNICAL,
}
#: Members of a unit per external stakeholder in the unit's pool (assumption).
RATEES_PER_STAKEHOLDER = 5


def __getattr__(name: str):
    """``EFFECTS``, ``FX_COLUMNS`` and ``DISPOSITIONS``: the registered rater effects' names, ratings columns and
    disposition columns (:mod:`asnsim.effects`), read from the registry when asked for."""
    if name == "EFFECTS":
        return effects.effect_names()
    if name == "FX_COLUMNS":
        return effects.fx_columns()
    if name == "DISPOSITIONS":
        return tuple(e.disposition for e in effects.dispositions())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ------------------------------------------------------------------ raters

def stakeholder_pool(employees: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """External stakeholder raters per unit: (unit code per employee, first id per unit, pool size per unit).

    Deterministic given the employees table (so dispositions do not depend on
    the policy): one stakeholder per :data:`RATEES_PER_STAKEHOLDER` unit
    members, ids numbered after the largest employee id.
    """
    unit = pd.Categorical(employees[C.UNIT]).codes.astype(np.int64)
    size = np.bincount(unit)
    pool = np.maximum(1, -(-size // RATEES_PER_STAKEHOLDER))
    first = int(employees[C.EMPLOYEE_ID].max()) + 1 + np.cumsum(pool) - pool
    return unit, first, pool


def draw_dispositions(employees: pd.DataFrame, params: RaterParams, rng: np.random.Generator) -> pd.DataFrame:
    """Draw every potential rater's dispositions once.

    Raters are the kepala daerah (id 0), every employee (by ``employee_id``)
    and the external stakeholders (ids after the last employee).  Each column
    is drawn from its own standard normal vector, whatever the magnitudes, so
    the same seed gives the same raters under every policy and scenario size.

    Returns
    -------
    DataFrame indexed by ``rater_id``: one float32 column per disposition of a registered rater effect
    (:func:`asnsim.effects.dispositions`, each from its own row of standard normals, in registration
    order), then the effects' rater attributes.  The built-ins:
    ``leniency = leniency_mean + leniency_sd * z``,
    ``scale_factor = exp(scale_use_mean + scale_use_sd * z)`` (below 1:
    central tendency; above 1: extremity), ``halo = clip(halo_mean + halo_sd *
    z, 0, 1)``, ``favouritism = max(0, favouritism + favouritism_sd * z)``,
    ``ingroup = ingroup_bias``, ``drift = drift_mean + drift_sd * z`` (per
    year), ``self_inflation = self_inflation + self_inflation_sd * z``, and
    ``group``: the rater's code of the in-group attribute (-1: none).

    Examples
    --------
    >>> from asnsim.population import generate_population
    >>> from asnsim.rng import stage_rng
    >>> from asnsim.scenario import RaterParams
    >>> emp = generate_population(50, stage_rng(1, "population"))
    >>> d = draw_dispositions(emp, RaterParams(leniency_mean=0.5), stage_rng(1, "dispositions"))
    >>> float(d.loc[7, "leniency"]), float(d.loc[7, "scale_factor"])
    (0.5, 1.0)
    """
    _, first, pool = stakeholder_pool(employees)
    n_raters = int(first[-1] + pool[-1])
    drawn = effects.dispositions()
    z = rng.standard_normal((len(drawn), n_raters), dtype=np.float32)  # one row per disposition, always drawn
    out = {e.disposition: np.asarray(e.draw(params, z[i]), np.float32) for i, e in enumerate(drawn)}
    df = pd.DataFrame(out, index=pd.RangeIndex(n_raters, name=C.RATER_ID))
    for e in effects.RATER_EFFECTS:
        if e.rater_attributes is not None:
            for column, values in e.rater_attributes(employees, params, n_raters).items():
                df[column] = values
    return df


# ------------------------------------------------------------------ panels

def panel(employees: pd.DataFrame, role: str, params: RaterParams | None = None,
          rng: np.random.Generator | None = None, policy_label: str = "policy") -> tuple[np.ndarray, np.ndarray]:
    """Who rates whom for one role: ``(ratee_pos, rater_id)``.

    ``ratee_pos`` indexes rows of ``employees``; ``rater_id`` is an employee
    id, 0 (the kepala daerah) or a stakeholder id.  ``rng`` is needed only for
    stakeholders (which members of the unit's pool).

    Examples
    --------
    >>> emp = pd.DataFrame({"employee_id": [1, 2, 3, 4], "supervisor_id": [0, 1, 1, 1],
    ...                     "unit": ["U0"] * 4})
    >>> pos, rater = panel(emp, "rekan", RaterParams(peers=4))
    >>> sorted(zip((pos + 1).tolist(), rater.tolist()))
    [(2, 3), (2, 4), (3, 2), (3, 4), (4, 2), (4, 3)]
    """
    params = params or RaterParams()
    ids = employees[C.EMPLOYEE_ID].to_numpy()
    n = len(ids)
    sup = employees[C.SUPERVISOR_ID].to_numpy()
    if role == C.ATASAN:
        return np.arange(n), sup.astype(np.int64)
    if role == C.SELF:
        return np.arange(n), ids.astype(np.int64)
    if role == C.BAWAHAN:
        has = sup > 0
        sup_pos = pd.Index(ids).get_indexer(sup[has])
        ok = sup_pos >= 0
        return sup_pos[ok], ids[has][ok].astype(np.int64)
    if role == C.REKAN:
        return _peer_panel(ids, sup, params.peers)
    if role == C.STAKEHOLDER:
        if rng is None:
            raise ValueError("stakeholder panels need a random generator")
        unit, first, pool = stakeholder_pool(employees)
        k = np.minimum(params.stakeholders, pool[unit])
        start = (rng.random(n) * pool[unit]).astype(np.int64)
        pos, rater = [], []
        for j in range(params.stakeholders):  # a loop over panel slots, not employees
            sel = np.flatnonzero(k > j)
            pos.append(sel)
            rater.append(first[unit[sel]] + (start[sel] + j) % pool[unit[sel]])
        return np.concatenate(pos), np.concatenate(rater).astype(np.int64)
    raise PolicyError(policy_label, "components.*.raters", f"rater role {role!r} is not simulated")


def _peer_panel(ids: np.ndarray, sup: np.ndarray, peers: int) -> tuple[np.ndarray, np.ndarray]:
    """Mutual peer ties among employees who share a supervisor (0 excluded)."""
    order = np.argsort(sup, kind="stable")
    s = sup[order]
    _, start, size = np.unique(s, return_index=True, return_counts=True)
    grp = np.repeat(np.arange(len(start)), size)
    m = size[grp]
    r = np.arange(len(order)) - start[grp]
    eligible = (s > 0) & (m > 1)
    small = m - 1 <= peers
    h = peers // 2
    pos, rater = [], []
    for o in range(1, peers + 1):  # a loop over ring offsets, not employees
        if o <= h:
            off_large, use_large = o, ~small
        elif o <= 2 * h:
            off_large, use_large = -(o - h), ~small
        else:
            off_large, use_large = 0, np.zeros_like(small)
        off = np.where(small, o, off_large)
        use = eligible & ((small & (o <= m - 1)) | use_large)
        sel = np.flatnonzero(use)
        mate = start[grp[sel]] + (r[sel] + off[sel]) % m[sel]
        pos.append(order[sel])
        rater.append(ids[order[mate]])
    if not pos:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(pos), np.concatenate(rater).astype(np.int64)


# ------------------------------------------------------------------ ratings

def scale_center(comp: Component) -> float:
    """The latent middle of a component's scale as raters use it (the pull point of central tendency and fatigue).

    Ordinal scales: halfway between the first and the last cutpoint (the middle
    of the middle categories).  Numeric scales: 0, the latent value of the
    policy's ``scale.center`` (the score a neutral rater gives the average
    employee), not the arithmetic middle of ``min..max``: on PP 30/2019's
    0-120 perilaku scale the middle, 60, is a Kurang score that no rater
    centres on; raters who avoid extremes pull toward the score they usually
    give.
    """
    s = comp.scale
    if s.kind == "ordinal":
        return float((s.cutpoints[0] + s.cutpoints[-1]) / 2)
    return 0.0


def rating_periods(policy: Policy, which: str = "annual") -> list[str]:
    """Period labels that produce ratings: ``"annual"`` (the annual evaluation only)
    or ``"all"`` (each periodic evaluation of the policy, then the annual one).

    Examples
    --------
    >>> from asnsim.policy import load_policy
    >>> rating_periods(load_policy("permenpan-6-2022"), "all")
    ['TW1', 'TW2', 'TW3', 'TW4', 'annual']
    """
    if which not in ("annual", "all"):
        raise AsnsimError(f"periods must be 'annual' or 'all', got {which!r}")
    if which == "annual":
        return ["annual"]
    labels = list(period_months(policy.periods.frequency))
    return labels if labels == ["annual"] else labels + ["annual"]


def _period_time(policy: Policy, label: str) -> float:
    """End of a period in years from the start of the appraisal year."""
    months = period_months(policy.periods.frequency).get(label, np.arange(12))
    return float(months[-1] + 1) / 12.0


def simulate_ratings(employees: pd.DataFrame, policy: Policy, dispositions: pd.DataFrame,
                     params: RaterParams, rng: np.random.Generator, periods: list[str] | str = "annual",
                     monthly: np.ndarray | None = None, item_sd: float = 0.0) -> pd.DataFrame:
    """Simulate every rating the policy asks for, as a long table.

    Parameters
    ----------
    employees : DataFrame
        From :func:`asnsim.population.generate_population`.
    policy : Policy
        Components with ``measure = "rating"`` are rated by their ``raters`` roles.
    dispositions : DataFrame
        From :func:`draw_dispositions` (the same for every policy).
    params : RaterParams
        Effect magnitudes, noise, panel sizes.
    rng : numpy.random.Generator
        The ``ratings`` stream: noise, item deviations, stakeholder choice.
    periods : list of str or "annual" or "all"
        Which evaluations produce ratings (:func:`rating_periods`).  The default
        is the annual evaluation only, one round (the national-scale setting).
    monthly : ndarray (n, 12), optional
        Month-by-month deviations of true results
        (:func:`asnsim.population.monthly_deviations`).
    item_sd : float
        SD of each (ratee, item) true deviation around the component's true
        score (``population.item_sd``).

    Returns
    -------
    DataFrame
        ``ratee_id, rater_id, rater_role, item, period, score, component,
        true_score`` and one ``fx_<effect>`` column per effect (float32; see
        the module docstring for each formula).
    """
    if isinstance(periods, str):
        periods = rating_periods(policy, periods)
    comps = [(name, c) for name, c in policy.components.items() if c.measure == "rating"]
    ids = employees[C.EMPLOYEE_ID].to_numpy()
    n = len(ids)
    roles = []
    for _, c in comps:
        roles += [r for r in c.raters if r not in roles]
    panels = {role: panel(employees, role, params, rng, policy.name) for role in C.ROLES if role in roles}
    rnd = effects.RatingRound(employees, policy, params, {k: dispositions[k].to_numpy() for k in dispositions.columns},
                              panels, rng, ids, employees[C.TRUE_PERFORMANCE].to_numpy().astype(np.float32))
    order = effects.applied()
    for e in order:
        if e.prepare is not None:
            rnd.prepared[e.name] = e.prepare(rnd)

    # sizes, to fill preallocated columns
    items_all = list(dict.fromkeys(it for _, c in comps for it in c.items))
    item_codes = {name: np.array([items_all.index(it) for it in c.items], np.int16) for name, c in comps}
    bases = {}
    for cname, comp in comps:  # true (ratee, item) levels: the same in every period
        k = len(comp.items)
        b = np.repeat(employees[TRUE_OF_KIND[comp.kind]].to_numpy().astype(np.float32)[:, None], k, axis=1)
        if item_sd > 0:
            b += np.float32(item_sd) * rng.standard_normal((n, k), dtype=np.float32)
        bases[cname] = b
    n_rows = sum(len(panels[r][0]) * len(c.items) for _, c in comps for r in c.raters) * len(periods)
    out = {
        C.RATEE_ID: np.empty(n_rows, np.int32), C.RATER_ID: np.empty(n_rows, np.int32),
        C.RATER_ROLE: np.empty(n_rows, np.int8), C.ITEM: np.empty(n_rows, np.int16),
        C.PERIOD: np.empty(n_rows, np.int8), C.SCORE: np.empty(n_rows, np.float64),
        C.COMPONENT: np.empty(n_rows, np.int8), C.TRUE_SCORE: np.empty(n_rows, np.float32),
    }
    fx_out = {e.column: np.zeros(n_rows, np.float32) for e in effects.RATER_EFFECTS}
    at = 0
    for pi, period in enumerate(periods):
        tau = 1.0 if period == "annual" else _period_time(policy, period)
        months = np.arange(12) if period == "annual" else period_months(policy.periods.frequency)[period]
        dev = monthly[:, months].mean(axis=1) if monthly is not None else None
        dev_last = monthly[:, 9:12].mean(axis=1) if monthly is not None else None
        for ci, (cname, comp) in enumerate(comps):
            k = len(comp.items)
            base = bases[cname]
            truth = base + dev[:, None] if (dev is not None and comp.kind == "results") else base
            y_atasan = None
            for role in sorted(comp.raters, key=lambda r: r != C.ATASAN):  # the atasan first (conformity)
                pos, rater = panels[role]
                P = len(pos)
                sl = slice(at, at + P * k)
                every = P == n and bool((pos == np.arange(n)).all())  # the panel is every ratee in order
                t = truth if every else truth[pos]  # (P, k)
                block = effects.RatingBlock(rnd, role, comp, period, tau, pos, rater, every, base, t, t.copy(),
                                            scale_center(comp), dev, dev_last, y_atasan)
                _apply_effects(block, order, {e.name: fx_out[e.column][sl].reshape(P, k) for e in order})
                if role == C.ATASAN:
                    y_atasan = block.x if every else None
                out[C.RATEE_ID][sl].reshape(P, k)[:] = ids[pos][:, None]
                out[C.RATER_ID][sl].reshape(P, k)[:] = rater[:, None]
                out[C.RATER_ROLE][sl] = C.ROLES.index(role)
                out[C.ITEM][sl].reshape(P, k)[:] = item_codes[cname][None, :]
                out[C.PERIOD][sl] = pi
                out[C.COMPONENT][sl] = ci
                _quantize(comp, block.x.ravel(), out[C.SCORE][sl])
                out[C.TRUE_SCORE][sl] = t.ravel()
                at += P * k
    cats = {C.RATER_ROLE: list(C.ROLES), C.ITEM: items_all, C.PERIOD: list(periods),
            C.COMPONENT: [c for c, _ in comps]}
    cols = {}
    for key, arr in out.items():
        cols[key] = pd.Categorical.from_codes(arr, categories=cats[key]) if key in cats else arr
    cols.update(fx_out)
    return pd.DataFrame(cols, copy=False)


def _apply_effects(block: effects.RatingBlock, order: tuple, view: dict[str, np.ndarray]) -> None:
    """Add every effect's term to ``block.x`` in ``order`` and write each term into its ``fx_`` column.

    A term is computed into its own output column (``view[name]``, a (P, k) view of it) or, for per-pair
    terms, as a (P, 1) column broadcast over items: no (P, k) temporaries, whose fresh pages cost more than
    the arithmetic at national scale.  An absent term (None) leaves its column exactly 0.
    """
    terms = {}
    for e in order:
        v = e.term(block, view[e.name])
        if v is not None:
            block.x += v
            terms[e.name] = v
    for name, v in terms.items():  # + 0 turns -0.0 into 0.0 (in place for the terms already in view)
        np.add(v, np.float32(0), out=view[name])


def _quantize(comp: Component, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``comp.scale.quantize(x)`` into ``out`` (float64).

    Ordinal scales with float32 ``x``: the level counts the cutpoints ``c`` with
    ``x >= c`` in float64 (the same levels as ``searchsorted(..., side="right")``),
    compared in float32 against the smallest float32 not below ``c`` (the same
    outcome for every float32 ``x``, without a float64 copy of ``x``); the score is
    ``min + step * level`` in float64."""
    s = comp.scale
    if out is None:
        out = np.empty(len(x), np.float64)
    if s.kind != "ordinal" or len(s.cutpoints) > 8 or x.dtype != np.float32:
        out[:] = s.quantize(x)
        return out
    level = np.zeros(len(x), np.int8)
    above = np.empty(len(x), bool)
    for cut in s.cutpoints:  # a loop over the scale's cutpoints
        level += np.greater_equal(x, _float32_at_least(cut), out=above).view(np.int8)
    np.multiply(level, np.float64(s.step), out=out)
    return np.add(out, np.float64(s.min), out=out)


def _float32_at_least(c: float) -> np.float32:
    """The smallest float32 whose value is >= ``c``: for float32 ``x``, ``x >= c`` iff ``x >= _float32_at_least(c)``.

    Examples
    --------
    >>> float(_float32_at_least(0.1)) >= 0.1, float(np.nextafter(_float32_at_least(0.1), np.float32(0))) < 0.1
    (True, True)
    """
    t = np.float32(c)
    return np.nextafter(t, np.float32(np.inf)) if float(t) < c else t
