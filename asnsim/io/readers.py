"""Reading exports from appraisal systems: CSV, Excel and Parquet.

:func:`read_raw` reads a file into a table of *text* (so an 18-digit NIP or an
ID with leading zeros is never turned into a number), with the spreadsheet
row number of every row; CSV files have their encoding and delimiter
sniffed.  :func:`apply_column_map` renames the user's columns to asnsim's
(see :mod:`asnsim.columns`), so users keep their own names.

Whatever the file holds, the result is a table or an
:class:`~asnsim.errors.InputError` naming the file: never a traceback.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
DELIMITERS = ",;\t|"
#: Encodings tried in order when a CSV file is not UTF-8 (Windows exports are often cp1252).
FALLBACK_ENCODINGS = ("utf-16", "cp1252", "latin-1")
_BAD_LINE = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")


@dataclass
class RawTable:
    """A file as read: every cell text (``None`` when empty), plus where each row came from."""

    source: str
    data: pd.DataFrame
    rows: np.ndarray            # spreadsheet row number per data row (header = row 1)
    malformed: pd.DataFrame     # rows the parser could not split: row, reason
    fmt: str
    encoding: str | None = None
    delimiter: str | None = None


def file_format(path: Path) -> str:
    """``csv``, ``excel`` or ``parquet`` from the file's suffix."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    raise InputError(str(path), f"unknown file type {suffix or '(no suffix)'!r}; use one of "
                                f"{', '.join(CSV_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES)}")


def decode(raw: bytes, source: str) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), else UTF-16 with a BOM, else cp1252/Latin-1."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    for enc in FALLBACK_ENCODINGS[1:]:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text, enc
    raise InputError(source, "cannot decode the file as text (tried UTF-8, UTF-16, cp1252); save it as UTF-8 CSV")


