"""Direct identifiers in a table: NIPs in every spelling, names, NIKs, phone numbers, e-mail addresses.

A NIP (``shared/DOMAIN.md`` s.1) is 18 digits, ``YYYYMMDD`` birth date,
``YYYYMM`` CPNS start, a sex digit and a 3-digit sequence.  Exports write it
in many ways, and every one is recognised:

* plain, or with spaces, dots, dashes, slashes or underscores between any
  digits (``19850312 201001 1 002``, ``1985 0312 2010 0110 02``,
  ``19850312.201001.1.002``), no-break and other Unicode spaces, full-width
  digits (text is NFKC-normalized first), a leading apostrophe or quotes;
* an integer column (``int64``, Parquet), exact;
* a float column (``float64``, Parquet, or a spreadsheet that read the NIP as
  a number): only the first 15-16 digits survive, so the birth date and CPNS
  start are checked, not the last digits;
* a spreadsheet's scientific notation as text (``1.98503E+17``): only the
  birth year and month survive, and they are still personal data.

A *name* column is found by its header (``nama``, ``name``) or by its values,
whatever its header (``Pegawai``, ``PIC``): most of its distinct values are two
to seven capitalized words or initials (academic titles allowed), and few hold
a word of an organisation, position, place or appraisal vocabulary
(:data:`NOT_NAME_WORDS`).

Every check runs on the distinct values of a column, vectorized where a
regular expression can do the work (pyarrow's RE2 for whole cells).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import columns as C

#: characters that may separate the digits of a NIP (after NFKC normalization, which turns every Unicode space
#: into an ordinary one)
NIP_SEPARATORS = " .\\-_/"
NIP_REGEX = (r"(?<!\d)(?P<birth>\d{8})[ .\-]?(?P<start>\d{6})[ .\-]?(?P<sex>[12])[ .\-]?(?P<seq>\d{3})(?!\d)")
#: a run of digits with single separators between them, 18 digits or more (a NIP candidate in free text)
NIP_RUN = re.compile(r"\d(?:[ .\-_/]?\d){17,}")
PHONE_REGEX = r"(?<![\w])(?:\+62|62|0)[ .\-]?8\d{1,3}(?:[ .\-]?\d{2,4}){2,3}(?![\w])"
EMAIL_REGEX = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"
# RE2 forms (pyarrow.compute: linear time, vectorized), for whole cells and as loose pre-filters of free text
PHONE_CORE = r"(?:\+62|62|0)[ .\-]?8\d{1,3}(?:[ .\-]?\d{2,4}){2,3}"
NIP_LOOSE = r"\d(?:[ .\-_/]?\d){17}"
_SCIENTIFIC = r"\d(?:[.,]\d+)?[eE]\+?17"
NAME_HEADER = re.compile(r"(^|[\s_\-.])(nama|name|nm)([\s_\-.]|$)|^(nama|name)", re.IGNORECASE)
PHONE_HEADER = re.compile(r"(telp|telepon|phone|hp|handphone|whatsapp|wa|ponsel)", re.IGNORECASE)
EMAIL_HEADER = re.compile(r"(e-?mail|surel)", re.IGNORECASE)
BIRTH_HEADER = re.compile(r"(tanggal|tgl|date|tempat)[\s_\-.]*(of[\s_\-.]*)?(lahir|birth)|^(dob|birth_?date|lahir)$",
                          re.IGNORECASE)
NIK_HEADER = re.compile(r"^(nik|no[\s_\-.]*ktp|ktp)$", re.IGNORECASE)
#: asnsim's ID columns: pseudonymized whatever their values look like.
ID_COLUMNS = (C.EMPLOYEE_ID, C.SUPERVISOR_ID, C.RATEE_ID, C.RATER_ID)
#: What :func:`asnsim.io.anonymize.pseudonyms` produces (a name column holding only these is anonymized).
PSEUDONYM_REGEX = r"[PN][0-9a-f]{16}"

# ---------------------------------------------------------------- names by their values
_TITLE = r"(?:[A-Z][A-Za-z]{0,3}\.){1,3}"                      # Dr.  S.Pd.  M.Si.  Hj.
_WORD = r"(?:[A-Z][a-z]+(?:['\u2019\-][A-Za-z]+)*|[A-Z]{2,}(?:['\u2019\-][A-Z]+)*|[A-Z]\.?)"
NAME_VALUE = re.compile(rf"(?:{_TITLE}\s*)?{_WORD}(?:,?\s+(?:{_WORD}|{_TITLE})){{1,6}},?")
#: words that make a value an organisation, position, place or rating rather than a person's name
NOT_NAME_WORDS = frozenset("""
dinas badan kantor bidang bagian seksi sub subbagian kepala sekretariat sekretaris kecamatan kelurahan desa
puskesmas sekolah sd smp sma smk mi mts ma rumah sakit rsud unit upt upts uptd satuan satker opd kota kabupaten
provinsi daerah pemerintah pemda inspektorat bappeda bkd bkpsdm dprd setda setwan kementerian direktorat balai
lembaga kejaksaan pengadilan
pelaksana administrator pengawas jpt ahli terampil mahir penyelia pemula fungsional struktural staf staff guru
dokter perawat bidan analis pranata pengelola penyuluh camat lurah jabatan eselon golongan pangkat pegawai pns
pppk honorer kepegawaian keuangan perencanaan umum pendidikan kesehatan sosial pekerjaan perhubungan
jawa sumatera sumatra kalimantan sulawesi papua maluku bali nusa tenggara barat timur tengah utara selatan daya
raya kepulauan bangka belitung riau jambi bengkulu lampung aceh banten jakarta gorontalo yogyakarta istimewa
north south east west central
baik sangat kurang butuh perbaikan misconduct sesuai ekspektasi atas bawah berorientasi pelayanan akuntabel
kompeten harmonis loyal adaptif kolaboratif istimewa cukup buruk laki perempuan pria wanita male female
department office head manager officer division section
tepat waktu terlambat hadir tidak ada selesai belum sudah tugas kerja kinerja target tercapai aktif cuti izin
luar dalam baru lama tetap sementara catatan keterangan ya yes no done pending
""".split())
#: a column is a name column when at least this share of its distinct values look like names
NAME_SHARE = 0.6
#: ... and it has at least this many distinct values
NAME_MIN_DISTINCT = 5


@dataclass
class Finding:
    column: str
    kind: str          # nip, nik, name, phone, email, birth_date, id
    cells: int
    example_row: int | None = None


# ---------------------------------------------------------------- text

def as_text(values: pd.Series) -> pd.Series:
    """Cells as NFKC-normalized, stripped text (``string`` dtype, NA for missing).

    Integer cells print as integers and integral floats without a decimal point (``1.985e17`` ->
    ``198503122010011008``), so numeric columns are checked like text.
    """
    if pd.api.types.is_bool_dtype(values):
        return values.astype("string")
    if pd.api.types.is_float_dtype(values):
        v = values.to_numpy(dtype=float, na_value=np.nan)
        integral = np.isfinite(v) & (np.abs(v) < 1e19) & (v == np.round(v))
        text = np.where(integral, np.char.mod("%.0f", np.where(integral, v, 0)), values.astype(str).to_numpy())
        out = pd.Series(text, index=values.index, dtype="string")
        return out.mask(values.isna())
    if pd.api.types.is_integer_dtype(values):
        return values.astype("string")
    t = values.astype("string")
    if len(t) and t.str.contains(r"[^\x00-\x7f]", regex=True).fillna(False).any():
        t = t.str.normalize("NFKC")
    return t.str.strip()


def _arrow(t: pd.Series) -> pa.Array:
    return pa.array(t.astype(object).where(t.notna(), None).tolist() if len(t) else [], type=pa.string())


def fullmatch(t: pd.Series, pattern: str) -> pd.Series:
    """Whole-cell RE2 match, vectorized (pyarrow); False for missing cells."""
    hit = pc.match_substring_regex(_arrow(t), pattern="^(?:" + pattern + ")$")
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=t.index).fillna(False).astype(bool)


def contains(t: pd.Series, pattern: str) -> pd.Series:
    hit = pc.match_substring_regex(_arrow(t), pattern=pattern)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=t.index).fillna(False).astype(bool)


# ---------------------------------------------------------------- NIPs

def _plausible(digits: pd.Series, lossy: pd.Series) -> pd.Series:
    """Which 18-digit strings are plausible NIPs: exact ones by birth date, CPNS start (15 or more years
    later) and sex digit; lossy ones (a float, scientific notation) by what survives."""
    ok = digits.notna() & (digits.str.len() == 18)
    out = pd.Series(False, index=digits.index)
    if not ok.any():
        return out
    d = digits[ok].astype(str).to_numpy().astype("U18").view("U1").reshape(-1, 18).astype(np.int64)
    by = d[:, :4] @ np.array([1000, 100, 10, 1])
    bm, bd = d[:, 4] * 10 + d[:, 5], d[:, 6] * 10 + d[:, 7]
    sy, sm = d[:, 8:12] @ np.array([1000, 100, 10, 1]), d[:, 12] * 10 + d[:, 13]
    days = np.array([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(bm - 1, 0, 11)]
    year_month = (by >= 1930) & (by <= 2015) & (bm >= 1) & (bm <= 12)
    exact = year_month & (bd >= 1) & (bd <= days) & (sy >= by + 15) & (sy <= 2040) & (sm >= 1) & (sm <= 12) & \
        np.isin(d[:, 14], (1, 2))
    loose = lossy[ok].to_numpy(bool)
    out.loc[ok] = np.where(loose, year_month, exact)
    return out


def nip_digits(values: pd.Series) -> pd.DataFrame:
    """Per cell: the 18 digits of a whole-cell NIP in any spelling (NA elsewhere) and whether they are
    ``lossy`` (a float or scientific notation, whose last digits are lost).

    Returns
    -------
    DataFrame
        ``digits`` (string) and ``lossy`` (bool), indexed like ``values``.
    """
    lossy = pd.Series(pd.api.types.is_float_dtype(values), index=values.index)
    t = as_text(values)
    if not (pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values)):
        t = t.str.strip("'\"`")
        sci = fullmatch(t, _SCIENTIFIC)
        if sci.any():
            num = pd.to_numeric(t[sci].str.replace(",", ".", regex=False), errors="coerce")
            t = t.mask(sci, as_text(num).reindex(t.index))
            lossy = lossy | sci
        shaped = fullmatch(t, r"\d(?:[ .\-_/]?\d)*")
        t = t.where(shaped).str.replace(r"[ .\-_/]", "", regex=True)
    digits = t.where(fullmatch(t, r"\d{18}"))
    ok = _plausible(digits, lossy)
    return pd.DataFrame({"digits": digits.where(ok), "lossy": lossy & ok}, index=values.index)


def nip_cells(values: pd.Series) -> pd.Series:
    """True where the whole cell is a NIP, in any spelling or numeric type (see the module notes)."""
    return nip_digits(values)["digits"].notna()


def nip_parts(values: pd.Series) -> pd.DataFrame:
    """Birth date, CPNS start (first of the month) and sex ("M"/"F") encoded in NIP cells (NaT/NA elsewhere;
    lossy cells give no start date or sex)."""
    d = nip_digits(values)
    exact = d["digits"].where(~d["lossy"])
    birth = pd.to_datetime(exact.str[:8], format="%Y%m%d", errors="coerce")
    start = pd.to_datetime(exact.str[8:14] + "01", format="%Y%m%d", errors="coerce")
    sex = exact.str[14].map({"1": "M", "2": "F"})
    return pd.DataFrame({"birth_date": birth, "start_date": start, C.SEX: sex}, index=values.index)


def _run_is_nip(run: str) -> bool:
    digits = re.sub(r"[ .\-_/]", "", run)
    windows = pd.Series([digits[i:i + 18] for i in range(len(digits) - 17)], dtype="string")
    return bool(_plausible(windows, pd.Series(False, index=windows.index)).any())


def mask_nips_in_text(text: str, token: str = "[NIP]") -> str:
    """``text`` with every digit run holding a NIP (any 18-digit window of it, any separators) replaced."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text) if not text.isascii() else text
    return NIP_RUN.sub(lambda m: token if _run_is_nip(m.group(0)) else m.group(0), text)


