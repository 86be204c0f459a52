"""Anonymization: find direct identifiers, replace them with keyed pseudonyms.

A raw NIP leaks birth date, hiring month and sex (``shared/DOMAIN.md`` s.1):
it is personal data, and so are names, phone numbers and e-mail addresses.
:func:`anonymize_table`

* replaces NIP, NIK, name and ID columns by keyed pseudonyms
  ``HMAC-SHA256(key, value)`` (RFC 2104; FIPS 198-1), truncated to 16 hex digits
  (64 bits): the same key gives the same pseudonym, so links between files
  (employee -> supervisor, ratee -> rater) survive; without the key a
  pseudonym cannot be reversed or recomputed from a guessed NIP;
* drops phone and e-mail columns and masks NIPs, phone numbers, e-mail
  addresses and known names inside free text;
* coarsens a birth date to an age band, and can derive sex, age band and tenure
  band from the NIP before it is replaced;
* never writes the key anywhere.

:func:`k_anonymity` reports the size of the smallest group of records sharing
the same quasi-identifiers (Sweeney 2002, Int. J. Uncertainty, Fuzziness and
Knowledge-Based Systems 10:557).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import columns as C
from ..errors import InputError

NIP_REGEX = (r"(?<!\d)(?P<birth>\d{8})[ .\-]?(?P<start>\d{6})[ .\-]?(?P<sex>[12])[ .\-]?(?P<seq>\d{3})(?!\d)")
PHONE_REGEX = r"(?<![\w])(?:\+62|62|0)[ .\-]?8\d{1,3}(?:[ .\-]?\d{2,4}){2,3}(?![\w])"
EMAIL_REGEX = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"
# RE2 forms (pyarrow.compute: linear time, vectorized): the same patterns without look-arounds, for
# whole cells (anchored) and as loose pre-filters of free text (exact checks then run on the few hits)
NIP_CORE = r"(?P<birth>\d{8})[ .\-]?(?P<start>\d{6})[ .\-]?(?P<sex>[12])[ .\-]?(?P<seq>\d{3})"
PHONE_CORE = r"(?:\+62|62|0)[ .\-]?8\d{1,3}(?:[ .\-]?\d{2,4}){2,3}"
NIP_LOOSE = r"\d{8}[ .\-]?\d{6}[ .\-]?[12][ .\-]?\d{3}"
#: More distinct names than this are not searched for inside free text: such columns are dropped instead.
MAX_NAMES_IN_TEXT = 50_000
NAME_HEADER = re.compile(r"(^|[\s_\-.])(nama|name|nm)([\s_\-.]|$)|^(nama|name)", re.IGNORECASE)
PHONE_HEADER = re.compile(r"(telp|telepon|phone|hp|handphone|whatsapp|wa|ponsel)", re.IGNORECASE)
EMAIL_HEADER = re.compile(r"(e-?mail|surel)", re.IGNORECASE)
BIRTH_HEADER = re.compile(r"(tanggal|tgl|date|tempat)[\s_\-.]*(of[\s_\-.]*)?(lahir|birth)|^(dob|birth_?date|lahir)$",
                          re.IGNORECASE)
NIK_HEADER = re.compile(r"^(nik|no[\s_\-.]*ktp|ktp)$", re.IGNORECASE)
#: asnsim's ID columns: pseudonymized whatever their values look like.
ID_COLUMNS = (C.EMPLOYEE_ID, C.SUPERVISOR_ID, C.RATEE_ID, C.RATER_ID)
TOP_TOKENS = ("0",)
AGE_BANDS = ((0, 30, "<=30"), (31, 40, "31-40"), (41, 50, "41-50"), (51, 60, "51-60"), (61, 200, ">60"))
TENURE_BANDS = ((0, 4, "<5"), (5, 14, "5-14"), (15, 24, "15-24"), (25, 200, ">=25"))
MIN_KEY_BYTES = 16
#: What :func:`pseudonyms` produces (a name column holding only these is anonymized).
PSEUDONYM_REGEX = r"[PN][0-9a-f]{16}"
PSEUDONYM_HEX = 16


# ---------------------------------------------------------------- the NIP pattern

def _valid_nip_parts(parts: pd.DataFrame) -> pd.Series:
    """Which extracted (birth, start, sex, seq) groups form a plausible NIP."""
    ok = (parts["birth"].str.len() == 8) & (parts["start"].str.len() == 6)
    ok = ok.fillna(False).astype(bool)
    out = pd.Series(False, index=parts.index)
    if not ok.any():
        return out
    p = parts.loc[ok]
    birth = pd.to_datetime(p["birth"].astype(object), format="%Y%m%d", errors="coerce")
    by = birth.dt.year
    digits = p["start"].astype(object).to_numpy().astype("U6").view("U1").reshape(-1, 6).astype(np.int64)
    sy = pd.Series(digits[:, :4] @ np.array([1000, 100, 10, 1]), index=p.index)   # YYYY
    sm = pd.Series(digits[:, 4] * 10 + digits[:, 5], index=p.index)                # MM
    valid = (birth.notna() & by.between(1930, 2015) & sy.between(1960, 2040) & sm.between(1, 12)
             & (sy >= by + 15)).fillna(False).astype(bool)
    out.loc[valid.index] = valid.to_numpy()
    return out


def _valid_nip_match(m: re.Match) -> bool:
    """The rule of :func:`_valid_nip_parts` for one regex match (used inside free-text replacement)."""
    from datetime import datetime
    try:
        birth = datetime.strptime(m.group("birth"), "%Y%m%d")
    except ValueError:
        return False
    sy, sm = int(m.group("start")[:4]), int(m.group("start")[4:])
    return 1930 <= birth.year <= 2015 and 1960 <= sy <= 2040 and 1 <= sm <= 12 and sy >= birth.year + 15


def _arrow(t: pd.Series) -> pa.Array:
    return pa.array(t.astype(object).where(t.notna(), None).tolist() if len(t) else [], type=pa.string())


def _fullmatch(t: pd.Series, pattern: str) -> pd.Series:
    """Whole-cell RE2 match, vectorized (pyarrow); False for missing cells."""
    hit = pc.match_substring_regex(_arrow(t), pattern="^(?:" + pattern + ")$")
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=t.index).fillna(False).astype(bool)


def _contains(t: pd.Series, pattern: str) -> pd.Series:
    hit = pc.match_substring_regex(_arrow(t), pattern=pattern)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=t.index).fillna(False).astype(bool)


def _nip_extract(t: pd.Series) -> pd.DataFrame:
    """The four NIP parts of whole cells (NA where the cell is not 18 digits in the NIP layout)."""
    parts = pc.extract_regex(_arrow(t), pattern="^" + NIP_CORE + "$")
    valid = parts.is_valid().to_numpy(zero_copy_only=False).astype(bool)
    cols = {name: pd.Series(parts.field(name).to_numpy(zero_copy_only=False), index=t.index,
                            dtype="string").where(valid)
            for name in ("birth", "start", "sex", "seq")}
    return pd.DataFrame(cols)


def nip_cells(values: pd.Series) -> pd.Series:
    """True where the whole cell is a NIP: 18 digits (spaces, dots or dashes allowed between the
    four parts) with a valid birth date YYYYMMDD, a CPNS start YYYYMM at least 15 years later,
    a sex digit 1 or 2 and a 3-digit sequence."""
    t = _text(values)
    parts = _nip_extract(t)
    return _valid_nip_parts(parts).reindex(t.index, fill_value=False) & parts["birth"].notna()


def nip_in_text(values: pd.Series) -> pd.Series:
    """True where a cell holds a NIP anywhere in its text (RE2 pre-filter, exact check on the hits)."""
    t = _text(values)
    cand = _contains(t, NIP_LOOSE)
    out = pd.Series(False, index=t.index)
    if cand.any():
        hits = t[cand].str.extractall(NIP_REGEX)
        if len(hits):
            ok = _valid_nip_parts(hits).groupby(level=0).any()
            out.loc[ok.index] = ok.to_numpy()
    return out


def nip_parts(values: pd.Series) -> pd.DataFrame:
    """Birth date, CPNS start (first of the month) and sex ("M"/"F") encoded in NIP cells (NaT/NA elsewhere)."""
    t = _text(values)
    parts = _nip_extract(t)
    ok = _valid_nip_parts(parts) & parts["birth"].notna()
    birth = pd.to_datetime(parts["birth"].where(ok), format="%Y%m%d", errors="coerce")
    start = pd.to_datetime(parts["start"].where(ok) + "01", format="%Y%m%d", errors="coerce")
    sex = parts["sex"].where(ok).map({"1": "M", "2": "F"})
    return pd.DataFrame({"birth_date": birth, "start_date": start, C.SEX: sex}, index=t.index)


def _all_pseudonyms(values: pd.Series) -> bool:
    t = _text(values).dropna()
    t = t[t != ""]
    return bool(_fullmatch(t, PSEUDONYM_REGEX).all())


def _text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(values):
        return pd.Series(pd.NA, index=values.index, dtype="string")  # floats cannot hold 18 exact digits
    return values.astype("string").str.strip()


# ---------------------------------------------------------------- detection

@dataclass
class Finding:
    column: str
    kind: str          # nip, nik, name, phone, email, birth_date, id
    cells: int
    example_row: int | None = None


def detect_identifiers(df: pd.DataFrame, id_columns: tuple[str, ...] = ID_COLUMNS,
                       min_share: float = 0.5) -> list[Finding]:
    """Find columns holding direct identifiers or a birth date.

    A column is a NIP/phone/e-mail column when at least ``min_share`` of its
    non-empty cells match the pattern; a name, birth-date or NIK column is
    recognised by its header (nama, name, tanggal_lahir, nik, ...).
    """
    found = []
    for col in df.columns:
        s = df[col]
        name = str(col)
        text = _text(s) if not pd.api.types.is_float_dtype(s) else None
        filled = text.notna() & (text != "") if text is not None else pd.Series(False, index=s.index)
        n = int(filled.sum())

        def share(mask):
            return float(mask[filled].mean()) if n else 0.0

        def first_row(mask):
            pos = np.flatnonzero(mask.to_numpy(bool))
            return int(pos[0]) + 2 if len(pos) else None

        if text is not None and n:
            nips = nip_cells(s)
            if share(nips) >= min_share or (nips.any() and "nip" in name.casefold()):
                found.append(Finding(name, "nip", int(nips.sum()), first_row(nips)))
                continue
        if NIK_HEADER.search(name):
            found.append(Finding(name, "nik", n))
            continue
        if BIRTH_HEADER.search(name):
            found.append(Finding(name, "birth_date", n))
            continue
        if NAME_HEADER.search(name) and not pd.api.types.is_numeric_dtype(s):
            found.append(Finding(name, "name", n))
            continue
        if text is not None and n:
            phones = _fullmatch(text, PHONE_CORE)
            if share(phones) >= min_share or (PHONE_HEADER.search(name) and phones.any()):
                found.append(Finding(name, "phone", int(phones.sum()), first_row(phones)))
                continue
            mails = _fullmatch(text, EMAIL_REGEX)
            if share(mails) >= min_share or (EMAIL_HEADER.search(name) and mails.any()):
                found.append(Finding(name, "email", int(mails.sum()), first_row(mails)))
                continue
        if name in id_columns:
            found.append(Finding(name, "id", n))
    return found


def personal_data(df: pd.DataFrame) -> list[Finding]:
    """Raw NIPs (whole cells or inside text) and name columns still in a table (for ``analyze``)."""
    out = []
    for f in detect_identifiers(df, id_columns=()):
        if f.kind == "nip" or (f.kind in ("nik", "name") and not _all_pseudonyms(df[f.column])):
            out.append(f)
    seen = {f.column for f in out}
    for col in df.columns:
        if col in seen or pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_integer_dtype(df[col]):
            continue
        hit = nip_in_text(df[col])
        if hit.any():
            out.append(Finding(str(col), "nip", int(hit.sum()), int(np.flatnonzero(hit.to_numpy(bool))[0]) + 2))
    return out


# ---------------------------------------------------------------- pseudonyms

def read_key(path: str | Path, create: bool = False) -> bytes:
    """Read the secret key (at least 16 bytes); with ``create``, make a new random one if the file is missing."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise InputError(str(path), "no such key file; create one with --create-key (or: python -c "
                                        "\"import secrets; print(secrets.token_hex(32))\" > KEYFILE) and keep it "
                                        "apart from the data")
        import os
        import secrets
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    key = path.read_bytes().strip()
    if len(key) < MIN_KEY_BYTES:
        raise InputError(str(path), f"the key is {len(key)} bytes long; use at least {MIN_KEY_BYTES} random bytes "
                                    "(e.g. 64 hex digits from secrets.token_hex(32))")
    return key


