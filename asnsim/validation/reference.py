"""The observed record the default world is calibrated and validated against.

``predikat_national.csv`` (package data; canonical copy in
``data/reference/``, with its README): the national predikat distribution of
about 10.3 million PNS appraisals, 2022-2024, PermenPAN-RB 6/2022 era,
national e-Kinerja data as tabulated on birokratmenulis.org (a secondary
tabulation; DOMAIN.md s.6).  No source gives numbers for PP 30/2019 or
PP 46/2011: only that the great majority were rated Baik or better.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import InputError

#: the packaged copy of data/reference/predikat_national.csv
REFERENCE_FILE = "predikat_national.csv"
REFERENCE_COLUMNS = ("regime", "predikat", "percent", "years", "population", "n_appraisals", "source")
#: The regimes ``asnsim validate`` simulates (built-in policy names), newest first.
REGIMES = ("permenpan-6-2022", "pp-30-2019", "pp-46-2011")
#: Predikat in display order, best first.
PREDIKAT = tuple(C.PREDIKAT_ORDER[::-1])
#: What "the great majority Baik or better" is taken to mean for the band regimes (an assumption: no
#: tabulation of the PP 30/2019 or PP 46/2011 years was found; see docs/validation.md).
BAND_REGIME_BAIK_OR_BETTER = 95.0


def reference_path() -> Path:
    """Where the packaged reference table is (inside the installed package)."""
    return Path(str(resources.files("asnsim.validation").joinpath(REFERENCE_FILE)))


def read_reference(path: str | Path | None = None) -> pd.DataFrame:
    """The observed predikat distribution(s), checked.

    Parameters
    ----------
    path : str or Path, optional
        A reference table in the same format; default the packaged copy.

    Returns
    -------
    DataFrame
        The file's columns (``regime, predikat, percent, years, population,
        n_appraisals, source``), ``percent`` as float.

    Raises
    ------
    InputError
        Naming the file, row and column of a missing column, an unknown
        predikat or regime, a percent outside 0-100 or a duplicate row.

    Examples
    --------
    >>> ref = read_reference()
    >>> ref.set_index("predikat")["percent"].round(2).to_dict()["Sangat Baik"]
    11.3
    """
    path = Path(path) if path is not None else reference_path()
    try:
        df = pd.read_csv(path, dtype={"regime": str, "predikat": str})
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read the reference table ({exc})") from None
    missing = [c for c in REFERENCE_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(str(path), f"missing column(s) {', '.join(missing)}; expected {', '.join(REFERENCE_COLUMNS)}")
    for col, allowed in (("regime", REGIMES), ("predikat", PREDIKAT)):
        bad = ~df[col].isin(allowed)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(str(path), f"{df[col].iloc[i]!r} is not one of {', '.join(allowed)}",
                             row=i + 2, column=col)
    pct = pd.to_numeric(df["percent"], errors="coerce")
    bad = ~pct.between(0, 100)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(str(path), f"{df['percent'].iloc[i]!r} is not a number between 0 and 100",
                         row=i + 2, column="percent")
    dup = df.duplicated(["regime", "predikat"])
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(str(path), f"a second row for {df['regime'].iloc[i]} / {df['predikat'].iloc[i]}", row=i + 2)
    return df.assign(percent=pct.astype(float))


def observed_percent(regime: str, reference: pd.DataFrame | None = None) -> pd.Series:
    """Observed percent per predikat (best first) for one regime; NaN where no source gives a number."""
    ref = read_reference() if reference is None else reference
    sub = ref[ref["regime"] == regime].set_index("predikat")["percent"]
    return sub.reindex(list(PREDIKAT)).astype(float).rename(regime)
