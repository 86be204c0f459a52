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
