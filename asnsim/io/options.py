"""Command-line options shared by the commands that read real ratings (analyze, calibrate)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import columns as C
from .gate import read_input
from .readers import parse_column_map
from .schemas import Validated, validate


def add_input_options(p, item: bool = True) -> None:
    """Add ``--ratee --rater --score [--item --period --role --component] --column-map --skip-invalid
    --allow-personal-data --sheet`` to a sub-command parser."""
    p.add_argument("--ratee", default=None, help="column holding the ratee's ID (default ratee_id)")
    p.add_argument("--rater", default=None, help="column holding the rater's ID (default rater_id)")
    p.add_argument("--score", default=None, help="column holding the score (default score)")
    if item:
        p.add_argument("--item", default=None, help="column holding the item (default item, if present)")
    p.add_argument("--period", default=None, help="column holding the period (default period, if present)")
    p.add_argument("--role", default=None, help="column holding the rater role (default rater_role, if present)")
    add_reading_options(p)


def add_reading_options(p) -> None:
    """Add ``--column-map --skip-invalid --allow-personal-data --sheet``: how a real-data file is read."""
    p.add_argument("--column-map", default=None,
                   help="more column names: asnsim_name=your_name,... or a .toml/.json file (docs/input-formats.md)")
    p.add_argument("--skip-invalid", action="store_true",
                   help="leave out invalid rows and list each with its reason in rejected_rows.csv")
    p.add_argument("--allow-personal-data", action="store_true",
                   help="process a file that still holds raw NIPs or names (default: refuse and explain)")
    p.add_argument("--sheet", default=None, help="Excel sheet name (default: the first)")


def column_map_from_args(args) -> dict[str, str]:
    """The column map from ``--column-map`` plus the single-column options (which win)."""
    cmap = parse_column_map(getattr(args, "column_map", None))
    for opt, canon in (("ratee", C.RATEE_ID), ("rater", C.RATER_ID), ("score", C.SCORE), ("item", C.ITEM),
                       ("period", C.PERIOD), ("role", C.RATER_ROLE)):
        value = getattr(args, opt, None)
        if value:
            cmap[canon] = value
    return cmap


def read_ratings_input(path: str | Path, column_map: dict[str, str], score_range: tuple[float, float] | None,
                       skip_invalid: bool = False, allow_personal_data: bool = False,
                       sheet: str | None = None) -> Validated:
    """Read, guard (no raw NIP or name column) and validate a ratings file; settle the ledger.

    Raises
    ------
    InputError
        Personal data (unless allowed), a missing column, or an invalid row
        (unless ``skip_invalid``).
    """
    raw = read_input(path, sheet, allow_personal_data)
    v = validate(raw, "ratings", column_map, score_range)
    valid = v.ledger.settle(skip_invalid)
    v.data = v.data.loc[valid].reset_index(drop=True)
    return v


def write_rejected(v: Validated, folder: Path, name: str = "rejected_rows.csv") -> Path | None:
    """Write the rejected rows with their reasons (only when some were rejected)."""
    rej = v.rejected()
    if not len(rej):
        return None
    path = Path(folder) / name
    from ..output import write_csv

    write_csv(rej, path, float_format=None)
    return path


def ledger_line(v: Validated) -> str:
    s = v.ledger.summary()
    line = f"{v.raw.source}: {s['rows_read']} rows read, {s['used']} used, {s['rejected']} rejected"
    if s["empty"]:
        line += f", {s['empty']} empty rows skipped"
    return line


def read_ratings_as_named(path: str | Path, ratee: str, rater: str, score: str, item: str | None = None,
                          column_map: dict[str, str] | None = None, skip_invalid: bool = False,
                          allow_personal_data: bool = False, sheet: str | None = None,
                          score_range: tuple[float, float] | None = None):
    """Read and validate a ratings file for ``asnsim analyze``, keeping the user's column names.

    The file goes through :func:`read_ratings_input` (personal-data refusal, validation, ledger) with
    ``ratee``, ``rater``, ``score`` and ``item`` as the column map; the valid rows come back under the
    user's names, with the file's other columns (a ``--bias-group`` column, say) kept.  Without an item
    column, repeated (ratee, rater) rows are several unnamed items, not duplicates.

    Returns
    -------
    (DataFrame, Validated)
    """
    cmap = dict(column_map or {})
    for canon, value in ((C.RATEE_ID, ratee), (C.RATER_ID, rater), (C.SCORE, score), (C.ITEM, item)):
        if value and (value != canon or canon not in cmap):   # an option left at its default yields to the map
            cmap[canon] = value
    raw = read_input(path, sheet, allow_personal_data)
    has_item = bool(item) or C.ITEM in cmap or C.ITEM in raw.data.columns
    v = validate(raw, "ratings", cmap, score_range, check_duplicates=has_item)
    valid = v.ledger.settle(skip_invalid)
    v.data = v.data.loc[valid].reset_index(drop=True)
    back = {canon: theirs for canon, theirs in cmap.items() if canon in v.data.columns}
    back.update({C.RATEE_ID: ratee, C.RATER_ID: rater, C.SCORE: score})  # the names the caller works with
    if item:
        back[C.ITEM] = item
    named = v.data.rename(columns=back)
    # carry the file's other columns along (valid rows only), by position in the raw table
    pos = np.searchsorted(v.ledger.rows, v.data["source_row"].to_numpy())
    extra = [c for c in raw.data.columns if c not in named.columns and c not in cmap.values()]
    if extra:   # one concat: inserting thousands of columns one by one takes minutes
        named = pd.concat([named, raw.data[extra].iloc[pos].reset_index(drop=True).set_axis(named.index)], axis=1)
    return named.drop(columns="source_row"), v
