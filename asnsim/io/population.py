"""A population read from an (anonymized) employees file, for ``simulate --population``.

The file gives the organisation: units, positions, demographics and
supervisor links.  What a file cannot give stays simulated, from the
population stage's random stream: true performance and its components
(:func:`asnsim.population.draw_truth`, the same draw as for a synthetic
population), the innovation flag, unit context (unless the file has a
``unit_context`` column) and closeness to the supervisor (unless the file
has a ``closeness`` column of 0/1).

The file's IDs (pseudonyms, say) become ``employee_id`` 1..n in file order;
the original ID is kept in ``source_id``, and a supervisor that is empty or
``0`` becomes 0, the kepala daerah (the top of a tree).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import columns as C
from ..population import JF_LEVELS, STRUCTURAL, draw_truth
from ..scenario import PopulationParams
from .schemas import Validated, read_table

SOURCE_ID = "source_id"


def read_population(path, column_map: dict[str, str] | None = None, skip_invalid: bool = False,
                    sheet: str | int | None = None) -> Validated:
    """Read and validate an employees file (see ``docs/input-formats.md``).

    With ``skip_invalid``, rows whose supervisor was rejected are rejected in turn
    (their supervisor link would dangle), repeatedly, so the tree stays whole.
    """
    v = read_table(path, "employees", column_map, skip_invalid=skip_invalid, sheet=sheet)
    data = v.data
    while skip_invalid:  # drop, level by level, rows whose supervisor's row was rejected
        sup = data[C.SUPERVISOR_ID]
        dangling = (sup.notna() & (sup != "0") & ~sup.isin(data[C.EMPLOYEE_ID])).to_numpy(bool)
        if not dangling.any():
            break
        mask = np.zeros(len(v.ledger), dtype=bool)
        mask[np.searchsorted(v.ledger.rows, data.loc[dangling, "source_row"].to_numpy())] = True
        v.ledger.reject(mask, C.SUPERVISOR_ID, "the supervisor's own row was rejected")
        data = data.loc[~dangling]
    v.data = data.reset_index(drop=True)
    return v


def population_from_table(table: pd.DataFrame, rng: np.random.Generator,
                          params: PopulationParams | None = None) -> pd.DataFrame:
    """Turn a validated employees table into a simulation population.

    Parameters
    ----------
    table : DataFrame
        ``Validated.data`` of an employees file (string IDs).
    rng : numpy.random.Generator
        The population stage's generator (``stage_rng(seed, "population", ...)``).
    params : PopulationParams, optional
        Scenario parameters: ``component_corr``, ``innovation_*``, ``share_close``
        and ``unit_context_sd`` are used for what the file does not hold.

    Returns
    -------
    DataFrame
        The columns of :func:`asnsim.population.generate_population` plus
        ``source_id``.

    Notes
    -----
    Draw order on ``rng`` (fixed, so a seed reproduces the population): unit
    difficulty and resources (one standard normal each per unit), then
    :func:`~asnsim.population.draw_truth`, then closeness.  Unit context is
    ``unit_context_sd * (resources - difficulty) / sqrt(2)``, as for a
    synthetic population.  ``position_class`` when absent: ``struktural`` for
    JPT/Administrator/Pengawas, ``fungsional`` for JF positions, else
    ``pelaksana``.  ``parent_unit`` when absent: the unit of the supervisor of
    the unit's leader (the member whose supervisor is outside the unit).

    Examples
    --------
    >>> t = pd.DataFrame({"employee_id": ["a", "b", "c"], "unit": ["U1", "U1", "U2"],
    ...                   "supervisor_id": [None, "a", "a"]})
    >>> from asnsim.rng import stage_rng
    >>> pop = population_from_table(t, stage_rng(1, "population"))
    >>> pop[["employee_id", "supervisor_id", "parent_unit"]].values.tolist()
    [[1, 0, nan], [2, 1, nan], [3, 1, 'U1']]
    """
    params = params or PopulationParams()
    t = table.reset_index(drop=True)
    n = len(t)
    ids = t[C.EMPLOYEE_ID].astype(str).to_numpy()
    int_id = pd.Series(np.arange(1, n + 1, dtype=np.int64), index=ids)
    sup_raw = t[C.SUPERVISOR_ID] if C.SUPERVISOR_ID in t.columns else pd.Series(pd.NA, index=t.index)
    top = sup_raw.isna() | (sup_raw.astype("string") == "0")
    sup = sup_raw.astype("string").map(int_id).where(~top, 0).fillna(0).astype(np.int64).to_numpy()

    unit = t[C.UNIT].astype(str)
    unit_codes, unit_names = pd.factorize(unit, sort=True)
    n_units = len(unit_names)

    def col(name: str, default) -> pd.Series:
        if name in t.columns:
            return t[name].astype("string").fillna(default) if default is not None else t[name]
        return pd.Series(default, index=t.index, dtype="string")

    position = col(C.POSITION, "unknown")
    if C.POSITION_CLASS in t.columns and t[C.POSITION_CLASS].notna().all():
        pos_class = t[C.POSITION_CLASS].astype("string")
    else:
        derived = np.where(position.isin(STRUCTURAL), "struktural",
                           np.where(position.isin(JF_LEVELS) | position.str.startswith("JF").fillna(False),
                                    "fungsional", "pelaksana"))
        pos_class = (t[C.POSITION_CLASS].astype("string").fillna(pd.Series(derived, index=t.index))
                     if C.POSITION_CLASS in t.columns else pd.Series(derived, index=t.index, dtype="string"))
    # parent unit: the unit of the supervisor of the unit's leader
    sup_unit = np.where(sup > 0, unit_codes[np.maximum(sup - 1, 0)], -1)
    is_leader = sup_unit != unit_codes
    lead_parent = pd.Series(sup_unit[is_leader]).groupby(unit_codes[is_leader]).first()
    parent_code = lead_parent.reindex(np.arange(n_units)).fillna(-1).astype(np.int64).to_numpy()
    parent_derived = pd.Categorical.from_codes(parent_code[unit_codes], categories=list(unit_names))
    parent = (t[C.PARENT_UNIT].astype("string") if C.PARENT_UNIT in t.columns and t[C.PARENT_UNIT].notna().any()
              else parent_derived)

    difficulty = rng.standard_normal(n_units)
    resources = rng.standard_normal(n_units)
    context_u = params.unit_context_sd * (resources - difficulty) / np.sqrt(2.0) + 0.0
    if C.UNIT_CONTEXT in t.columns and t[C.UNIT_CONTEXT].notna().any():
        context = t[C.UNIT_CONTEXT].astype(float).fillna(0.0).to_numpy()
    else:
        context = context_u[unit_codes]
    z, composite, innovation = draw_truth(n, rng, params)
    close_draw = (rng.random(n) < params.share_close) & (sup > 0)
    if C.CLOSENESS in t.columns and t[C.CLOSENESS].notna().any():
        close = (t[C.CLOSENESS].astype(float).fillna(0.0).to_numpy() > 0) & (sup > 0)
    else:
        close = close_draw

    df = pd.DataFrame({
        C.EMPLOYEE_ID: np.arange(1, n + 1, dtype=np.int64),
        C.PEMDA: pd.Categorical(col(C.PEMDA, "P000").astype(str)),
        C.UNIT: pd.Categorical(unit),
        C.PARENT_UNIT: parent,
        C.UNIT_TYPE: pd.Categorical(col(C.UNIT_TYPE, "unknown").astype(str)),
        C.POSITION: pd.Categorical(position.astype(str)),
        C.POSITION_CLASS: pd.Categorical(pos_class.astype(str)),
        C.STATUS: pd.Categorical(col(C.STATUS, "PNS").astype(str)),
        C.SEX: pd.Categorical(col(C.SEX, "unknown").astype(str)),
        C.AGE_BAND: pd.Categorical(col(C.AGE_BAND, "unknown").astype(str)),
        C.TENURE_BAND: pd.Categorical(col(C.TENURE_BAND, "unknown").astype(str)),
        C.SUPERVISOR_ID: sup,
        C.UNIT_DIFFICULTY: difficulty[unit_codes],
        C.UNIT_RESOURCES: resources[unit_codes],
        C.UNIT_CONTEXT: context,
        C.TRUE_PERFORMANCE: composite,
    })
    from ..population import TRUE_COMPONENTS
    for j, name in enumerate(TRUE_COMPONENTS):
        df[name] = z[:, j]
    df[C.INNOVATION] = innovation
    df[C.CLOSENESS] = close.astype(np.int8)
    df[SOURCE_ID] = ids
    return df


def load_population_option(args) -> Validated | None:
    """``--population FILE`` of simulate/compare: read, refuse personal data unless allowed, validate.

    Returns None when the option is not given.  The result's ``info`` (file
    name, SHA-256 of its bytes, rows used and rejected) goes into the run's
    manifest.
    """
    path = getattr(args, "population", None)
    if not path:
        return None
    from .gate import read_input
    from .readers import parse_column_map

    raw = read_input(path, allow_personal_data=getattr(args, "allow_personal_data", False))
    v = read_population(raw, parse_column_map(getattr(args, "column_map", None)),
                        skip_invalid=getattr(args, "skip_invalid", False))
    import hashlib

    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    summary = v.ledger.summary()
    v.info = {"file": Path(path).name, "sha256": digest, **summary}
    return v