def nip_in_text(values: pd.Series) -> pd.Series:
    """True where a cell holds a NIP anywhere in its text (RE2 pre-filter, exact check on the candidates)."""
    t = as_text(values)
    cand = contains(t, NIP_LOOSE)
    out = pd.Series(False, index=t.index)
    if cand.any():
        uniq = pd.unique(t[cand].astype(object).to_numpy())
        hit = {u for u in uniq if any(_run_is_nip(m.group(0)) for m in NIP_RUN.finditer(u))}
        out.loc[cand] = t[cand].isin(hit).to_numpy(bool)
    return out


# ---------------------------------------------------------------- names

def name_like(values: pd.Series) -> pd.Series:
    """True for cells that look like a person's name (see the module notes; NA and non-text cells False)."""
    t = as_text(values)
    uniq = pd.Series(pd.unique(t.dropna().astype(object).to_numpy()), dtype="string")
    if not len(uniq):
        return pd.Series(False, index=values.index)
    shaped = uniq.str.fullmatch(NAME_VALUE.pattern).fillna(False).astype(bool)
    words = uniq.str.lower().str.findall(r"[a-z]+")
    org = words.map(lambda ws: bool(NOT_NAME_WORDS.intersection(ws)) if isinstance(ws, list) else False)
    ok = shaped & ~org.astype(bool)
    return t.isin(set(uniq[ok].astype(str))).fillna(False).astype(bool)


