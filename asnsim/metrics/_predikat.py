"""Predikat names to ordered integer codes (0 = Sangat Kurang ... 4 = Sangat Baik).

Older regimes name some levels differently; :data:`SYNONYMS` maps them onto the
PermenPAN-RB 6/2022 ladder so that every policy reports the same rows
(PP 30/2019 "Cukup" = Butuh Perbaikan; PP 46/2011 "Cukup" likewise, "Kurang" =
Kurang/Misconduct, "Buruk" = Sangat Kurang).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import InputError

SYNONYMS: dict[str, str] = {
    "Cukup": C.BUTUH_PERBAIKAN,
    "Cukup/Butuh Perbaikan": C.BUTUH_PERBAIKAN,
    "Kurang": C.KURANG,
    "Misconduct": C.KURANG,
    "Buruk": C.SANGAT_KURANG,
}
LEVELS = C.PREDIKAT_ORDER
SB = LEVELS.index(C.SANGAT_BAIK)
BAIK = LEVELS.index(C.BAIK)
_CODE = {name: i for i, name in enumerate(LEVELS)} | {k: LEVELS.index(v) for k, v in SYNONYMS.items()}


def predikat_codes(values, source: str = "scores", column: str = C.PREDIKAT) -> np.ndarray:
    """Map predikat names to codes 0..4; missing values become -1.

    Raises
    ------
    InputError
        For a name that is neither a PermenPAN-RB 6/2022 predikat nor a known
        synonym; the message names the first offending row and the column.
    """
    s = pd.Series(values, copy=False)
    if pd.api.types.is_numeric_dtype(s) and not isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.to_numpy(dtype=float)
        if np.nanmax(np.append(codes, 0)) > 4 or np.nanmin(np.append(codes, 0)) < 0:
            raise InputError(source, "numeric predikat codes must lie in 0..4", column=column)
        return np.where(np.isnan(codes), -1, codes).astype(np.int64)
    uniq, inv = np.unique(s.astype(object).where(s.notna(), "").to_numpy(dtype=object).astype(str),
                          return_inverse=True)
    table = np.array([_CODE.get(u.strip(), -1 if u == "" else -2) for u in uniq], dtype=np.int64)
    codes = table[inv]
    bad = np.flatnonzero(codes == -2)
    if len(bad):
        known = ", ".join(LEVELS)
        raise InputError(source, f"unknown predikat {s.iloc[bad[0]]!r}; known: {known}",
                         row=int(bad[0]) + 1, column=column)
    return codes
