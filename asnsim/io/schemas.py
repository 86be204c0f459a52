"""Input schemas for real data: ratings, employees and indicators.

Each table is a :class:`TableSpec` (required and optional columns, numeric
columns, allowed values, the key that must be unique).  :func:`validate`
takes a :class:`~asnsim.io.readers.RawTable`, renames columns through the
column map, coerces types, runs the checks (a `pandera`_ schema for
missingness, ranges and allowed values; duplicate keys, ID mangling and
supervisor links by hand) and records every failing row in a
:class:`~asnsim.io.ledger.RowLedger`.

.. _pandera: https://pandera.readthedocs.io
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .. import columns as C
from ..bounds import LATENT_LIMIT, MONEY_LIMIT, SCORE_LIMIT
from ..errors import InputError
from .ledger import RowLedger
from .readers import RawTable, apply_column_map

#: The largest magnitude a number of each column may have (asnsim.bounds): scores and capaian are points on a
#: scale or percentages, targets and realisations can be rupiah, unit context is in SD of true performance.
SANE_MAGNITUDE = {C.SCORE: SCORE_LIMIT, C.CAPAIAN: SCORE_LIMIT, C.TARGET: MONEY_LIMIT, C.REALISASI: MONEY_LIMIT,
                  C.UNIT_CONTEXT: LATENT_LIMIT}
#: Cell values read as "no value" (compared case-insensitively, after stripping spaces).
MISSING_TOKENS = ("", "na", "n/a", "nan", "null", "none", "-")
#: Accepted spellings of sex, mapped to asnsim's M/F (L/P: laki-laki/perempuan; 1/2 as in the NIP).
SEX_CODES = {"m": "M", "male": "M", "l": "M", "laki-laki": "M", "pria": "M", "1": "M",
             "f": "F", "female": "F", "p": "F", "perempuan": "F", "wanita": "F", "2": "F"}
_SCIENTIFIC = r"^\d(?:[.,]\d+)?[eE][+]?\d+$"


@dataclass(frozen=True)
class TableSpec:
    """What one input table must hold."""

    name: str
    required: tuple[str, ...]
    optional: dict[str, object] = field(default_factory=dict)   # column -> default (None: stays missing)
    ids: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return list(self.required) + [c for c in self.optional if c not in self.required]


RATINGS = TableSpec(
    name="ratings",
    required=(C.RATEE_ID, C.RATER_ID, C.SCORE),
    optional={C.RATER_ROLE: C.ATASAN, C.ITEM: "overall", C.PERIOD: "annual", C.COMPONENT: None},
    ids=(C.RATEE_ID, C.RATER_ID),
    numeric=(C.SCORE,),
    key=(C.RATEE_ID, C.RATER_ID, C.ITEM, C.PERIOD),
    allowed={C.RATER_ROLE: C.ROLES},
)
EMPLOYEES = TableSpec(
    name="employees",
    required=(C.EMPLOYEE_ID, C.UNIT),
    optional={C.SUPERVISOR_ID: None, C.UNIT_TYPE: "unknown", C.POSITION: "unknown",
              C.POSITION_CLASS: None, C.STATUS: None, C.SEX: None, C.AGE_BAND: None, C.TENURE_BAND: None,
              C.PARENT_UNIT: None, C.PEMDA: None, C.UNIT_CONTEXT: None, C.CLOSENESS: None},
    ids=(C.EMPLOYEE_ID, C.SUPERVISOR_ID),
    numeric=(C.UNIT_CONTEXT, C.CLOSENESS),
    key=(C.EMPLOYEE_ID,),
    allowed={C.SEX: ("M", "F"), C.STATUS: ("PNS", "PPPK"),
             C.POSITION_CLASS: ("struktural", "fungsional", "pelaksana")},
)
INDICATORS = TableSpec(
    name="indicators",
    required=(C.EMPLOYEE_ID, C.INDICATOR, C.TARGET, C.REALISASI),
    optional={C.PERIOD: "annual", C.ASPECT: "kuantitas", C.COMPONENT: None, C.CAPAIAN: None},
    ids=(C.EMPLOYEE_ID,),
    numeric=(C.TARGET, C.REALISASI, C.CAPAIAN),
    key=(C.EMPLOYEE_ID, C.INDICATOR, C.ASPECT, C.PERIOD),
    allowed={C.ASPECT: ("kuantitas", "kualitas", "waktu", "biaya")},
)
SPECS = {s.name: s for s in (RATINGS, EMPLOYEES, INDICATORS)}


@dataclass
class Validated:
    """A validated table: ``data`` holds the valid rows in asnsim's columns."""

    data: pd.DataFrame
    ledger: RowLedger
    raw: RawTable
    info: dict = field(default_factory=dict)   # provenance for manifests (file, sha256, counts)

    def rejected(self) -> pd.DataFrame:
        """The rejected rows with their reasons and original values (``rejected_rows.csv``)."""
        return self.ledger.rejected(self.raw.data)