def sniff_delimiter(text: str) -> str:
    """The delimiter among ``, ; TAB |`` that splits the header and first lines consistently."""
    head = "\n".join(text[:65536].splitlines()[:20])
    try:
        return csv.Sniffer().sniff(head, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = text[:65536].splitlines()[0] if text else ""
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _read_csv(path: Path, source: str) -> RawTable:
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(source, "the file is empty (no header, no rows)")
    text, encoding = decode(raw, source)
    if "\x00" in text:
        raise InputError(source, "the file holds NUL bytes: it is binary, not CSV text")
    if not text.strip():
        raise InputError(source, "the file is empty (no header, no rows)")
    delimiter = sniff_delimiter(text)
    import io
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            df = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                             skip_blank_lines=False, on_bad_lines="warn", engine="c",
                             index_col=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise InputError(source, f"cannot parse as CSV (delimiter {delimiter!r}): "
                                     f"{str(exc).splitlines()[0]}") from None
    if any("Length of header or names does not match" in str(w.message) for w in caught):
        return _read_csv_slow(text, source, encoding, delimiter)
    bad = [(int(m.group(1)), f"malformed row: {m.group(3)} fields where the header has {m.group(2)}")
           for w in caught if issubclass(w.category, pd.errors.ParserWarning)
           for m in _BAD_LINE.finditer(str(w.message))]
    for w in caught:
        if not issubclass(w.category, pd.errors.ParserWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    malformed = pd.DataFrame(bad, columns=["row", "reason"]).astype({"row": np.int64})
    total = len(df) + len(malformed)
    rows = (np.setdiff1d(np.arange(2, total + 2), malformed["row"].to_numpy()) if len(malformed)
            else np.arange(2, total + 2))
    df.columns = [str(c).strip() for c in df.columns]
    return RawTable(source, df, rows, malformed, "csv", encoding, delimiter)


def _read_csv_slow(text: str, source: str, encoding: str, delimiter: str) -> RawTable:
    """Fallback for a file whose first data row is longer than its header (pandas would drop the extra
    fields without naming the row): split with the csv module and set such rows aside."""
    import io
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(source, f"cannot parse as CSV (delimiter {delimiter!r}): {exc}") from None
    header = [h.strip() for h in records[0]]
    body = records[1:]
    width = np.fromiter((len(r) for r in body), dtype=np.int64, count=len(body))
    row_no = np.arange(2, len(body) + 2)
    long_ = width > len(header)
    malformed = pd.DataFrame({"row": row_no[long_],
                              "reason": [f"malformed row: {w} fields where the header has {len(header)}"
                                         for w in width[long_]]})
    good = [r + [""] * (len(header) - len(r)) for r, ok in zip(body, ~long_) if ok]
    df = pd.DataFrame(good, columns=header, dtype="string") if good else pd.DataFrame(columns=header, dtype="string")
    return RawTable(source, df, row_no[~long_], malformed, "csv", encoding, delimiter)


def _read_excel(path: Path, source: str, sheet: str | int | None) -> RawTable:
    try:
        df = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=str, engine="openpyxl")
    except ValueError as exc:  # unknown sheet, empty workbook
        raise InputError(source, f"cannot read the workbook: {exc}") from None
    except Exception as exc:  # openpyxl raises zipfile/KeyError/... on damaged files
        raise InputError(source, f"not a readable Excel workbook ({type(exc).__name__}: {exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    rows = np.arange(2, len(df) + 2)
    return RawTable(source, df, rows, pd.DataFrame({"row": np.zeros(0, np.int64), "reason": []}), "excel")


def _read_parquet(path: Path, source: str) -> RawTable:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError on damaged files
        raise InputError(source, f"not a readable Parquet file ({type(exc).__name__}: {exc})") from None
    df = df.reset_index(drop=True)
    df.columns = [str(c).strip() for c in df.columns]
    rows = np.arange(2, len(df) + 2)
    return RawTable(source, df, rows, pd.DataFrame({"row": np.zeros(0, np.int64), "reason": []}), "parquet")


def read_raw(path: str | Path, sheet: str | int | None = None) -> RawTable:
    """Read a CSV, Excel or Parquet file as it is, for validation.

    CSV: the encoding is UTF-8 (BOM allowed), UTF-16 with BOM, or else cp1252;
    the delimiter is sniffed among comma, semicolon, tab and bar.  Every cell
    is read as text; rows with more fields than the header are kept aside as
    malformed (with their row number) instead of stopping the parser.

    Raises
    ------
    InputError
        Missing, empty, undecodable or unparsable file; duplicate or blank
        column names.
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise InputError(source, "no such file")
    fmt = file_format(path)
    if fmt == "csv":
        raw = _read_csv(path, source)
    elif fmt == "excel":
        raw = _read_excel(path, source, sheet)
    else:
        raw = _read_parquet(path, source)
    cols = list(raw.data.columns)
    if not cols or all(c == "" or c.startswith("Unnamed:") for c in cols):
        raise InputError(source, "no header row with column names")
    unnamed = [c for c in cols if c == "" or c.startswith("Unnamed:")]
    for c in unnamed:
        filled = raw.data[c].astype("string").str.strip().fillna("") != ""
        if filled.any():
            raise InputError(source, f"column {cols.index(c) + 1} has values but no name in the header", row=1)
    dupes = [c for c in pd.Index(cols)[pd.Index(cols).duplicated()] if c]
    if dupes or any(re.fullmatch(r".+\.\d+", c) and c.rsplit(".", 1)[0] in cols for c in cols):
        name = dupes[0] if dupes else next(c.rsplit(".", 1)[0] for c in cols
                                           if re.fullmatch(r".+\.\d+", c) and c.rsplit(".", 1)[0] in cols)
        raise InputError(source, f"the header names column '{name}' twice", row=1, column=name)
    raw.data = raw.data.loc[:, [c for c in cols if not (c == "" or c.startswith("Unnamed:"))]]
    return raw


# ---------------------------------------------------------------- column maps

def parse_column_map(spec: str | dict | None, source: str = "--column-map") -> dict[str, str]:
    """Parse a column map ``{asnsim_name: your_name}``.

    ``spec`` is a dict, ``"ratee_id=NIP Pegawai,score=Nilai"``, or the path of a
    ``.toml`` or ``.json`` file holding such a table.
    """
    if spec is None or spec == "":
        return {}
    if isinstance(spec, dict):
        return {str(k): str(v) for k, v in spec.items()}
    path = Path(spec)
    if spec.endswith((".toml", ".json")):
        if not path.is_file():
            raise InputError(spec, "no such column-map file")
        try:
            data = (tomllib.loads(path.read_text(encoding="utf-8")) if spec.endswith(".toml")
                    else json.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(spec, f"not a valid column map: {exc}") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise InputError(spec, "a column map is a table of asnsim_name = \"your column name\"")
        return dict(data)
    out = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise InputError(source, f"expected asnsim_name=your_column, got {part.strip()!r}")
        k, v = part.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def apply_column_map(df: pd.DataFrame, column_map: dict[str, str], source: str,
                     known: list[str] | None = None) -> pd.DataFrame:
    """Rename the user's columns to asnsim's names.

    A mapped column that is not in the file is an error naming both names.
    Matching is exact first, then ignoring case and surrounding spaces.
    """
    if known is not None:
        unknown = [k for k in column_map if k not in known]
        if unknown:
            raise InputError(source, f"column map names unknown asnsim column '{unknown[0]}'; "
                                     f"known: {', '.join(known)}")
    lower = {str(c).strip().casefold(): c for c in df.columns}
    rename = {}
    for canon, theirs in column_map.items():
        if theirs in df.columns:
            rename[theirs] = canon
        elif theirs.strip().casefold() in lower:
            rename[lower[theirs.strip().casefold()]] = canon
        else:
            raise InputError(source, f"column map says {canon} = '{theirs}', but the file has no such column; "
                                     f"its columns: {', '.join(map(str, df.columns))}", column=theirs)
    clash = [c for c in rename.values() if c in df.columns and c not in rename]
    if clash:
        raise InputError(source, f"column map renames a column to '{clash[0]}', but the file already has a "
                                 f"column of that name", column=clash[0])
    return df.rename(columns=rename)
