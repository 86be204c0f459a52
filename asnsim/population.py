"""Synthetic organisations with known true performance.

A pemda (city government) is a tree: the Sekretariat Daerah, whose head
(the sekda) is rated by the kepala daerah (``supervisor_id = 0``, not an
employee), and OPD units whose heads are rated by the sekda.  Inside a unit,
Pengawas-level sub-heads each lead a team of staff (Pelaksana or JF).  Every
employee has exactly one supervisor (pejabat penilai kinerja).

All of it is drawn with numpy arrays: no Python loop over employees.
Numbers that no source gives are documented in ``docs/model.md`` as
assumptions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import columns as C
from .scenario import PopulationParams

#: OPD types with (share of units, mean unit size); sizes follow DOMAIN.md s.1
#: (an OPD has 30-150, a kecamatan office 15-40, a kelurahan 5-10): assumption.
UNIT_TYPES: dict[str, tuple[float, float]] = {
    "secretariat": (0.10, 60.0),
    "education": (0.08, 120.0),
    "health": (0.08, 90.0),
    "civil_registry": (0.05, 40.0),
    "public_works": (0.07, 60.0),
    "other_dinas": (0.12, 45.0),
    "kecamatan": (0.20, 25.0),
    "kelurahan": (0.30, 7.0),
}
AGE_BANDS = ("<=30", "31-40", "41-50", "51-60")
AGE_SHARES = (0.09, 0.24, 0.33, 0.34)  # DOMAIN.md s.1 (PNS 2023)
TENURE_BANDS = ("<5", "5-14", "15-24", ">=25")
TEAM_SIZE = 8  # staff per Pengawas sub-head (DOMAIN.md: a supervisor rates 3-15): assumption
TRUE_COMPONENTS = (C.TRUE_RESULTS, C.TRUE_BEHAVIOUR, C.TRUE_TECHNICAL, C.TRUE_NONTECHNICAL)


def _unit_sizes(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw unit types and sizes (>= 2) whose sum is exactly ``n``."""
    types = np.array(list(UNIT_TYPES))
    shares = np.array([v[0] for v in UNIT_TYPES.values()])
    means = np.array([v[1] for v in UNIT_TYPES.values()])
    avg = float(shares @ means)
    m = int(np.ceil(n / avg * 1.5)) + 4
    t = rng.choice(len(types), size=m, p=shares / shares.sum())
    sizes = np.maximum(2, rng.poisson(means[t] - 2) + 2)
    t[0], sizes[0] = 0, max(2, min(int(sizes[0]), n))  # unit 0 is the Sekretariat Daerah
    cum = np.cumsum(sizes)
    k = int(np.searchsorted(cum, n)) + 1
    t, sizes = t[:k], sizes[:k].copy()
    sizes[-1] -= int(cum[k - 1] - n)
    if sizes[-1] < 2 and k > 1:  # fold a 1-person remainder into the previous unit
        sizes[-2] += sizes[-1]
        t, sizes = t[:-1], sizes[:-1]
    return types[t], sizes