def pandera_schema(spec: TableSpec, score_range: tuple[float, float] | None = None) -> pa.DataFrameSchema:
    """The pandera schema that checks a coerced table (missing values, ranges, allowed values)."""
    cols: dict[str, pa.Column] = {}
    for c in spec.columns:
        checks = []
        if c in spec.numeric:
            checks.append(pa.Check(lambda s: np.isfinite(s) | s.isna(), error="not a finite number"))
            limit = SANE_MAGNITUDE.get(c)
            if limit is not None:   # a number no appraisal holds (1e308 overflows the statistics downstream)
                checks.append(pa.Check(lambda s, m=limit: ~np.isfinite(s) | (s.abs() <= m) | s.isna(),
                                       error=f"beyond +-{limit:,.0f}: not a plausible {c}"))
        if c == C.SCORE and score_range is not None:
            lo, hi = score_range
            checks.append(pa.Check.in_range(lo, hi, error=f"score outside the scale {lo:g} to {hi:g}"))
        if c == C.TARGET:
            checks.append(pa.Check.gt(0, error="target must be positive"))
        if c == C.CLOSENESS:
            checks.append(pa.Check.isin([0.0, 1.0], error="closeness must be 0 or 1"))
        if c in (C.REALISASI, C.CAPAIAN):
            checks.append(pa.Check.ge(0, error=f"{c} must not be negative"))
        if c in spec.allowed:
            checks.append(pa.Check.isin(list(spec.allowed[c]),
                                        error=f"not one of the allowed values {', '.join(spec.allowed[c])}"))
        nullable = c not in spec.required
        cols[c] = pa.Column(float if c in spec.numeric else None, checks=checks, nullable=nullable,
                            required=c in spec.required)
    return pa.DataFrameSchema(cols, strict=False, name=spec.name)


def _as_text(s: pd.Series) -> pd.Series:
    """Cells as stripped text; missing tokens become NA; integral floats lose their '.0'."""
    if pd.api.types.is_float_dtype(s) and s.dropna().eq(np.floor(s.dropna())).all():
        s = s.astype("Int64")
    t = s.astype("string[pyarrow]").str.strip()  # pyarrow strings: vectorized string kernels
    return t.mask(t.str.lower().isin(MISSING_TOKENS))


def _as_number(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers, accepting a decimal comma ("2,5"); returns (values, mask of unparsable cells)."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype(float), pd.Series(False, index=s.index)
    t = _as_text(s)
    t = t.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)
    v = pd.to_numeric(t, errors="coerce").astype(float)
    return v, t.notna() & v.isna()


