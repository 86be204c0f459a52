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
import pyarrow.compute as pc

from .. import columns as C
from ..errors import InputError
from .identifiers import (EMAIL_REGEX, ID_COLUMNS, NIP_LOOSE, NIP_REGEX, PHONE_CORE, PHONE_REGEX, PSEUDONYM_REGEX,  # noqa: F401
                          Finding, _arrow, all_pseudonyms, as_text, contains, detect_identifiers, fullmatch,
                          NOT_NAME_WORDS, mask_nips_in_text, nip_cells, nip_digits, nip_in_text, nip_parts,
                          personal_data)

#: More distinct names than this are not searched for inside free text: such columns are dropped instead.
MAX_NAMES_IN_TEXT = 50_000
TOP_TOKENS = ("0",)
AGE_BANDS = ((0, 30, "<=30"), (31, 40, "31-40"), (41, 50, "41-50"), (51, 60, "51-60"), (61, 200, ">60"))
TENURE_BANDS = ((0, 4, "<5"), (5, 14, "5-14"), (15, 24, "15-24"), (25, 200, ">=25"))
MIN_KEY_BYTES = 16
PSEUDONYM_HEX = 16


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


#: SHA-256 of the published demo key (``data/samples/demo.key``): a key anyone can read protects nothing
DEMO_KEY_SHA256 = "b3d7ee8af2b6434d194eea8ef5ade7ea0381d49001781bd4ea88cf7a8cdb6884"


def is_demo_key(key: bytes) -> bool:
    """Whether ``key`` is the demo key published with the samples (or holds its warning text)."""
    return hashlib.sha256(key).hexdigest() == DEMO_KEY_SHA256 or b"DO-NOT-USE-FOR-REAL-DATA" in key


def check_key_use(key: bytes, key_file: str | Path, input_file: str | Path) -> str | None:
    """Refuse the published demo key outside the samples; beside them, return a warning to print.

    The samples, their generator ``make_samples.py`` and the demo key sit in one folder (``data/samples/``):
    an input anywhere else is taken for real data, and a pseudonym under a published key can be recomputed
    by anyone from a guessed NIP.  The key is recognised by its content, whatever the file is called.

    Raises
    ------
    InputError
        The demo key with an input outside the key's folder.
    """
    if not is_demo_key(key):
        return None
    folder = Path(key_file).resolve().parent
    if Path(input_file).resolve().parent == folder and (folder / "make_samples.py").is_file():
        return (f"WARNING: {key_file} is the published demo key: fine for the samples beside it, but it protects "
                "nothing; never use it for real data (create your own key with --create-key)")
    raise InputError(str(key_file), "is the published demo key of the samples: anyone can recompute its "
                                    "pseudonyms from a guessed NIP, so it is refused for other data; create your own "
                                    "key with --key-file NEW.key --create-key and keep it apart from the data")


def _normalize(values: pd.Series, kind: str) -> pd.Series:
    """The text a pseudonym is computed from: a NIP in any spelling becomes its 18 digits (so every spelling
    of one NIP gets one pseudonym); names are case-folded with single spaces."""
    t = as_text(values)
    if kind in ("nip", "nik", "id"):
        return nip_digits(values)["digits"].fillna(t).astype("string")
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
            names.update(name_terms(out[col]))
            out[col] = pseudonyms(out[col], key, "name")
            report.actions[col] = "keyed pseudonym (HMAC-SHA256)"
        elif f.kind in ("phone", "email"):
            out = out.drop(columns=col)
            report.actions[col] = "dropped"
        elif f.kind == "birth_date":
            birth = pd.to_datetime(as_text(out[col]), errors="coerce", dayfirst=True, format="mixed")
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
        if pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_numeric_dtype(s):   # a NIP stored as a number (int64 exact, float64 lossy)
            hit = nip_cells(s)
            if hit.any():
                out[col] = as_text(s).mask(hit, "[NIP]")
                masked += int(hit.sum())
            continue
        if not (pd.api.types.is_string_dtype(s) or s.dtype == object):
            continue
        t = as_text(s)
        new = t.copy()
        cand = contains(t, NIP_LOOSE)
        if cand.any():
            new[cand] = t[cand].map(mask_nips_in_text)
        arr = pc.replace_substring_regex(_arrow(new), pattern=EMAIL_REGEX, replacement="[EMAIL]")
        new = pd.Series(arr.to_numpy(zero_copy_only=False), index=t.index, dtype="string")
        cand = contains(new, PHONE_CORE)
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


def name_terms(values: pd.Series) -> set[str]:
    """What to look for in free text once a name column is known: each full name, and each first name
    (``Budi sering terlambat``) of three letters or more, academic titles (``Dr.``) skipped.  Other words of
    a name are not searched alone: a surname such as Pratama is also a word of position titles."""
    full = {v for v in as_text(values).dropna().unique() if len(v) >= 3}
    first = set()
    for v in full:
        words = re.findall(r"[^\W\d_]+\.?", v)
        given = next((w for w in words if not w.endswith(".")), "")
        if len(given) >= 3 and given.casefold() not in NOT_NAME_WORDS:
            first.add(given)
    return full | first


# ---------------------------------------------------------------- k-anonymity

def default_quasi_identifiers(df: pd.DataFrame) -> list[str]:
    """The columns of ``df`` that are quasi-identifiers (:data:`asnsim.columns.QUASI_IDENTIFIERS`) under
    asnsim's names or an Indonesian export's (:data:`asnsim.columns.HEADER_ALIASES`: ``Unit Kerja``,
    ``Jabatan``, ``Jenis Kelamin``, ``Golongan`` ...), and age bands coarsened from a birth date; one column
    per attribute (asnsim's own name first)."""
    chosen: dict[str, str] = {}
    for col in df.columns:
        name = str(col)
        canon = C.canonical_attribute(name) or (C.AGE_BAND if name.endswith("_age_band") else None)
        if canon in C.QUASI_IDENTIFIERS and (canon not in chosen or name == canon):
            chosen[canon] = name
    return [chosen[c] for c in C.QUASI_IDENTIFIERS if c in chosen]


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
    """The input gate's check (:func:`asnsim.io.gate.refuse_personal_data`), kept here for old imports."""
    from .gate import refuse_personal_data as gate

    return gate(df, source, allow)
