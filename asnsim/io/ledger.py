"""The row ledger: every input row is either used or rejected with its reason.

Checks add reasons with boolean masks (one call per check, vectorized over
rows); the ledger keeps, for each row, every reason found, in the order the
checks ran.  At the end :meth:`RowLedger.settle` either raises an
:class:`~asnsim.errors.InputError` naming the first bad rows (the default: an
invalid row stops the run) or, with ``skip_invalid``, lets the run go on with
the valid rows only, the rejected ones listed by :meth:`RowLedger.rejected`
(written as ``rejected_rows.csv``).

Row numbers are the ones a spreadsheet shows: the header is row 1, the first
data row is row 2 (for Parquet, which has no header line, the same
convention is kept so that a file converted between formats keeps its row
numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError

#: Row status values in :meth:`RowLedger.table`.
USED, REJECTED, EMPTY = "used", "rejected", "empty"
#: How many bad rows the stopping error names before it only counts the rest.
FIRST_NAMED = 3


@dataclass
class RowLedger:
    """Used/rejected bookkeeping for one input table.

    Parameters
    ----------
    source : str
        The file name shown in messages.
    rows : numpy.ndarray
        The spreadsheet row number of each data row, in table order.
    """

    source: str
    rows: np.ndarray
    _issues: list[pd.DataFrame] = field(default_factory=list)
    _empty: np.ndarray | None = None
    malformed: pd.DataFrame | None = None  # rows the parser could not split into the header's fields

    def __post_init__(self) -> None:
        self.rows = np.asarray(self.rows, dtype=np.int64)
        if self._empty is None:
            self._empty = np.zeros(len(self.rows), dtype=bool)

    def __len__(self) -> int:
        return len(self.rows)

    # ------------------------------------------------------------ recording
    def mark_empty(self, mask: np.ndarray) -> None:
        """Mark rows that hold no value at all (blank lines): skipped, not errors."""
        self._empty |= np.asarray(mask, dtype=bool)

    def reject(self, mask, column: str | None, reason) -> None:
        """Reject the rows where ``mask`` is true.

        ``reason`` is one string for all of them or a Series/array of strings
        aligned with the table (only the masked entries are used).
        """
        mask = np.asarray(mask, dtype=bool) & ~self._empty
        if not mask.any():
            return
        pos = np.flatnonzero(mask)
        if isinstance(reason, str):
            reasons = np.full(len(pos), reason, dtype=object)
        else:
            reasons = np.asarray(reason, dtype=object)[pos]
        self._issues.append(pd.DataFrame({"pos": pos, "column": column or "", "reason": reasons}))

    # ------------------------------------------------------------ results
    def issues(self) -> pd.DataFrame:
        """Every problem found: ``pos, row, column, reason`` sorted by row (malformed rows included)."""
        parts = list(self._issues)
        out = (pd.concat(parts, ignore_index=True) if parts
               else pd.DataFrame({"pos": pd.Series(dtype=np.int64), "column": pd.Series(dtype=object),
                                  "reason": pd.Series(dtype=object)}))
        out["row"] = self.rows[out["pos"].to_numpy(np.int64)] if len(out) else np.zeros(0, np.int64)
        if self.malformed is not None and len(self.malformed):
            bad = self.malformed.assign(pos=-1, column="")
            out = pd.concat([out, bad[["pos", "row", "column", "reason"]]], ignore_index=True)
        return out.sort_values(["row"], kind="stable").reset_index(drop=True)[["pos", "row", "column", "reason"]]

    def valid_mask(self) -> np.ndarray:
        """True for rows that passed every check and are not empty."""
        bad = np.zeros(len(self.rows), dtype=bool)
        for part in self._issues:
            bad[part["pos"].to_numpy(np.int64)] = True
        return ~bad & ~self._empty

    def n_rejected(self) -> int:
        n_mal = 0 if self.malformed is None else len(self.malformed)
        return int((~self.valid_mask() & ~self._empty).sum()) + n_mal

    def summary(self) -> dict[str, int]:
        """Counts: rows read, used, rejected, empty (skipped)."""
        n_mal = 0 if self.malformed is None else len(self.malformed)
        used = int(self.valid_mask().sum())
        empty = int(self._empty.sum())
        return {"rows_read": len(self.rows) + n_mal, "used": used,
                "rejected": self.n_rejected(), "empty": empty}

    def rejected(self, raw: pd.DataFrame | None = None) -> pd.DataFrame:
        """One line per rejected row: ``row, column, reason`` (all reasons joined by "; "),
        followed by the row's original values when ``raw`` (the table as read) is given."""
        iss = self.issues()
        if not len(iss):
            cols = ["row", "column", "reason"] + ([] if raw is None else list(raw.columns))
            return pd.DataFrame(columns=cols)
        iss = iss.drop_duplicates(["row", "column", "reason"])
        many = iss["row"].duplicated(keep=False)
        out = iss.loc[~many, ["row", "pos", "column", "reason"]]
        if many.any():  # rows with several problems: join their columns and reasons (only these rows)
            multi = iss.loc[many]
            joined = multi.groupby("row", sort=False).agg(
                pos=("pos", "first"),
                column=("column", lambda s: ";".join(dict.fromkeys(c for c in s if c))),
                reason=("reason", "; ".join)).reset_index()
            out = pd.concat([out, joined], ignore_index=True)
        out = out.sort_values("row", kind="stable").reset_index(drop=True)
        if raw is not None:
            vals = raw.reset_index(drop=True).reindex(out["pos"].where(out["pos"] >= 0, -1).to_numpy())
            vals.index = out.index
            out = pd.concat([out, vals.rename(columns=lambda c: c if c not in ("row", "column", "reason")
                                               else f"input_{c}")], axis=1)
        return out.drop(columns="pos")

    def settle(self, skip_invalid: bool = False) -> np.ndarray:
        """Stop on invalid rows (default) or accept the valid ones; return the valid mask.

        Raises
        ------
        InputError
            When a row is invalid and ``skip_invalid`` is false: the message
            names the first rows (row, column, reason) and counts the rest.
        """
        valid = self.valid_mask()
        if skip_invalid:
            if not valid.any():
                raise InputError(self.source, f"no valid row left: all {self.n_rejected()} data rows were "
                                              "rejected (see rejected_rows.csv for each reason)")
            return valid
        iss = self.issues()
        if len(iss):
            first = iss.iloc[0]
            n_rows = iss["row"].nunique()
            others = iss[iss["row"] != first["row"]].drop_duplicates("row").head(FIRST_NAMED - 1)
            msg = str(first["reason"])
            if len(others):
                msg += "; also " + "; ".join(
                    f"row {r.row}" + (f" column '{r.column}'" if r.column else "") + f": {r.reason}"
                    for r in others.itertuples())
            if n_rows > 1 + len(others):
                msg += f"; and {n_rows - 1 - len(others)} more invalid rows"
            msg += (f" ({n_rows} invalid row{'s' if n_rows > 1 else ''} in all; fix them, or rerun with "
                    "--skip-invalid to leave them out and list each in rejected_rows.csv)")
            raise InputError(self.source, msg, row=int(first["row"]), column=first["column"] or None)
        if not valid.any():
            raise InputError(self.source, "no data rows (the file holds a header only, or only empty rows)")
        return valid