def validate(raw: RawTable, spec: TableSpec | str, column_map: dict[str, str] | None = None,
             score_range: tuple[float, float] | None = None, check_duplicates: bool = True) -> Validated:
    """Check a raw table against a spec; every row ends up used or rejected in the ledger.

    Parameters
    ----------
    raw : RawTable
        From :func:`asnsim.io.readers.read_raw`.
    spec : TableSpec or str
        ``"ratings"``, ``"employees"`` or ``"indicators"``.
    column_map : dict, optional
        ``{asnsim_name: your_name}``.
    score_range : (float, float), optional
        The rating scale; a score outside it rejects the row.
    check_duplicates : bool
        Reject rows sharing the table's key (default).  ``analyze`` turns it off for a ratings file
        without an item column, whose repeated (ratee, rater) rows are unnamed items.

    Returns
    -------
    Validated
        Call ``.ledger.settle(skip_invalid)`` to stop on invalid rows or keep
        the valid ones (:func:`read_table` does both steps).

    Raises
    ------
    InputError
        A required column is missing (the message lists the file's columns).
    """
    spec = SPECS[spec] if isinstance(spec, str) else spec
    src = raw.source
    df = apply_column_map(raw.data, column_map or {}, src, known=spec.columns)
    missing = [c for c in spec.required if c not in df.columns]
    if missing:
        raise InputError(src, f"missing required column '{missing[0]}' for a {spec.name} table "
                              f"(required: {', '.join(spec.required)}); the file has: "
                              f"{', '.join(map(str, raw.data.columns)) or '(none)'}; "
                              f"map your names with --column-map {missing[0]}=YOUR_COLUMN",
                         row=1, column=missing[0])
    ledger = RowLedger(src, raw.rows, malformed=raw.malformed)
    out = pd.DataFrame(index=df.index)
    shown: dict[str, pd.Series] = {}
    for c in spec.columns:
        if c not in df.columns:
            continue
        shown[c] = _as_text(df[c]).fillna("")
        if c in spec.numeric:
            out[c], bad = _as_number(df[c])
            ledger.reject(bad.to_numpy(), c, "not a number: '" + shown[c] + "'")
        else:
            out[c] = _as_text(df[c])
    present = [c for c in spec.columns if c in out.columns]
    ledger.mark_empty(out[present].isna().all(axis=1).to_numpy())
    for c in spec.ids:
        if c in out.columns:
            sci = out[c].str.fullmatch(_SCIENTIFIC).fillna(False).to_numpy(bool)
            ledger.reject(sci, c, "ID in scientific notation (a spreadsheet turned it into a number and "
                                  "lost digits): export ID columns as text")
    if C.SEX in out.columns:
        raw_sex = out[C.SEX]
        out[C.SEX] = raw_sex.str.lower().map(SEX_CODES).astype("string[pyarrow]").where(raw_sex.notna())
        out.loc[raw_sex.notna() & out[C.SEX].isna(), C.SEX] = raw_sex
    _pandera_checks(out, spec, score_range, ledger, shown)
    for c, default in spec.optional.items():
        if default is not None:
            out[c] = out[c].fillna(default) if c in out.columns else default
        elif c not in out.columns:
            out[c] = (pd.Series(np.nan, index=out.index, dtype=float) if c in spec.numeric
                      else pd.Series(pd.NA, index=out.index, dtype="string"))
    if check_duplicates:
        _duplicates(out, spec, ledger)
    if spec.name == "employees":
        _supervisor_links(out, ledger)
    if spec.name == "indicators":
        ratio = out[C.ASPECT].isin(["kuantitas", "kualitas"])  # waktu/biaya: the regime's formula, in scoring
        out[C.CAPAIAN] = out[C.CAPAIAN].fillna((out[C.REALISASI] / out[C.TARGET] * 100.0).where(ratio))
    out.insert(0, "source_row", ledger.rows)
    return Validated(out, ledger, raw)


