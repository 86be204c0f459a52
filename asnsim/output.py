"""The one writer: tables as CSV, Parquet or Excel, JSON, single files; nothing half-written, no live formula.

Folders go through :func:`atomic_output_dir` (the output-folder guard of
:mod:`asnsim.outdir`: target checks, lock, ownership, all-or-nothing); single
files through :func:`atomic_file`.

Formulas
    A spreadsheet opening a CSV file runs a cell that begins with ``=``, ``+``,
    ``-`` or ``@`` (or a tab or carriage return before one) as a formula (CSV or
    formula injection, OWASP).  :func:`write_csv` therefore writes such a text
    cell, and such a column name, with a leading apostrophe (``'=HYPERLINK(...)``),
    which spreadsheets show as text; a cell that is a plain number (``-2``,
    ``+62812...``) is left as it is.  Only text cells can change: numbers are
    written as numbers.  Excel files (:func:`write_workbook`, :func:`write_xlsx`)
    write every text cell as a text cell (:func:`text_cell`), never a formula,
    so they need no apostrophe.
Line breaks
    A carriage return inside a text cell becomes a line feed, so the cell is
    quoted and stays one cell (pandas quotes a field holding ``\n`` but not one
    holding a lone ``\r``, which every reader takes for the end of a row).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from .errors import AsnsimError
from .outdir import atomic_output_dir, check_output_dir, check_output_file

FORMATS = ("csv", "parquet")
#: how every table file writes a float: 10 significant digits (exact for the scores, short for the rest)
FLOAT_FORMAT = "%.10g"
#: ``asnsim analyze``'s reliability.csv and fairness.csv: 6 significant digits (bootstrap intervals carry no more)
REPORT_FLOAT_FORMAT = "%.6g"
#: PNG text chunks: no ``Software`` stamp, so a figure's bytes do not change with the matplotlib version
PNG_METADATA = {"Software": None}
#: first characters that make a spreadsheet read a cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
#: Excel's limits for one sheet
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384


# ---------------------------------------------------------------- formula neutralisation

def neutralize_text(value):
    """``value`` with a leading apostrophe if it is text a spreadsheet would run as a formula (carriage
    returns become line feeds)."""
    if isinstance(value, str):
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
            return "'" + value
    return value


def neutralize_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names cannot start a formula (see the module notes).

    Only text columns (object, string, categorical) are looked at; the table is returned as it is when no
    cell needs a change.
    """
    out = None
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = s.cat.categories
            if (cats.dtype == object or pd.api.types.is_string_dtype(cats.dtype)) and _needs(
                    pd.Series(cats, dtype=object)).any() and len(set(map(neutralize_text, cats))) == len(cats):
                out = df.copy() if out is None else out
                out[col] = s.cat.rename_categories([neutralize_text(c) for c in cats])
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            hit = _needs(s)
            if hit.any():
                out = df.copy() if out is None else out
                out[col] = s.astype(object).mask(hit, s.astype(object).map(neutralize_text))
    names = [neutralize_text(str(c)) if isinstance(c, str) else c for c in df.columns]
    if names != list(df.columns):
        out = (df.copy() if out is None else out)
        out.columns = names
    return df if out is None else out


def _needs(s: pd.Series) -> np.ndarray:
    """Which cells of a text column start a formula (vectorized; non-text cells never do)."""
    try:
        first = s.str[:1]
        returns = s.str.contains("\r", regex=False).to_numpy(dtype=bool, na_value=False)
    except AttributeError:   # an object column without any text
        return np.zeros(len(s), dtype=bool)
    hit = first.isin(FORMULA_START).to_numpy(dtype=bool, na_value=False).copy()
    if hit.any():
        idx = np.flatnonzero(hit)
        plain = s.iloc[idx].astype(str).str.fullmatch(_PLAIN_NUMBER.pattern).to_numpy(dtype=bool, na_value=False)
        hit[idx[plain]] = False
    return hit | returns


# ---------------------------------------------------------------- writers

def write_csv(df: pd.DataFrame, path: str | Path, float_format: str | None = FLOAT_FORMAT) -> Path:
    """Write ``df`` as UTF-8 CSV with ``\\n`` line ends, text cells neutralized against formulas.

    ``float_format=None`` writes each float's shortest exact text: for a user's own values written back
    (rejected rows, anonymized files), which must not be rounded.
    """
    path = Path(path)
    neutralize_formulas(df).to_csv(path, index=False, float_format=float_format, lineterminator="\n")
    return path