def generate_population(n: int, rng: np.random.Generator, params: PopulationParams | None = None) -> pd.DataFrame:
    """Draw an employees table for a synthetic pemda of ``n`` ASN.

    Parameters
    ----------
    n : int
        Number of employees (>= 2).
    rng : numpy.random.Generator
        The population stage's generator (see :func:`asnsim.rng.stage_rng`).
    params : PopulationParams, optional
        Scenario parameters (unit context spread, share female, closeness).

    Returns
    -------
    DataFrame
        One row per employee with the columns of :data:`asnsim.columns.EMPLOYEE_COLUMNS`,
        the true components and ``closeness`` (1 when the employee is personally
        close to the supervisor).  ``employee_id`` runs 1..n; ``supervisor_id`` 0 is
        the kepala daerah.  True components are standard normal with pairwise
        correlation ``params.component_corr``; ``true_performance`` is their
        standardized mean.

    Examples
    --------
    >>> from asnsim.rng import stage_rng
    >>> emp = generate_population(100, stage_rng(1, "population"))
    >>> len(emp), int((emp.supervisor_id == 0).sum())
    (100, 1)
    """
    if n < 2:
        from .errors import AsnsimError
        raise AsnsimError(f"--n must be at least 2 employees, got {n}")
    params = params or PopulationParams()
    unit_type, sizes = _unit_sizes(n, rng)
    n_units = len(sizes)
    unit = np.repeat(np.arange(n_units), sizes)
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    rank = np.arange(n) - start  # 0 = unit head
    n_sub = np.where(sizes >= 6, np.ceil((sizes - 1) / (TEAM_SIZE + 1)), 0).astype(int)
    nsub_e = n_sub[unit]
    emp_id = np.arange(1, n + 1)
    head_id = start + 1
    is_head = rank == 0
    is_sub = (rank >= 1) & (rank <= nsub_e)
    staff_team = np.where(nsub_e > 0, 1 + (rank - 1 - nsub_e) % np.maximum(nsub_e, 1), 0)
    supervisor = np.where(is_sub | (nsub_e == 0), head_id, start + 1 + staff_team)
    supervisor = np.where(is_head, 1, supervisor)  # unit heads report to the sekda
    supervisor[0] = 0                               # the sekda reports to the kepala daerah

    utype = unit_type[unit]
    position = np.where(is_head, np.where(np.isin(utype, ["kelurahan"]), "Pengawas",
                                          np.where(utype == "kecamatan", "Administrator", "JPT Pratama")),
                        np.where(is_sub, np.where(utype == "kelurahan", "Pelaksana", "Pengawas"), "Pelaksana"))
    jf_share = np.select([utype == "education", utype == "health"], [0.7, 0.6], 0.15)
    is_jf = (~is_head & ~is_sub) & (rng.random(n) < jf_share)
    jf_levels = np.array(["JF Ahli Pertama", "JF Ahli Muda", "JF Ahli Madya", "JF Keterampilan"])
    position = np.where(is_jf, jf_levels[rng.choice(4, size=n, p=[0.35, 0.3, 0.1, 0.25])], position)
    position_class = np.where(np.char.startswith(position.astype(str), "JF"), "fungsional",
                              np.where(np.isin(position, ["JPT Pratama", "Administrator", "Pengawas"]),
                                       "struktural", "pelaksana"))

    sex = np.where(rng.random(n) < params.share_female, "F", "M")
    age_i = rng.choice(4, size=n, p=AGE_SHARES)
    tenure_i = np.clip(age_i + rng.integers(-1, 1, size=n, endpoint=True), 0, 3)

    context_u = rng.normal(0.0, 1.0, size=n_units) * params.unit_context_sd
    rho = params.component_corr
    k = len(TRUE_COMPONENTS)
    cov = np.full((k, k), rho) + (1 - rho) * np.eye(k)
    chol = np.linalg.cholesky(cov)
    z = rng.standard_normal((n, k)) @ chol.T
    composite = z.mean(axis=1) / np.sqrt((1 + (k - 1) * rho) / k)
    close = (rng.random(n) < params.share_close).astype(np.int8)
    close[is_head & (np.arange(n) == 0)] = 0

    df = pd.DataFrame({
        C.EMPLOYEE_ID: emp_id,
        C.UNIT: np.char.add("U", np.char.zfill(unit.astype(str), 4)),
        C.UNIT_TYPE: utype,
        C.POSITION: position,
        C.POSITION_CLASS: position_class,
        C.SEX: sex,
        C.AGE_BAND: np.asarray(AGE_BANDS)[age_i],
        C.TENURE_BAND: np.asarray(TENURE_BANDS)[tenure_i],
        C.SUPERVISOR_ID: supervisor,
        C.UNIT_CONTEXT: context_u[unit],
        C.TRUE_PERFORMANCE: composite,
    })
    for j, name in enumerate(TRUE_COMPONENTS):
        df[name] = z[:, j]
    df[C.CLOSENESS] = close
    return df
