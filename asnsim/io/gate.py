"""The one input gate: every command that reads a data file reads it through :func:`read_input`.

:func:`read_input` reads the file as text (:func:`asnsim.io.readers.read_raw`)
and refuses it while it still holds personal data: a raw NIP in any spelling
or numeric type, a NIK, people's names (by header or by value), phone numbers
or e-mail addresses (:func:`asnsim.io.identifiers.personal_data`), unless the
user says the data may be processed as it is (``--allow-personal-data``).
``analyze`` (ratings and ``--employees``), ``calibrate`` (ratings and
``--employees``) and ``simulate``/``compare --population`` all go through it;
only ``anonymize``, whose job is to remove personal data, reads files without
it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError
from .identifiers import Finding, personal_data
from .readers import RawTable, read_raw

_WHAT = {"nip": "a raw NIP", "nik": "a NIK", "name": "names", "phone": "phone numbers",
         "email": "e-mail addresses"}
_WHY = {"nip": "a NIP encodes birth date, hiring month and sex, so it identifies a person",
        "nik": "a NIK identifies a person", "name": "names identify people",
        "phone": "phone numbers identify people", "email": "e-mail addresses identify people"}


def refuse_personal_data(df: pd.DataFrame, source: str, allow: bool = False) -> list[Finding]:
    """Stop when a table still holds personal data, unless ``allow``; return the findings.

    Raises
    ------
    InputError
        Naming the column (and the first row holding it), why it matters and how
        to anonymize; ``--allow-personal-data`` lets the data through.
    """
    found = personal_data(df)
    if found and not allow:
        f = found[0]
        more = f"; and {len(found) - 1} more column{'s' if len(found) > 2 else ''}" if len(found) > 1 else ""
        raise InputError(source, f"holds {_WHAT[f.kind]} ({f.cells} cells{more}): {_WHY[f.kind]}, and outputs "
                                 f"must not carry personal data. Anonymize first: asnsim anonymize {source} --key-file "
                                 "KEY --create-key --out ANON.csv; or, if this data may be processed as is, rerun "
                                 "with --allow-personal-data", row=f.example_row, column=f.column)
    return found


def read_input(path: str | Path, sheet: str | int | None = None, allow_personal_data: bool = False) -> RawTable:
    """Read a data file (CSV, Excel, Parquet) as text and pass it through the personal-data gate.

    Raises
    ------
    InputError
        The file cannot be read (:func:`~asnsim.io.readers.read_raw`), or it holds personal data and
        ``allow_personal_data`` is False (:func:`refuse_personal_data`).
    """
    raw = read_raw(path, sheet)
    refuse_personal_data(raw.data, raw.source, allow_personal_data)
    return raw


__all__ = ["read_input", "refuse_personal_data"]