def write_table(df: pd.DataFrame, folder: Path, stem: str, fmt: str = "csv",
                float_format: str = FLOAT_FORMAT) -> Path:
    """Write one table as ``stem.csv`` (floats with 10 significant digits) or ``stem.parquet``.

    Parquet: snappy-compressed, dictionary-encoded except float columns; the
    same table always gives the same bytes.  CSV goes through :func:`write_csv`
    (``float_format="%.10g"``), so files keep their exact formatting and no
    cell can start a spreadsheet formula.
    """
    if fmt == "csv":
        return write_csv(df, folder / f"{stem}.csv", float_format)
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = folder / f"{stem}.parquet"
        table = pa.Table.from_pandas(df, preserve_index=False)  # what DataFrame.to_parquet writes
        # dictionary pages for ids, codes and text only: float columns (scores, effects) hardly repeat, and
        # trying a dictionary on each of them costs a third of the writing time at national scale
        coded = [c for c in df.columns if not pd.api.types.is_float_dtype(df[c])]
        pq.write_table(table, path, compression="snappy", use_dictionary=coded)
        return path
    raise AsnsimError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")


def write_xlsx(sheets: pd.DataFrame | dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write one or more tables to an Excel workbook (:func:`write_workbook`): text as text, never a formula.

    Raises
    ------
    AsnsimError
        A table larger than an Excel sheet (1,048,576 rows, 16,384 columns).
    """
    if isinstance(sheets, pd.DataFrame):
        sheets = {"Sheet1": sheets}
    for df in sheets.values():
        if len(df) + 1 > EXCEL_ROWS or len(df.columns) > EXCEL_COLUMNS:
            raise AsnsimError(f"{path}: {len(df):,} rows x {len(df.columns):,} columns do not fit an Excel sheet "
                              f"({EXCEL_ROWS - 1:,} x {EXCEL_COLUMNS:,}); write .csv or .parquet instead")
    return write_workbook(path, sheets)


#: the date stamped into every workbook (file entries and document properties), so that the same tables
#: always give the same bytes
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def text_cell(cell, value: str) -> None:
    """Write ``value`` into an openpyxl cell as text, never as a formula or an error code.

    openpyxl turns a string that starts with ``=`` into a live formula (and
    ``#N/A`` into an error value); a cell of text coming from a policy name or
    an input file must stay text, so the type is set explicitly.  Characters an
    Excel file cannot hold (control characters) become U+FFFD.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
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


def write_json(obj: dict, path: Path) -> None:
    """Write ``obj`` as indented UTF-8 JSON with sorted keys (a manifest), ending in a line feed."""
    write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", path)


def write_text(text: str, path: str | Path) -> Path:
    """Write a text file (a report, a TOML file) as UTF-8."""
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path


def write_png(fig, path: str | Path, dpi: int = 110) -> Path:
    """Save a matplotlib figure as PNG without a software stamp (:data:`PNG_METADATA`)."""
    path = Path(path)
    fig.savefig(path, format="png", dpi=dpi, metadata=PNG_METADATA)
    return path


def write_any(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table to a file whose suffix gives the format (CSV, Excel or Parquet), atomically."""
    from .io.readers import file_format

    path = check_output_file(path)
    fmt = file_format(path)
    with atomic_file(path) as tmp:
        if fmt == "csv":
            write_csv(df, tmp, float_format=None)
        elif fmt == "excel":
            write_xlsx(df, tmp)
        else:
            df.to_parquet(tmp, index=False)
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(path: str | Path, mode: int = 0o666) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success give it ``mode`` (less the umask) and move it there.

    The result has the ordinary permissions of a new file (``rw-r--r--`` under the usual umask), not the
    owner-only ones of a temporary file; an error leaves ``path`` untouched.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AsnsimError(f"{path}: cannot create {path.parent} ({exc.strerror or exc})") from None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-{os.getpid()}-", dir=path.parent, suffix=path.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, mode & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


__all__ = ["FLOAT_FORMAT", "FORMATS", "FORMULA_START", "PNG_METADATA", "REPORT_FLOAT_FORMAT", "atomic_file",
           "atomic_output_dir", "check_output_dir", "check_output_file", "neutralize_formulas", "neutralize_text", "text_cell", "write_any", "write_csv", "write_json",
           "write_png", "write_table", "write_text", "write_workbook", "write_xlsx"]