def names_by_value(values: pd.Series) -> bool:
    """Whether a column holds people's names by its values: at least :data:`NAME_MIN_DISTINCT` distinct
    values, :data:`NAME_SHARE` of them name-like (not pseudonyms)."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    t = as_text(values)
    uniq = pd.Series(pd.unique(t.dropna().astype(object).to_numpy()), dtype="string")
    uniq = uniq[uniq != ""]
    if len(uniq) < NAME_MIN_DISTINCT:
        return False
    return float(name_like(uniq).mean()) >= NAME_SHARE


def all_pseudonyms(values: pd.Series) -> bool:
    t = as_text(values).dropna()
    t = t[t != ""]
    return bool(fullmatch(t, PSEUDONYM_REGEX).all())


# ---------------------------------------------------------------- columns

@dataclass
class _Uniques:
    """The distinct non-empty values of every column at once, with their counts, for vectorized checks."""

    values: pd.Series       # text of each (column, distinct value)
    raw: pd.Series          # the same values as they were (numbers stay numbers)
    column: np.ndarray      # column position of each
    count: np.ndarray       # cells holding it
    first: np.ndarray       # first row (0-based) holding it
    filled: np.ndarray      # non-empty cells per column


def _uniques(df: pd.DataFrame) -> _Uniques:
    """Distinct values per column (pandas ``factorize``), then one text conversion for all text columns."""
    objs, raws, cols, counts, firsts = [], [], [], [], []
    numeric_text = {}
    for j, (_, s) in enumerate(df.items()):
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_datetime64_any_dtype(s) or isinstance(
                s.dtype, (pd.PeriodDtype, pd.IntervalDtype)):
            continue
        if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) not in ("string", "empty"):
            s = s.map(lambda v: str(v) if isinstance(v, (list, dict, np.ndarray)) else v)  # nested Parquet cells
        codes, uniq = pd.factorize(s, use_na_sentinel=True)
        ok = codes >= 0
        if not ok.any():
            continue
        cnt = np.bincount(codes[ok], minlength=len(uniq))
        first = np.full(len(uniq), len(s), dtype=np.int64)
        np.minimum.at(first, codes[ok], np.flatnonzero(ok))
        values = np.asarray(uniq, dtype=object)
        if pd.api.types.is_numeric_dtype(s):
            numeric_text[len(objs)] = as_text(pd.Series(uniq, dtype=s.dtype)).astype(object).to_numpy()
        objs.append(values)
        cols.append(np.full(len(values), j))
        counts.append(cnt)
        firsts.append(first)
    filled = np.zeros(len(df.columns), dtype=np.int64)
    if not objs:
        empty = np.zeros(0, dtype=np.int64)
        return _Uniques(pd.Series([], dtype="string"), pd.Series([], dtype=object), empty, empty, empty, filled)
    raw = np.concatenate(objs)
    text_parts = [numeric_text.get(i, np.full(len(o), None, dtype=object)) for i, o in enumerate(objs)]
    is_num = np.concatenate([np.full(len(o), i in numeric_text) for i, o in enumerate(objs)])
    text = pd.Series(np.concatenate(text_parts), dtype=object)
    if (~is_num).any():
        text[~is_num] = as_text(pd.Series(raw[~is_num], dtype=object).astype(str).where(
            pd.notna(raw[~is_num]))).astype(object).to_numpy()
    text = text.astype("string")
    keep = (text.notna() & (text != "")).to_numpy(bool)
    column, count = np.concatenate(cols)[keep], np.concatenate(counts)[keep]
    filled = np.bincount(column, weights=count, minlength=len(df.columns)).astype(np.int64)
    return _Uniques(text[keep].reset_index(drop=True), pd.Series(raw[keep], dtype=object), column, count,
                    np.concatenate(firsts)[keep], filled)


def _per_column(u: _Uniques, hit: np.ndarray, n_cols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cells hit, share of the column's non-empty cells, and first row (spreadsheet numbering) per column."""
    cells = np.bincount(u.column[hit], weights=u.count[hit], minlength=n_cols).astype(np.int64)
    share = np.divide(cells, u.filled, out=np.zeros(n_cols), where=u.filled > 0)
    first = np.full(n_cols, np.iinfo(np.int64).max)
    np.minimum.at(first, u.column[hit], u.first[hit])
    return cells, share, first + 2