def _normalize(values: pd.Series, kind: str) -> pd.Series:
    t = _text(values)
    if kind in ("nip", "nik", "id"):
        return t.str.replace(r"^(\d+)[ .\-](\d+)[ .\-](\d)[ .\-](\d+)$", r"\1\2\3\4", regex=True)
    return t.str.casefold().str.replace(r"\s+", " ", regex=True)


def pseudonyms(values: pd.Series, key: bytes, kind: str = "id") -> pd.Series:
    """Keyed pseudonyms ``P`` + first 16 hex digits of HMAC-SHA256(key, value) (``N`` for names).

    IDs, NIPs and NIKs share one domain, so a NIP gets the same pseudonym in an
    ``employee_id`` column and in a ``rater_id`` column; names get their own.
    Empty cells and the top-of-tree supervisor ``0`` are kept as they are.

    Examples
    --------
    >>> s = pd.Series(["198503122010011002", "198503122010011002", None])
    >>> p = pseudonyms(s, b"0123456789abcdef0123")
    >>> bool(p[0] == p[1]), p[0][:1], len(p[0]), pd.isna(p[2])
    (True, 'P', 17, True)
    """
    norm = _normalize(values, kind)
    domain, prefix = (b"name\x00", "N") if kind == "name" else (b"id\x00", "P")
    keep = norm.isna() | (norm == "") | ((kind != "name") & norm.isin(TOP_TOKENS))
    uniq = pd.unique(norm[~keep].astype(object).to_numpy())
    base = hmac.new(key, domain, hashlib.sha256)  # keyed state after the domain prefix, copied per value

    def one(u: str) -> str:
        h = base.copy()
        h.update(u.encode("utf-8"))
        return prefix + h.hexdigest()[:PSEUDONYM_HEX]

    table = {u: one(u) for u in uniq}  # one HMAC per distinct value: hmac has no vectorized form
    out = norm.map(table).astype("string")
    return out.where(~keep, norm)


