"""Array helpers shared by the scoring engines and the kurva distribusi (:mod:`asnsim.quota`).

At national scale (4.3 M employees, 47 M ratings) the cost of scoring is in
moving between labels and integer codes: looking ids up, turning predikat
names into level numbers and level numbers back into a text column.  These
helpers do each in one vectorized pass, with the same results as the plain
pandas calls they replace (``Index.get_indexer``, ``pd.Categorical(...).codes``
and ``pd.Series(names[codes])``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["positions", "level_codes", "text_column"]


def positions(values, ids) -> np.ndarray:
    """Position of each of ``values`` in ``ids`` (-1 where absent), like ``pd.Index(ids).get_indexer(values)``.

    Compact unique integer ids (employee ids 1..n) are looked up in a table;
    anything else goes through pandas (which raises on duplicate ``ids``).

    Examples
    --------
    >>> positions(np.array([3, 1, 9]), np.array([1, 2, 3])).tolist()
    [2, 0, -1]
    """
    values, ids = np.asarray(values), np.asarray(ids)
    if values.dtype.kind in "iu" and ids.dtype.kind in "iu" and len(ids):
        lo, hi = int(ids.min()), int(ids.max())
        if hi - lo <= 4 * len(ids) + 1_000_000:
            table = np.full(hi - lo + 1, -1, dtype=np.int64)
            table[ids - lo] = np.arange(len(ids))
            if (table[ids - lo] == np.arange(len(ids))).all():  # unique
                if len(values) and lo <= values.min() and values.max() <= hi:
                    return table[values - lo]
                off = values.astype(np.int64) - lo
                inside = (off >= 0) & (off <= hi - lo)
                return np.where(inside, table[np.clip(off, 0, hi - lo)], -1)
    return pd.Index(ids).get_indexer(values)


def level_codes(values: pd.Series, levels) -> np.ndarray:
    """Codes 0..k-1 of ``values`` in ``levels``; -1 for missing or unknown (``pd.Categorical(values, levels).codes``).

    Examples
    --------
    >>> level_codes(pd.Series(["Baik", None, "x", "Kurang"]), ["Kurang", "Baik"]).tolist()
    [1, -1, -1, 0]
    """
    levels = list(levels)
    if isinstance(values.dtype, pd.CategoricalDtype):  # through the categories, not the rows
        lut = np.r_[pd.Index(levels).get_indexer(values.cat.categories), -1]
        return lut[values.cat.codes.to_numpy()].astype(np.int64)
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        arr = pa.chunked_array([pa.array(values, from_pandas=True)])
        codes = pc.index_in(arr, value_set=pa.array(levels, arr.type))
        return codes.fill_null(-1).to_numpy().astype(np.int64)
    return np.asarray(pd.Categorical(values, categories=levels).codes, dtype=np.int64)


def text_column(names, codes: np.ndarray) -> pd.Series | np.ndarray:
    """``names[codes]`` as a text column (missing where a code is -1), built without a Python string per row.

    Returns what pandas would make of the object array ``names[codes]``: an
    Arrow-backed ``str`` array under pandas' default string type (pandas 3),
    the object array itself otherwise.
    """
    codes = np.asarray(codes)
    target = pd.Series(["x"]).dtype
    if not (isinstance(target, pd.StringDtype) and target.storage == "pyarrow"):
        obj = np.asarray(list(names) + [None], dtype=object)
        return obj[np.where(codes >= 0, codes, len(obj) - 1)]
    taken = pa.array(list(names), pa.large_string()).take(pa.array(codes, mask=codes < 0))
    return pd.array(taken, dtype=target)
