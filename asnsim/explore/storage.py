"""Where a study lives: an SQLite file (default), a PostgreSQL URL shared by several machines, or memory.

optuna's RDB storage keeps every trial (its lever values, its estimates, and,
as a user attribute, its per-replicate outcomes), so a study survives the
process that ran it: rerunning the same command resumes it, and several
machines pointed at one PostgreSQL URL work on one study.  The storage is
opened (and a server reached) before any evaluation, so a wrong URL fails at
once; passwords never appear in messages.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AsnsimError

#: file name of the default SQLite study in ``--out``
DEFAULT_FILE = "explore.db"
MEMORY = ("memory", ":memory:")


def storage_url(storage: str | Path | None, out: str | Path | None) -> str:
    """The storage URL for ``--storage`` (a URL, a file path, ``memory``) and ``--out``.

    Examples
    --------
    >>> storage_url(None, "out").endswith("out/explore.db")
    True
    >>> storage_url("postgresql://u:secret@db.example/asn", None)
    'postgresql://u:secret@db.example/asn'
    """
    if storage is None or str(storage).strip() == "":
        if out is None:
            return "memory"
        return f"sqlite:///{(Path(out) / DEFAULT_FILE).resolve()}"
    text = str(storage).strip()
    if text in MEMORY or "://" in text:
        return text
    return f"sqlite:///{Path(text).resolve()}"


def redact(url: str) -> str:
    """The URL with its password hidden (for messages and manifests)."""
    if url in MEMORY:
        return url
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL sqlalchemy can parse: say nothing about it beyond its scheme
        return url.split("://", 1)[0] + "://..." if "://" in url else "(unreadable storage URL)"


def open_storage(url: str):
    """Open (and for a server, connect to) an optuna storage; :class:`AsnsimError` naming the URL otherwise.

    Parameters
    ----------
    url : str
        ``memory``, ``sqlite:///PATH`` or ``postgresql://USER@HOST/DB`` (needs ``pip install 'asnsim[dist]'``).

    Returns
    -------
    optuna.storages.BaseStorage
    """
    import optuna

    if url in MEMORY:
        return optuna.storages.InMemoryStorage()
    scheme = url.split("://", 1)[0].lower()
    shown = redact(url)
    if scheme.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and not Path(path).parent.is_dir():
            raise AsnsimError(f"--storage {shown}: the folder {Path(path).parent} does not exist")
        engine = {"connect_args": {"timeout": 60}}
    elif scheme.startswith("postgres"):
        engine = {"connect_args": {"connect_timeout": 10}, "pool_pre_ping": True}
    else:
        raise AsnsimError(f"--storage {shown}: use an sqlite:/// or postgresql:// URL, a file path, or 'memory'")
    try:
        storage = _rdb_storage(url, engine)
    except ImportError:
        raise AsnsimError(f"--storage {shown}: no database driver for this URL; PostgreSQL needs "
                          f"pip install 'asnsim[dist]' (psycopg)") from None
    except Exception as exc:  # sqlalchemy's OperationalError, ArgumentError, ...: unreachable or unreadable
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise AsnsimError(f"--storage {shown}: cannot open the study storage ({reason})") from None
    if scheme.startswith("sqlite"):
        _write_ahead(storage.engine)
    return storage


def _rdb_storage(url: str, engine: dict, attempts: int = 3):
    """optuna's RDB storage; machines starting on a new database at once race to create its tables, and the
    losers (a unique-key violation) simply open it again."""
    import time

    import optuna
    from sqlalchemy.exc import IntegrityError, ProgrammingError

    for attempt in range(attempts):
        try:
            return optuna.storages.RDBStorage(url, engine_kwargs=engine)
        except (IntegrityError, ProgrammingError):
            if attempt == attempts - 1:
                raise
            time.sleep(1.0 + attempt)


def _write_ahead(engine) -> None:
    """SQLite in write-ahead-log mode, synced at checkpoints: about half the time per trial, still consistent
    after a crash (the last transactions may be lost, and their trials are asked again)."""
    from sqlalchemy import event

    def pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    event.listen(engine, "connect", pragmas)
    engine.dispose()  # connections opened while optuna set the schema up reconnect with the pragmas


__all__ = ["DEFAULT_FILE", "open_storage", "redact", "storage_url"]