def _nip_hits(df: pd.DataFrame, u: _Uniques) -> np.ndarray:
    """Which distinct values are whole-cell NIPs (numbers checked in their own type, text in any spelling)."""
    numeric = np.array([pd.api.types.is_numeric_dtype(t) for t in df.dtypes], dtype=bool)
    hit = np.zeros(len(u.values), dtype=bool)
    text_rows = ~numeric[u.column] if len(u.column) else np.zeros(0, dtype=bool)
    if text_rows.any():
        hit[text_rows] = nip_cells(u.values[text_rows].reset_index(drop=True)).to_numpy(bool)
    for j in np.flatnonzero(numeric):
        rows = np.flatnonzero(u.column == j)
        if len(rows):
            vals = pd.to_numeric(u.raw.iloc[rows], errors="coerce")
            big = (vals.abs() >= 1e17) & (vals.abs() < 1e18)
            if big.any():
                dtype = df.dtypes.iloc[j]
                typed = vals.astype(dtype if pd.api.types.is_integer_dtype(dtype) else float)
                hit[rows] = nip_cells(typed.reset_index(drop=True)).to_numpy(bool)
    return hit


def detect_identifiers(df: pd.DataFrame, id_columns: tuple[str, ...] = ID_COLUMNS,
                       min_share: float = 0.5, _u: _Uniques | None = None) -> list[Finding]:
    """Find columns holding direct identifiers or a birth date.

    A column is a NIP/phone/e-mail column when at least ``min_share`` of its non-empty cells match (a NIP
    in any spelling or numeric type, see the module notes); a name column by its header or its values
    (:func:`names_by_value`); a birth-date or NIK column by its header (tanggal_lahir, nik, ...).  The checks
    run once over the distinct values of all columns together, so a table of thousands of columns is as
    quick as one of a few.
    """
    n_cols = len(df.columns)
    u = _u if _u is not None else _uniques(df)
    nips = _per_column(u, _nip_hits(df, u), n_cols)
    text_col = np.array([not pd.api.types.is_numeric_dtype(t) for t in df.dtypes], dtype=bool)
    texty = text_col[u.column] if len(u.column) else np.zeros(0, dtype=bool)
    phones = _per_column(u, fullmatch(u.values, PHONE_CORE).to_numpy(bool) & texty, n_cols)
    mails = _per_column(u, fullmatch(u.values, EMAIL_REGEX).to_numpy(bool) & texty, n_cols)
    like = name_like(u.values).to_numpy(bool) & texty
    distinct = np.bincount(u.column, minlength=n_cols)
    named = np.bincount(u.column[like], minlength=n_cols)
    by_value = (distinct >= NAME_MIN_DISTINCT) & (named >= NAME_SHARE * np.maximum(distinct, 1))
    names_first = _per_column(u, like, n_cols)[2]
    found = []
    for j, col in enumerate(df.columns):
        name, n = str(col), int(u.filled[j])
        row = lambda stat: int(stat[2][j]) if stat[0][j] else None  # noqa: E731
        if n and (nips[1][j] >= min_share or (nips[0][j] and "nip" in name.casefold())):
            found.append(Finding(name, "nip", int(nips[0][j]), row(nips)))
        elif NIK_HEADER.search(name):
            found.append(Finding(name, "nik", n))
        elif BIRTH_HEADER.search(name):
            found.append(Finding(name, "birth_date", n))
        elif text_col[j] and n and NAME_HEADER.search(name):
            found.append(Finding(name, "name", n))
        elif text_col[j] and n and by_value[j]:
            found.append(Finding(name, "name", n, int(names_first[j])))
        elif n and text_col[j] and (phones[1][j] >= min_share or (PHONE_HEADER.search(name) and phones[0][j])):
            found.append(Finding(name, "phone", int(phones[0][j]), row(phones)))
        elif n and text_col[j] and (mails[1][j] >= min_share or (EMAIL_HEADER.search(name) and mails[0][j])):
            found.append(Finding(name, "email", int(mails[0][j]), row(mails)))
        elif name in id_columns:
            found.append(Finding(name, "id", n))
    return found


def personal_data(df: pd.DataFrame) -> list[Finding]:
    """Raw NIPs (whole cells in any spelling, or inside text), NIKs, names, phone numbers and e-mail addresses
    still in a table: what the input gate (:func:`asnsim.io.gate.refuse_personal_data`) refuses."""
    out = []
    u = _uniques(df)
    for f in detect_identifiers(df, id_columns=(), _u=u):
        if f.kind in ("nip", "phone", "email") or (f.kind in ("nik", "name") and not all_pseudonyms(df[f.column])):
            out.append(f)
    seen = {f.column for f in out}
    in_text = nip_in_text(u.values).to_numpy(bool) | _nip_hits(df, u)
    cells, _, first = _per_column(u, in_text, len(df.columns))
    for j, col in enumerate(df.columns):
        if str(col) not in seen and cells[j]:
            out.append(Finding(str(col), "nip", int(cells[j]), int(first[j])))
    return out


__all__ = ["Finding", "NOT_NAME_WORDS", "all_pseudonyms", "as_text", "detect_identifiers", "mask_nips_in_text",
           "name_like", "names_by_value", "nip_cells", "nip_digits", "nip_in_text", "nip_parts", "personal_data"]
