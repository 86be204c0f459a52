"""Writing outputs so that nothing is ever half-written.

:func:`atomic_output_dir` collects files in a temporary folder beside the
target and moves them into place only when every file has been written; an
error on the way leaves the target untouched.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import AsnsimError

FORMATS = ("csv", "parquet")


@contextlib.contextmanager
def atomic_output_dir(out: str | Path, owned: tuple[str, ...] = ()):
    """Yield a temporary directory; on success move its files into ``out``.

    ``owned`` names (or ``fnmatch`` patterns of) every file the command may write: a file in ``out`` that
    matches one of them but was not written this time (an earlier run's ``ratings.csv`` after a run with
    ``--format parquet``, say) is removed, so ``out`` never mixes two runs.  Other files are left alone.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise AsnsimError(f"{out}: --out must be a directory, and a file of that name exists")
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    try:
        yield tmp
        out.mkdir(exist_ok=True)
        written = set()
        for f in sorted(tmp.iterdir()):
            os.replace(f, out / f.name)
            written.add(f.name)
        for old in out.iterdir():
            if old.name not in written and old.is_file() and any(fnmatch.fnmatchcase(old.name, pat)
                                                                 for pat in owned):
                old.unlink()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_table(df: pd.DataFrame, folder: Path, stem: str, fmt: str = "csv") -> Path:
    """Write one table as ``stem.csv`` (floats with 10 significant digits) or ``stem.parquet``.

    Parquet: snappy-compressed, dictionary-encoded except float columns; the
    same table always gives the same bytes.  CSV goes through pandas
    (``float_format="%.10g"``), so files keep their exact formatting.
    """
    if fmt == "csv":
        path = folder / f"{stem}.csv"
        df.to_csv(path, index=False, float_format="%.10g", lineterminator="\n")
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = folder / f"{stem}.parquet"
        table = pa.Table.from_pandas(df, preserve_index=False)  # what DataFrame.to_parquet writes
        # dictionary pages for ids, codes and text only: float columns (scores, effects) hardly repeat, and
        # trying a dictionary on each of them costs a third of the writing time at national scale
        coded = [c for c in df.columns if not pd.api.types.is_float_dtype(df[c])]
        pq.write_table(table, path, compression="snappy", use_dictionary=coded)
    else:
        raise AsnsimError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return path


def write_json(obj: dict, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


#: the date stamped into every workbook (file entries and document properties), so that the same tables
#: always give the same bytes
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def text_cell(cell, value: str) -> None:
    """Write ``value`` into an openpyxl cell as text, never as a formula or an error code.

    openpyxl turns a string that starts with ``=`` into a live formula (and
    ``#N/A`` into an error value); a cell of text coming from a policy name or
    an input file must stay text, so the type is set explicitly.
    """
    cell.value = value
    cell.data_type = "s"


def write_workbook(path: str | Path, sheets: dict[str, pd.DataFrame],
                   number_formats: dict[str, dict[str, str]] | None = None,
                   bold: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write tables to an Excel workbook: one sheet per table, header row frozen, numbers as numbers.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file.
    sheets : mapping of sheet name to DataFrame
        Written in order, without the index; a sheet name is cut to Excel's 31 characters.
    number_formats : mapping of sheet name to {column: Excel number format}, optional
        E.g. ``{"headline": {"rank corr.": "0.000", "share SB": "0.0%"}}``.
    bold : mapping of sheet name to DataFrame of booleans, optional
        Cells to set in bold (same shape and columns as the sheet), e.g. the best values.

    Notes
    -----
    Numbers (int, float, bool) are written as numbers and missing values as
    empty cells; everything else is written as text with :func:`text_cell`,
    so a cell never holds a formula.  The workbook is byte-for-byte the same
    for the same tables: document dates and zip entry dates are fixed.
    """
    import io
    import re
    import zipfile

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    head_font, bold_font = Font(bold=True), Font(bold=True)
    for name, df in sheets.items():
        ws = wb.create_sheet(re.sub(r"[\[\]:*?/\\]", "_", str(name))[:31])
        for j, col in enumerate(df.columns, start=1):
            text_cell(ws.cell(1, j), str(col))
            ws.cell(1, j).font = head_font
        fmts = (number_formats or {}).get(name, {})
        marks = (bold or {}).get(name)
        for j, col in enumerate(df.columns, start=1):
            values = df[col].tolist()
            flags = marks[col].tolist() if marks is not None and col in marks else None
            for i, v in enumerate(values, start=2):
                cell = ws.cell(i, j)
                if isinstance(v, (bool, np.bool_)):
                    cell.value = bool(v)
                elif isinstance(v, (int, float, np.integer, np.floating)):
                    if np.isfinite(v):
                        cell.value = int(v) if isinstance(v, (int, np.integer)) else float(v)
                        if col in fmts:
                            cell.number_format = fmts[col]
                elif v is not None and not (isinstance(v, float) and np.isnan(v)) and v is not pd.NA:
                    text_cell(cell, str(v))
                if flags is not None and flags[i - 2]:
                    cell.font = bold_font
            width = max([len(str(col))] + [len(str(v)) for v in values[:200]]) if values else len(str(col))
            ws.column_dimensions[ws.cell(1, j).column_letter].width = min(60, max(8, width + 2))
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    path = Path(path)
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>1980-01-01T00:00:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)
    return path
