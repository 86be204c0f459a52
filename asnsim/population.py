"""Synthetic organisations with known true performance.

A population is a sequence of pemda (regional governments).  Each pemda is a
tree of units in a fixed order, parents before children:

- the Sekretariat Daerah (``secretariat``), whose head, the sekda, is rated
  by the kepala daerah (``supervisor_id = 0``, not an employee);
- single dinas rated through their head by the sekda: ``education``,
  ``health``, ``civil_registry``, ``public_works``;
- ``school`` units under the education dinas and ``puskesmas`` under the
  health dinas (their heads are rated by the kepala dinas);
- further dinas/badan (``other_dinas``) and ``kecamatan`` offices (camat
  rated by the sekda), with ``kelurahan`` offices under their camat.

Inside a hierarchical unit the head rates Administrator-level bidang heads,
who rate Pengawas-level seksi heads, who rate the staff (Pelaksana or JF);
schools, puskesmas and kelurahan are flat (the head rates everyone).
Everyone has exactly one supervisor (pejabat penilai kinerja).

The size presets (:data:`PRESETS`) give the five city models and the
national civil service; numbers no source gives are assumptions, listed in
``docs/model.md``.  Everything is drawn with numpy arrays over whole
populations: loops run over unit types and pemda-level tables only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from . import columns as C
from .errors import AsnsimError
from .scenario import PopulationParams, correlation_matrix


@dataclass(frozen=True)
class UnitType:
    """A kind of unit: mean size, how many a pemda has, and where it hangs in the tree."""

    mean_size: float
    per_1000: float          # units per 1,000 ASN of the pemda (0: exactly one per pemda)
    parent: str | None       # unit type of the parent unit (None: the sekda rates the head)
    head: str                # position of the unit head
    flat: bool               # True: the head rates every member directly
    jf_share: float          # share of staff in jabatan fungsional

    @property
    def single(self) -> bool:
        return self.per_1000 == 0


#: Unit types, in tree order.  Assumptions for a pemda kota of about 3,500 ASN
#: (DOMAIN.md s.1: 30-45 OPD, OPD 30-150, kecamatan 15-40, kelurahan 5-10):
#: one of each single dinas, about 20 further dinas/badan, 8 kecamatan with 6
#: kelurahan each, 60 schools and 15 puskesmas.
UNIT_TYPES: dict[str, UnitType] = {
    "secretariat": UnitType(80.0, 0.0, None, "JPT Pratama", False, 0.10),
    "education": UnitType(60.0, 0.0, "secretariat", "JPT Pratama", False, 0.30),
    "school": UnitType(18.0, 17.0, "education", "JF Ahli Muda", True, 0.90),
    "health": UnitType(50.0, 0.0, "secretariat", "JPT Pratama", False, 0.40),
    "puskesmas": UnitType(35.0, 4.3, "health", "Pengawas", True, 0.80),
    "civil_registry": UnitType(40.0, 0.0, "secretariat", "JPT Pratama", False, 0.10),
    "public_works": UnitType(60.0, 0.0, "secretariat", "JPT Pratama", False, 0.20),
    "other_dinas": UnitType(45.0, 5.7, "secretariat", "JPT Pratama", False, 0.15),
    "kecamatan": UnitType(25.0, 2.3, "secretariat", "Administrator", False, 0.05),
    "kelurahan": UnitType(8.0, 13.7, "kecamatan", "Pengawas", True, 0.0),
}


@dataclass(frozen=True)
class Preset:
    """A size preset: number of ASN, ASN per pemda, share of provincial pemda, and its basis."""

    n: int
    pemda_size: int
    share_provinsi: float
    basis: str


#: Size presets.  Only ``national`` has a source; city sizes are assumptions
#: inside the DOMAIN.md range (a pemda kota has roughly 2,500-6,000 ASN).
PRESETS: dict[str, Preset] = {
    "city": Preset(3500, 3500, 0.0, "assumption: a typical pemda kota (DOMAIN.md s.1)"),
    "salatiga": Preset(3200, 3200, 0.0, "assumption: small kota, about 190,000 inhabitants"),
    "gayungan": Preset(6000, 6000, 0.0, "assumption: Gayungan is a kecamatan of Surabaya; its appraisal system "
                                         "is that of a large pemda kota, modelled at the top of the range"),
    "serang": Preset(5000, 5000, 0.0, "assumption: kota of about 700,000 inhabitants, provincial capital"),
    "sawahlunto": Preset(2500, 2500, 0.0, "assumption: smallest kota of the five, about 65,000 inhabitants"),
    "pontianak": Preset(5500, 5500, 0.0, "assumption: kota of about 680,000 inhabitants, provincial capital"),
    "national": Preset(4_282_429, 7900, 38 / 546,
                       "BKN, June 2023: 4,282,429 ASN (PNS 3,795,302; PPPK 487,127); modelled as 542 pemda-sized "
                       "trees of about 7,900 ASN each (assumption; the central ministries are treated alike)"),
}

AGE_BANDS = ("<=30", "31-40", "41-50", "51-60")
#: PNS 2023 (DOMAIN.md s.1): 51-60 34%, 41-50 33%, 31-40 24%, the rest younger.
AGE_SHARES = (0.09, 0.24, 0.33, 0.34)
#: Assumption: structural positions are held by older staff.
AGE_SHARES_LEADERS = (0.0, 0.10, 0.40, 0.50)
TENURE_BANDS = ("<5", "5-14", "15-24", ">=25")
#: JF levels and their shares among JF holders (assumption).
JF_LEVELS = ("JF Keterampilan", "JF Ahli Pertama", "JF Ahli Muda", "JF Ahli Madya", "JF Ahli Utama")
JF_SHARES = (0.30, 0.30, 0.25, 0.13, 0.02)
POSITIONS = ("JPT Madya", "JPT Pratama", "Administrator", "Pengawas", "Pelaksana") + JF_LEVELS
STRUCTURAL = ("JPT Madya", "JPT Pratama", "Administrator", "Pengawas")
TRUE_COMPONENTS = (C.TRUE_RESULTS, C.TRUE_BEHAVIOUR, C.TRUE_TECHNICAL, C.TRUE_NONTECHNICAL)
MIN_UNIT_SIZE = 2


def resolve_size(n: int | str) -> tuple[int, Preset]:
    """Turn ``--n`` (a number or a preset name) into a size and the preset whose structure it uses.

    Examples
    --------
    >>> resolve_size("national")[0]
    4282429
    >>> resolve_size(800)[1].pemda_size
    800
    """
    if isinstance(n, str) and not n.strip().lstrip("-").isdigit():
        if n not in PRESETS:
            raise AsnsimError(f"--n: unknown size preset {n!r}; give a number or one of: {', '.join(PRESETS)}")
        return PRESETS[n].n, PRESETS[n]
    n = int(n)
    if n < 2:
        raise AsnsimError(f"--n must be at least 2 employees, got {n}")
    if n <= 20_000:  # one pemda
        return n, Preset(n, n, 0.0, "one pemda of the given size")
    return n, Preset(n, PRESETS["national"].pemda_size, PRESETS["national"].share_provinsi,
                     "pemda of the national preset's size")


def _split(total: np.ndarray, raw: np.ndarray, group: np.ndarray, minimum: int) -> np.ndarray:
    """Integer sizes per row, >= ``minimum``, summing to ``total[group]`` within each group,
    proportional to ``raw`` (largest-remainder rounding)."""
    n_in = np.bincount(group, minlength=len(total))
    spare = total - minimum * n_in
    w = np.maximum(raw - minimum, 1e-9)
    wsum = np.bincount(group, weights=w, minlength=len(total))
    share = w / wsum[group] * spare[group]
    base = np.floor(share).astype(np.int64)
    left = spare - np.bincount(group, weights=base, minlength=len(total)).astype(np.int64)
    frac = share - base
    order = np.lexsort((-frac, group))
    start = np.cumsum(n_in) - n_in
    rank = np.empty(len(raw), np.int64)
    rank[order] = np.arange(len(raw)) - start[group[order]]
    return minimum + base + (rank < left[group])


def _draw_units(n: int, preset: Preset, rng: np.random.Generator):
    """Units of every pemda: type code, size, pemda, parent unit (-1: top)."""
    names = list(UNIT_TYPES)
    n_pemda = max(1, int(round(n / preset.pemda_size)))
    pemda_sizes = _split(np.array([n]), rng.gamma(16.0, 1 / 16.0, n_pemda), np.zeros(n_pemda, np.int64),
                         MIN_UNIT_SIZE)
    counts = np.empty((n_pemda, len(names)), np.int64)
    for j, name in enumerate(names):
        t = UNIT_TYPES[name]
        counts[:, j] = 1 if t.single else np.rint(pemda_sizes * t.per_1000 / 1000)
    counts[:, names.index("kelurahan")] *= counts[:, names.index("kecamatan")] > 0
    # a pemda too small for all its units keeps the first ones in tree order
    fits = np.cumsum(counts, axis=1) * MIN_UNIT_SIZE <= pemda_sizes[:, None]
    fits[:, 0] = True
    counts = np.where(fits, counts, 0)
    flat = counts.ravel()
    utype = np.tile(np.arange(len(names)), n_pemda).repeat(flat)
    upemda = np.repeat(np.arange(n_pemda), len(names)).repeat(flat)
    n_units = len(utype)
    means = np.array([UNIT_TYPES[k].mean_size for k in names])
    raw = rng.gamma(4.0, means[utype] / 4.0)
    sizes = _split(pemda_sizes, raw, upemda, MIN_UNIT_SIZE)
    # parents: the first unit of the parent type in the same pemda (kelurahan: round-robin over kecamatan)
    first = np.cumsum(np.r_[0, flat])[:-1].reshape(n_pemda, len(names))  # first unit of (pemda, type)
    within = np.arange(n_units) - first[upemda, utype]
    parent = np.full(n_units, -1, np.int64)
    for j, name in enumerate(names):
        p = UNIT_TYPES[name].parent
        if p is None:
            continue
        pj = names.index(p)
        sel = utype == j
        k = counts[upemda[sel], pj]
        ok = k > 0
        idx = first[upemda[sel], pj] + (within[sel] % np.maximum(k, 1) if name == "kelurahan" else 0)
        parent[np.flatnonzero(sel)] = np.where(ok, idx, first[upemda[sel], 0])
    return np.asarray(names)[utype], sizes, upemda, parent, n_pemda


def draw_truth(n: int, rng: np.random.Generator,
               params: PopulationParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw true components, true performance and the innovation flag of ``n`` employees.

    ``z ~ N(0, R)`` with ``R = params.component_corr``; ``true_performance =
    mean(z) / sqrt(1' R 1 / 16)``; innovation with
    ``P = expit(logit(innovation_base) + innovation_slope * true_performance)``.
    Shared by :func:`generate_population` and :func:`asnsim.io.population.population_from_table`.

    Returns
    -------
    (z (n, 4), true_performance (n,), innovation (n,) bool)
    """
    corr = correlation_matrix(params.component_corr)
    u = rng.standard_normal((n, len(TRUE_COMPONENTS)))
    chol = np.linalg.cholesky(corr)
    z = np.zeros_like(u)
    for j in range(len(TRUE_COMPONENTS)):  # z = u @ chol.T, column by column (4 columns; avoids slow BLAS threads)
        for i in range(j + 1):
            z[:, j] += chol[j, i] * u[:, i]
    composite = z.mean(axis=1) / np.sqrt(corr.sum() / corr.shape[0] ** 2)
    p_innov = expit(logit(params.innovation_base) + params.innovation_slope * composite)
    innovation = rng.random(n) < p_innov
    return z, composite, innovation