# ---------------------------------------------------------------- bands

def _band(years: pd.Series, bands) -> pd.Series:
    out = pd.Series(pd.NA, index=years.index, dtype="string")
    for lo, hi, label in bands:
        out[(years >= lo) & (years <= hi)] = label
    return out


def years_between(start: pd.Series, as_of: date) -> pd.Series:
    """Completed years from each date to ``as_of`` (NaN where the date is missing)."""
    ref = pd.Timestamp(as_of)
    years = ref.year - start.dt.year - ((start.dt.month > ref.month) |
                                        ((start.dt.month == ref.month) & (start.dt.day > ref.day))).astype(float)
    return years.where(start.notna())


def age_band(birth: pd.Series, as_of: date) -> pd.Series:
    """Age band (``<=30, 31-40, 41-50, 51-60, >60``) at ``as_of``, as the population uses."""
    return _band(years_between(birth, as_of), AGE_BANDS)


def tenure_band(start: pd.Series, as_of: date) -> pd.Series:
    """Tenure band (``<5, 5-14, 15-24, >=25`` years since the CPNS start)."""
    return _band(years_between(start, as_of), TENURE_BANDS)


# ---------------------------------------------------------------- the whole table

@dataclass
class AnonymizationReport:
    findings: list[Finding]
    actions: dict[str, str] = field(default_factory=dict)
    masked_cells: int = 0

    def lines(self) -> list[str]:
        out = [f"{f.column}: {f.kind} ({f.cells} cells) -> {self.actions.get(f.column, 'kept')}"
               for f in self.findings]
        found = {f.column for f in self.findings}
        out += [f"{col}: {action}" for col, action in self.actions.items() if col not in found]
        if self.masked_cells:
            out.append(f"free text: {self.masked_cells} cells had a NIP, phone, e-mail or name masked")
        return out or ["no direct identifier found"]