def _pandera_checks(out: pd.DataFrame, spec: TableSpec, score_range, ledger: RowLedger,
                    shown: dict[str, pd.Series]) -> None:
    schema = pandera_schema(spec, score_range)
    try:
        schema.validate(out, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        fc = fc[fc["index"].notna()]
        for (column, check), grp in fc.groupby(["column", "check"], sort=False):
            pos = out.index.get_indexer(grp["index"].astype(np.int64))
            mask = np.zeros(len(out), dtype=bool)
            mask[pos[pos >= 0]] = True
            if check == "not_nullable":
                mask &= (shown[column] == "").to_numpy()  # unparsable cells were reported as such
                reason = "missing value"
            else:
                reason = f"{check}: got '" + shown[column] + "'"
            ledger.reject(mask, column, reason)


def _duplicates(out: pd.DataFrame, spec: TableSpec, ledger: RowLedger) -> None:
    key = list(spec.key)
    keyed = out[key].notna().all(axis=1) & ledger.valid_mask()
    dup = out.loc[keyed, key].duplicated(keep=False).reindex(out.index, fill_value=False)
    if not dup.any():
        return
    rows = pd.Series(ledger.rows, index=out.index)[dup]
    grp = rows.groupby([out.loc[dup, k] for k in key], sort=False)
    first, last = grp.transform("min"), grp.transform("max")
    other = first.where(first != rows, last)
    reason = pd.Series("", index=out.index, dtype=object)
    reason[dup] = (f"duplicate ({', '.join(key)}): the same key is in row " + other.astype(str)).to_numpy()
    ledger.reject(dup.to_numpy(), ",".join(key), reason)


def _supervisor_links(out: pd.DataFrame, ledger: RowLedger) -> None:
    """supervisor_id must be empty or 0 (the top of the tree) or another employee's ID; no loops."""
    sup = out[C.SUPERVISOR_ID]
    ids = out[C.EMPLOYEE_ID]
    top = sup.isna() | (sup == "0")
    unknown = ~top & ~sup.isin(ids.dropna())
    ledger.reject(unknown.to_numpy(), C.SUPERVISOR_ID,
                  "supervisor_id '" + sup.fillna("") + "' is not the employee_id of any row")
    self_sup = ~top & (sup == ids)
    ledger.reject(self_sup.fillna(False).to_numpy(bool), C.SUPERVISOR_ID, "an employee cannot supervise themself")
    # loops: follow supervisor pointers (vectorized pointer doubling); a row still not at the top after
    # 2^k >= n steps is on or under a loop
    ok = ~(unknown | self_sup.fillna(False)) & ids.notna()
    first_pos = pd.Series(np.arange(len(ids)), index=ids).groupby(level=0).first()
    parent = sup.map(first_pos).where(ok & ~top).fillna(-1).to_numpy(np.int64)
    parent = np.where(ok.to_numpy(bool), parent, -1)
    nxt = parent.copy()
    for _ in range(int(np.ceil(np.log2(max(len(ids), 2)))) + 1):
        nxt = np.where(nxt >= 0, nxt[np.maximum(nxt, 0)], -1)
    loops = nxt >= 0
    ledger.reject(loops, C.SUPERVISOR_ID, "the supervisor chain loops back without reaching the top")


def read_table(path, spec: TableSpec | str, column_map: dict[str, str] | None = None,
               score_range: tuple[float, float] | None = None, skip_invalid: bool = False,
               sheet: str | int | None = None) -> Validated:
    """Read and validate one input file (or a :class:`RawTable` already read); stop on an invalid row unless
    ``skip_invalid``.

    Examples
    --------
    >>> from importlib.resources import files
    >>> v = read_table("data/samples/ratings.csv", "ratings", score_range=(1, 3))  # doctest: +SKIP
    """
    from .readers import read_raw

    raw = path if isinstance(path, RawTable) else read_raw(path, sheet)   # a RawTable from the input gate
    v = validate(raw, spec, column_map, score_range)
    valid = v.ledger.settle(skip_invalid)
    v.data = v.data.loc[valid].reset_index(drop=True)
    return v