def generate_population(n: int | str, rng: np.random.Generator,
                        params: PopulationParams | None = None) -> pd.DataFrame:
    """Draw an employees table for a synthetic pemda (or many) of ``n`` ASN.

    Parameters
    ----------
    n : int or str
        Number of employees (>= 2), or a preset name from :data:`PRESETS`
        (``"national"``: 4,282,429 ASN in pemda-sized trees).
    rng : numpy.random.Generator
        The population stage's generator (:func:`asnsim.rng.stage_rng`).
    params : PopulationParams, optional
        Scenario parameters (context spread, shares, correlations, innovation).

    Returns
    -------
    DataFrame
        One row per employee: ``employee_id`` (1..n), ``pemda``, ``unit``,
        ``parent_unit``, ``unit_type``, ``position``, ``position_class``,
        ``status`` (PNS/PPPK), ``sex``, ``age_band``, ``tenure_band``,
        ``supervisor_id`` (0: the kepala daerah), ``unit_difficulty``,
        ``unit_resources``, ``unit_context``, ``true_performance``, the four
        true components, ``innovation`` and ``closeness``.

    Notes
    -----
    True components ``z ~ N(0, R)`` with ``R = params.component_corr``
    (results, behaviour, technical, non-technical competency);
    ``true_performance = mean(z) / sqrt(1' R 1 / 16)`` (unit variance).
    Unit context ``= unit_context_sd * (resources - difficulty) / sqrt(2)``
    with unit-level standard normal difficulty and resources.  Innovation:
    ``P = expit(logit(innovation_base) + innovation_slope * true_performance)``.
    Closeness to the supervisor is Bernoulli(``share_close``).  Demographics
    carry no true differences, so any group gap in scores is bias.

    Examples
    --------
    >>> from asnsim.rng import stage_rng
    >>> emp = generate_population(100, stage_rng(1, "population"))
    >>> len(emp), int((emp.supervisor_id == 0).sum())
    (100, 1)
    """
    n, preset = resolve_size(n)
    params = params or PopulationParams()
    unit_type, sizes, upemda, uparent, n_pemda = _draw_units(n, preset, rng)
    n_units = len(sizes)
    unit = np.repeat(np.arange(n_units), sizes)
    start = np.cumsum(sizes) - sizes
    rank = np.arange(n) - start[unit]                     # 0 = unit head
    head_id = start + 1                                    # employee id of each unit head
    types = list(UNIT_TYPES)
    flat_u = np.isin(unit_type, [t for t in types if UNIT_TYPES[t].flat])
    team = params.team_size
    n_peng = np.where(~flat_u & (sizes - 1 > team), np.ceil((sizes - 1) / (team + 1)), 0).astype(np.int64)
    n_adm = np.where(n_peng >= 3, n_peng // 3, 0)
    n_peng_e, n_adm_e = n_peng[unit], n_adm[unit]
    is_head = rank == 0
    is_adm = (rank >= 1) & (rank <= n_adm_e)
    is_peng = (rank > n_adm_e) & (rank <= n_adm_e + n_peng_e)
    is_staff = ~(is_head | is_adm | is_peng)
    st = start[unit]
    peng_j = rank - 1 - n_adm_e
    staff_k = rank - 1 - n_adm_e - n_peng_e
    sup_peng = np.where(n_adm_e > 0, st + 2 + peng_j % np.maximum(n_adm_e, 1), st + 1)
    sup_staff = np.where(n_peng_e > 0, st + 2 + n_adm_e + staff_k % np.maximum(n_peng_e, 1), st + 1)
    supervisor = np.select([is_adm, is_peng, is_staff], [st + 1, sup_peng, sup_staff], 0)
    parent_head = np.where(uparent >= 0, head_id[np.maximum(uparent, 0)], 0)
    supervisor = np.where(is_head, parent_head[unit], supervisor).astype(np.int64)

    # positions
    ut = pd.Categorical(unit_type, categories=types)
    provinsi = rng.random(n_pemda) < preset.share_provinsi
    head_pos = np.array([POSITIONS.index(UNIT_TYPES[t].head) for t in types])[ut.codes]
    top = (uparent < 0)
    head_pos = np.where(top & provinsi[upemda], POSITIONS.index("JPT Madya"), head_pos)
    jf_share = np.array([UNIT_TYPES[t].jf_share for t in types])[ut.codes][unit]
    u_jf, u_lvl = rng.random(n), rng.choice(len(JF_LEVELS), size=n, p=JF_SHARES)
    staff_pos = np.where(u_jf < jf_share, POSITIONS.index(JF_LEVELS[0]) + u_lvl, POSITIONS.index("Pelaksana"))
    pos = np.select([is_head, is_adm, is_peng], [head_pos[unit], POSITIONS.index("Administrator"),
                                                 POSITIONS.index("Pengawas")], staff_pos)
    is_struct = pos < len(STRUCTURAL)
    pos_class = np.where(is_struct, 0, np.where(pos > POSITIONS.index("Pelaksana"), 1, 2))
    n_staff = max(int(is_staff.sum()), 1)
    pppk = is_staff & ~is_head & (rng.random(n) < min(1.0, params.share_pppk * n / n_staff))

    # demographics (no true differences between groups)
    female = rng.random(n) < params.share_female
    u_age = rng.random(n)
    age_i = np.where(is_struct, np.searchsorted(np.cumsum(AGE_SHARES_LEADERS)[:-1], u_age, side="right"),
                     np.searchsorted(np.cumsum(AGE_SHARES)[:-1], u_age, side="right"))
    tenure_i = np.clip(age_i + rng.integers(-1, 1, size=n, endpoint=True), 0, 3)
    tenure_i = np.where(pppk, 0, tenure_i)

    # unit context
    difficulty = rng.standard_normal(n_units)
    resources = rng.standard_normal(n_units)
    context_u = params.unit_context_sd * (resources - difficulty) / np.sqrt(2.0) + 0.0  # no -0.0

    z, composite, innovation = draw_truth(n, rng, params)
    close = (rng.random(n) < params.share_close) & (supervisor > 0)

    width = max(4, len(str(n_units - 1)))
    unit_names = np.char.add("U", np.char.zfill(np.arange(n_units).astype(str), width))
    pemda_names = np.char.add("P", np.char.zfill(np.arange(n_pemda).astype(str), max(3, len(str(n_pemda)))))
    df = pd.DataFrame({
        C.EMPLOYEE_ID: np.arange(1, n + 1, dtype=np.int64),
        C.PEMDA: pd.Categorical.from_codes(upemda[unit], categories=pemda_names),
        C.UNIT: pd.Categorical.from_codes(unit, categories=unit_names),
        C.PARENT_UNIT: pd.Categorical.from_codes(uparent[unit], categories=unit_names),
        C.UNIT_TYPE: pd.Categorical.from_codes(ut.codes[unit], categories=types),
        C.POSITION: pd.Categorical.from_codes(pos, categories=list(POSITIONS)),
        C.POSITION_CLASS: pd.Categorical.from_codes(pos_class, categories=["struktural", "fungsional",
                                                                           "pelaksana"]),
        C.STATUS: pd.Categorical.from_codes(pppk.astype(np.int8), categories=["PNS", "PPPK"]),
        C.SEX: pd.Categorical.from_codes(female.astype(np.int8), categories=["M", "F"]),
        C.AGE_BAND: pd.Categorical.from_codes(age_i, categories=list(AGE_BANDS)),
        C.TENURE_BAND: pd.Categorical.from_codes(tenure_i, categories=list(TENURE_BANDS)),
        C.SUPERVISOR_ID: supervisor,
        C.UNIT_DIFFICULTY: difficulty[unit],
        C.UNIT_RESOURCES: resources[unit],
        C.UNIT_CONTEXT: context_u[unit],
        C.TRUE_PERFORMANCE: composite,
    })
    for j, name in enumerate(TRUE_COMPONENTS):
        df[name] = z[:, j]
    df[C.INNOVATION] = innovation
    df[C.CLOSENESS] = close.astype(np.int8)
    return df


def monthly_deviations(employees: pd.DataFrame, params: PopulationParams, rng: np.random.Generator,
                       feedback: bool = False, training: bool = False) -> np.ndarray | None:
    """Month-by-month deviations of each employee's results from their annual true level.

    A stationary AR(1) path over the 12 months of the year,
    ``e_m = phi * e_{m-1} + sqrt(1 - phi^2) * period_sd * u_m``, centred so
    that its annual mean is 0 (``true_results`` stays the annual level), plus
    growth from continuous feedback and training:
    ``g_m = (m / 12) * (feedback_growth * feedback + training_growth * training * [true_results < 0])``
    (training reaches the employees below expectation).  The path is drawn from
    the ``truth`` stream and does not depend on the policy (common random
    numbers); only the growth term does.

    Returns
    -------
    ndarray of shape (n, 12), float32, or None when every term is zero.

    Examples
    --------
    >>> from asnsim.rng import stage_rng
    >>> from asnsim.scenario import PopulationParams
    >>> emp = generate_population(50, stage_rng(1, "population"))
    >>> d = monthly_deviations(emp, PopulationParams(period_sd=0.3), stage_rng(1, "truth"))
    >>> d.shape, bool(abs(d.mean(axis=1)).max() < 1e-6)
    ((50, 12), True)
    """
    n = len(employees)
    rate = growth_rate(employees, params, feedback, training)
    if params.period_sd == 0 and rate is None:
        return None
    out = np.zeros((12, n), np.float32)  # month-major: each month is one contiguous row
    if params.period_sd > 0:
        phi = np.float32(params.period_persistence)
        rng.standard_normal((12, n), dtype=np.float32, out=out)
        for m in range(1, 12):  # twelve months: a loop over periods, not employees
            out[m] *= np.sqrt(1 - phi ** 2)
            out[m] += phi * out[m - 1]
        out -= out.mean(axis=0, keepdims=True)
        out *= np.float32(params.period_sd)
    if rate is not None:
        out += (np.arange(1, 13, dtype=np.float32) / 12)[:, None] * rate.astype(np.float32)[None, :]
    return out.T


#: The annual level's share of a year's growth: the mean of m/12 over the months m = 1..12.
ANNUAL_GROWTH_SHARE = 13 / 24


def growth_rate(employees: pd.DataFrame, params: PopulationParams, feedback: bool = False,
                training: bool = False) -> np.ndarray | None:
    """Growth of each employee's true results over a year of feedback and training (true SD per year).

    ``feedback_growth * feedback + training_growth * training * [true_results < 0]`` (training reaches
    the employees below expectation); None when no term is active (see :func:`monthly_deviations`).
    """
    if not ((params.feedback_growth > 0 and feedback) or (params.training_growth > 0 and training)):
        return None
    below = employees[C.TRUE_RESULTS].to_numpy() < 0
    return params.feedback_growth * feedback + params.training_growth * training * below


def add_grown_truth(employees: pd.DataFrame, params: PopulationParams, feedback: bool = False,
                    training: bool = False) -> pd.DataFrame:
    """Set ``true_performance`` to the truth at the time of the annual rating; keep the start of the year.

    The annual rating sees a year of results whose true level is ``true_results`` plus the year's mean
    growth, ``ANNUAL_GROWTH_SHARE * growth_rate`` (13/24 of the year's growth under linear monthly
    growth).  ``true_performance`` moves by that amount times the results component's weight in the
    composite, ``1 / sqrt(1'R1)`` (``true_performance = sum(z) / sqrt(1'R1)``); the start-of-year value is
    kept in ``true_performance_start``, inserted after it.  Without feedback or training growth both
    columns are equal.  The component columns (``true_results``, ...) stay start-of-year levels.
    Modifies ``employees`` in place and returns it.

    Examples
    --------
    >>> from asnsim.rng import stage_rng
    >>> from asnsim.scenario import PopulationParams
    >>> emp = add_grown_truth(generate_population(50, stage_rng(1, "population")),
    ...                       PopulationParams(feedback_growth=0.24), feedback=True)
    >>> gain = emp.true_performance - emp.true_performance_start   # 0.24 * 13/24 / sqrt(8.9)
    >>> round(float(gain.mean()), 4), round(0.13 / 8.9 ** 0.5, 4)
    (0.0436, 0.0436)
    """
    start = employees[C.TRUE_PERFORMANCE].to_numpy(dtype=float)
    rate = growth_rate(employees, params, feedback, training)
    grown = start.copy()
    if rate is not None:
        weight = 1.0 / np.sqrt(correlation_matrix(params.component_corr).sum())
        grown += ANNUAL_GROWTH_SHARE * rate * weight
    if C.TRUE_PERFORMANCE_START in employees.columns:
        employees = employees.drop(columns=C.TRUE_PERFORMANCE_START)
    employees[C.TRUE_PERFORMANCE] = grown
    employees.insert(employees.columns.get_loc(C.TRUE_PERFORMANCE) + 1, C.TRUE_PERFORMANCE_START, start)
    return employees


#: Months covered by each period label, per policy frequency.
def period_months(frequency: str) -> dict[str, np.ndarray]:
    """Period labels of a frequency and the months (0-11) each covers.

    Examples
    --------
    >>> {k: v.tolist() for k, v in period_months("semiannual").items()}
    {'S1': [0, 1, 2, 3, 4, 5], 'S2': [6, 7, 8, 9, 10, 11]}
    """
    m = np.arange(12)
    if frequency == "monthly":
        return {f"M{i + 1:02d}": m[i:i + 1] for i in range(12)}
    if frequency == "quarterly":
        return {f"TW{i + 1}": m[3 * i:3 * i + 3] for i in range(4)}
    if frequency == "semiannual":
        return {f"S{i + 1}": m[6 * i:6 * i + 6] for i in range(2)}
    return {"annual": m}