def anonymize_table(df: pd.DataFrame, key: bytes, *, as_of: date | None = None, derive_from_nip: bool = False,
                    id_columns: tuple[str, ...] = (), drop: tuple[str, ...] = ()) -> tuple[pd.DataFrame,
                                                                                           AnonymizationReport]:
    """Replace direct identifiers in one table (see the module docstring for what is done).

    Parameters
    ----------
    df : DataFrame
        The table as read (any column names).
    key : bytes
        The secret HMAC key (:func:`read_key`).
    as_of : date, optional
        Reference date for age and tenure bands (default: today).
    derive_from_nip : bool
        Add ``sex``, ``age_band`` and ``tenure_band`` from the first NIP column
        (only where the table has no such column) before the NIP is replaced.
    id_columns : tuple of str
        More columns to pseudonymize (an agency's own employee numbers).
    drop : tuple of str
        Columns to drop outright.

    Returns
    -------
    (DataFrame, AnonymizationReport)
    """
    as_of = as_of or date.today()
    out = df.drop(columns=[c for c in drop if c in df.columns]).copy()
    findings = detect_identifiers(out, id_columns=tuple(ID_COLUMNS) + tuple(id_columns))
    for c in id_columns:
        if c not in out.columns:
            raise InputError("--id-columns", f"no column '{c}' in the input", column=c)
    report = AnonymizationReport(findings)
    for c in drop:
        report.actions[c] = "dropped"
    nip_cols = [f.column for f in findings if f.kind == "nip"]
    if derive_from_nip and nip_cols:
        parts = nip_parts(out[nip_cols[0]])
        for col, values in ((C.SEX, parts[C.SEX].astype("string")), (C.AGE_BAND, age_band(parts["birth_date"], as_of)),
                            (C.TENURE_BAND, tenure_band(parts["start_date"], as_of))):
            if col not in out.columns:
                out[col] = values
                report.actions[col] = f"derived from {nip_cols[0]}"
    names = set()
    for f in findings:
        col = f.column
        if f.kind in ("nip", "nik", "id"):
            out[col] = pseudonyms(out[col], key, "id")
            report.actions[col] = "keyed pseudonym (HMAC-SHA256)"
        elif f.kind == "name":
            names.update(v for v in _text(out[col]).dropna().unique() if len(v) >= 3)
            out[col] = pseudonyms(out[col], key, "name")
            report.actions[col] = "keyed pseudonym (HMAC-SHA256)"
        elif f.kind in ("phone", "email"):
            out = out.drop(columns=col)
            report.actions[col] = "dropped"
        elif f.kind == "birth_date":
            birth = pd.to_datetime(_text(out[col]), errors="coerce", dayfirst=True, format="mixed")
            band_col = C.AGE_BAND if C.AGE_BAND not in out.columns else f"{col}_age_band"
            out[band_col] = age_band(birth, as_of)
            out = out.drop(columns=col)
            report.actions[col] = f"coarsened to {band_col}"
    handled = {f.column for f in findings} | set(report.actions)
    report.masked_cells = _mask_free_text(out, [c for c in out.columns if c not in handled], names, report)
    return out, report


def _mask_free_text(out: pd.DataFrame, cols: list[str], names: set[str],
                    report: "AnonymizationReport | None" = None) -> int:
    """Mask NIPs, phones, e-mails and known names inside the other text columns (in place).

    RE2 (pyarrow) finds candidate cells in one vectorized pass; the exact NIP and phone rules (with
    look-arounds) then run on those cells only.  Names are replaced with one RE2 alternation; with
    more than :data:`MAX_NAMES_IN_TEXT` names a text column is dropped instead.
    """
    name_pattern = None
    if names and len(names) <= MAX_NAMES_IN_TEXT:
        alts = sorted((re.escape(n) for n in names), key=len, reverse=True)
        name_pattern = r"(?i)\b(?:" + "|".join(alts) + r")\b"
    masked = 0
    for col in cols:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_integer_dtype(s):
            continue
        if pd.api.types.is_integer_dtype(s):
            hit = nip_cells(s)
            if hit.any():
                out[col] = s.astype("string").mask(hit, "[NIP]")
                masked += int(hit.sum())
            continue
        if not (pd.api.types.is_string_dtype(s) or s.dtype == object):
            continue
        t = _text(s)
        new = t.copy()
        cand = _contains(t, NIP_LOOSE)
        if cand.any():
            new[cand] = t[cand].str.replace(NIP_REGEX, lambda m: "[NIP]" if _valid_nip_match(m) else m.group(0),
                                            regex=True)
        arr = pc.replace_substring_regex(_arrow(new), pattern=EMAIL_REGEX, replacement="[EMAIL]")
        new = pd.Series(arr.to_numpy(zero_copy_only=False), index=t.index, dtype="string")
        cand = _contains(new, PHONE_CORE)
        if cand.any():
            new[cand] = new[cand].str.replace(PHONE_REGEX, "[TELP]", regex=True)
        if names and name_pattern is None and t.str.contains(" ", regex=False).fillna(False).any():
            out.drop(columns=col, inplace=True)
            if report is not None:
                report.actions[col] = f"dropped (free text; more than {MAX_NAMES_IN_TEXT} names to search)"
            continue
        if name_pattern is not None:
            arr = pc.replace_substring_regex(_arrow(new), pattern=name_pattern, replacement="[NAMA]")
            new = pd.Series(arr.to_numpy(zero_copy_only=False), index=t.index, dtype="string")
        changed = (new != t).fillna(False)
        if changed.any():
            out[col] = new
            masked += int(changed.sum())
    return masked


# ---------------------------------------------------------------- k-anonymity

def k_anonymity(df: pd.DataFrame, quasi_identifiers: list[str], k: int = 5) -> pd.DataFrame:
    """Equivalence classes of the quasi-identifiers and their sizes.

    A table is k-anonymous when every combination of quasi-identifier values
    is shared by at least k records (Sweeney 2002).  Missing values form their
    own class.

    Returns
    -------
    DataFrame
        One row per class: the quasi-identifier values, ``n`` (class size) and
        ``below_k`` (``n < k``), smallest classes first.

    Examples
    --------
    >>> t = pd.DataFrame({"sex": ["F", "F", "M"], "age_band": ["31-40"] * 3})
    >>> int(k_anonymity(t, ["sex", "age_band"]).n.min())
    1
    """
    missing = [c for c in quasi_identifiers if c not in df.columns]
    if missing:
        raise InputError("--quasi", f"no column '{missing[0]}' in the table; columns: {', '.join(map(str, df.columns))}",
                         column=missing[0])
    classes = (df[quasi_identifiers].astype("string").fillna("(missing)")
               .value_counts(dropna=False).rename("n").reset_index())
    classes["below_k"] = classes["n"] < k
    return classes.sort_values(["n"] + quasi_identifiers, kind="stable").reset_index(drop=True)


def k_anonymity_summary(classes: pd.DataFrame, k: int = 5) -> dict[str, float]:
    """``k`` reached (smallest class), classes, records in classes smaller than the target ``k``."""
    n_rec = int(classes["n"].sum())
    small = classes.loc[classes["n"] < k, "n"]
    return {"k_min": int(classes["n"].min()) if len(classes) else 0, "classes": int(len(classes)),
            "records": n_rec, "records_below_k": int(small.sum()),
            "share_below_k": float(small.sum() / n_rec) if n_rec else 0.0, "unique_records": int((classes.n == 1).sum())}


def refuse_personal_data(df: pd.DataFrame, source: str, allow: bool = False) -> list[Finding]:
    """Stop when a table still holds a raw NIP or a name column, unless ``allow``.

    Raises
    ------
    InputError
        Naming the column (and the first row holding a NIP), why it matters and
        how to anonymize; ``--allow-personal-data`` lets the data through.
    """
    found = personal_data(df)
    if found and not allow:
        f = found[0]
        what = "a raw NIP" if f.kind == "nip" else ("a NIK" if f.kind == "nik" else "names")
        why = ("a NIP encodes birth date, hiring month and sex, so it identifies a person"
               if f.kind == "nip" else "names identify people")
        raise InputError(source, f"holds {what} ({f.cells} cells{'; and ' + str(len(found) - 1) + ' more columns' if len(found) > 1 else ''}): "
                                 f"{why}, and outputs must not carry personal data. Anonymize first: asnsim "
                                 f"anonymize {source} --key-file KEY --create-key --out ANON.csv; or, if this "
                                 "data may be processed as is, rerun with --allow-personal-data",
                         row=f.example_row, column=f.column)
    return found
