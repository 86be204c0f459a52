"""The output-folder guard: where a command may write, one run at a time, and never over a user's file.

Every command that writes a folder (``simulate``, ``analyze``, ``compare``,
``demo``) goes through :func:`atomic_output_dir`; commands that write one file
(``calibrate``, ``anonymize``) check their target with
:func:`check_output_file` and write through :func:`asnsim.output.atomic_file`.

Target
    :func:`check_output_dir` refuses, before any work starts, an empty path,
    the root of a file system, ``/proc``, ``/sys`` and ``/dev`` (but
    ``/dev/shm``), a path through a file, an existing file, and a place this
    process cannot create files in.
Ownership
    A folder asnsim writes holds :data:`MARKER`, the list of the files asnsim
    wrote there.  asnsim overwrites or removes only files on that list (the
    stale ``ratings.csv`` of an earlier run with ``--format parquet``, say).  A
    file with a name asnsim writes that is *not* on the list is the user's: the
    run is refused at once, before any work, and the file is left alone.  A
    folder written by asnsim 0.2 (no list, but its ``manifest.json`` or
    ``analysis.json``) counts as asnsim's.
Lock
    :func:`output_lock` holds ``.<name>.lock`` beside the folder for the length
    of a run (``compare`` takes it before its first replicate): a second run
    into the same folder is refused with the holder's PID.  A lock whose
    process is gone is taken over.
Interruption
    Results are gathered in ``.<name>.tmp-<pid>-*`` beside the folder and moved
    in only when complete; the temporary folder is removed on any error,
    Ctrl-C or SIGTERM (:func:`asnsim.cli.main` turns SIGTERM into an
    exception), and one left by a killed run (its PID gone) is removed by the
    next run into the same folder.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Iterator

from .errors import AsnsimError

#: the list of files asnsim wrote into an output folder
MARKER = ".asnsim-output.json"
#: manifests that mark a folder written by asnsim 0.2 (before the marker)
LEGACY_MANIFESTS = {"manifest.json": "asnsim_version", "analysis.json": "method"}
#: pseudo file systems no output can go to (``/dev/shm`` is ordinary shared memory and allowed)
PSEUDO_ROOTS = ("/proc", "/sys", "/dev")

_held: dict[Path, int] = {}   # locks this process holds, with their nesting depth


# ---------------------------------------------------------------- targets

def _refuse(out: object, option: str, why: str) -> AsnsimError:
    return AsnsimError(f"{option} {str(out)!r}: {why}")


def _resolved(out: str | os.PathLike, option: str) -> Path:
    text = os.fspath(out) if not isinstance(out, str) else out
    if not str(text).strip():
        raise _refuse(out, option, "empty path; name the folder or file to write")
    if "\x00" in str(text):
        raise _refuse(out, option, "the path holds a NUL byte")
    path = Path(text).expanduser()
    try:
        path = path.resolve()
    except (OSError, RuntimeError) as exc:   # a symlink loop
        raise _refuse(out, option, f"cannot resolve the path ({exc})") from None
    if path.parent == path:
        raise _refuse(out, option, "the root of a file system; name a folder for the results")
    s = str(path)
    if any(s == r or s.startswith(r + "/") for r in PSEUDO_ROOTS) and not s.startswith("/dev/shm/"):
        raise _refuse(out, option, f"{s.split('/')[1]!r} is a system pseudo file system, not a place for files")
    return path


def _existing_ancestor(path: Path, out: object, option: str) -> Path:
    """The nearest existing ancestor of ``path``: must be a folder this process can create files in."""
    anc = path.parent
    while not anc.exists():
        anc = anc.parent
    if not anc.is_dir():
        raise _refuse(out, option, f"{anc} is a file, so nothing can be created under it")
    _probe(anc, out, option, f"cannot create files in {anc}")
    return anc


def _probe(folder: Path, out: object, option: str, why: str) -> None:
    """Create and remove a file in ``folder``: the only sure test that files can be written there."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".asnsim-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise _refuse(out, option, f"{why} ({exc.strerror or exc})") from None


def check_output_dir(out: str | os.PathLike, option: str = "--out") -> Path:
    """Return the resolved output folder, or refuse a target no output folder can be (see the module notes)."""
    path = _resolved(out, option)
    if path.exists() and not path.is_dir():
        raise _refuse(out, option, "must be a folder, and a file of that name exists")
    if path.is_dir():
        _probe(path, out, option, "cannot create files in it")
    _existing_ancestor(path, out, option)
    return path


def check_output_file(out: str | os.PathLike, option: str = "--out") -> Path:
    """Return the resolved output file, or refuse a target no file can be written to."""
    path = _resolved(out, option)
    if path.is_dir():
        raise _refuse(out, option, "is a folder; name a file")
    if path.exists() and not path.is_file():
        raise _refuse(out, option, "is not a regular file (a device or a pipe)")
    _existing_ancestor(path, out, option)
    return path


# ---------------------------------------------------------------- ownership

def written_by_asnsim(folder: Path) -> set[str] | None:
    """The files asnsim wrote into ``folder`` (from :data:`MARKER`); None when asnsim has not written it."""
    marker = folder / MARKER
    if marker.is_file():
        try:
            files = json.loads(marker.read_text(encoding="utf-8")).get("files", [])
            return {str(f) for f in files}
        except (ValueError, OSError, AttributeError):
            return set()
    for name, key in LEGACY_MANIFESTS.items():
        try:
            data = json.loads((folder / name).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        if isinstance(data, dict) and key in data:
            return {p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}
    return None


def users_files(folder: Path, owned: tuple[str, ...]) -> list[str]:
    """Files in ``folder`` with a name a command may write (``owned`` patterns) that asnsim did not write."""
    if not folder.is_dir():
        return []
    ours = written_by_asnsim(folder) or set()
    return sorted(p.name for p in folder.iterdir()
                  if p.name not in ours and any(fnmatch.fnmatchcase(p.name, pat) for pat in owned))


def refuse_users_files(folder: Path, owned: tuple[str, ...], option: str = "--out") -> None:
    clash = users_files(folder, owned)
    if clash:
        more = f" and {len(clash) - 3} more" if len(clash) > 3 else ""
        raise AsnsimError(f"{option} {folder}: holds {', '.join(clash[:3])}{more}, not written by asnsim; asnsim "
                          "never overwrites or deletes a file it did not write: move them, or choose another --out")


def _commit(tmp: Path, out: Path, owned: tuple[str, ...]) -> None:
    """Move the new files in; remove asnsim's own stale outputs; update the marker."""
    ours = (written_by_asnsim(out) or set()) if out.is_dir() else set()
    new = sorted(f.name for f in tmp.iterdir())
    refuse_users_files(out, tuple(new))     # a file that appeared while the run went
    out.mkdir(exist_ok=True)
    for name in new:
        os.replace(tmp / name, out / name)
    kept = set()
    for name in ours - set(new):
        p = out / name
        if p.is_file() and any(fnmatch.fnmatchcase(name, pat) for pat in owned):
            p.unlink()
        elif p.exists():
            kept.add(name)
    from . import __version__
    files = sorted(kept | set(new))
    (out / (MARKER + ".tmp")).write_text(json.dumps({"written_by": f"asnsim {__version__}", "files": files},
                                                    indent=1) + "\n", encoding="utf-8")
    os.replace(out / (MARKER + ".tmp"), out / MARKER)


# ---------------------------------------------------------------- lock

def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def output_lock(out: str | os.PathLike) -> Iterator[Path]:
    """Hold the lock of output folder ``out`` (re-entrant within one process); see the module notes."""
    out = check_output_dir(out)
    path = lock_path(out)
    if path in _held:
        _held[path] += 1
        try:
            yield out
        finally:
            _held[path] -= 1
        return
    created = [p for p in reversed(out.parents) if not p.exists()]
    _make_parent(out)
    _acquire(path, out)
    _held[path] = 1
    try:
        yield out
    finally:
        _held.pop(path, None)
        with contextlib.suppress(OSError):
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                path.unlink()
        for p in reversed(created):   # folders made for a run that wrote nothing: gone again
            with contextlib.suppress(OSError):
                p.rmdir()


def _acquire(path: Path, out: Path) -> None:
    me = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    for _ in range(3):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = _holder(path)
            if holder is None or (holder.get("host") == me["host"] and not _alive(int(holder.get("pid", -1)))):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()   # a stale lock: its process is gone
                continue
            where = "" if holder.get("host") == me["host"] else f" on {holder.get('host')}"
            raise AsnsimError(f"--out {out}: another asnsim run (PID {holder.get('pid')}{where}, started "
                              f"{holder.get('started')}) is writing there; wait for it to finish or choose another "
                              f"--out (if no such run exists, delete {path})")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(me, fh)
        return
    raise AsnsimError(f"--out {out}: cannot take the lock {path}; delete it if no asnsim run is writing there")


def _holder(path: Path) -> dict | None:
    """The lock's content; None when it is unreadable and older than a minute (a crash mid-write)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and "pid" in data else None
    except FileNotFoundError:
        return None   # released meanwhile: retry
    except (ValueError, OSError):
        try:
            young = time.time() - path.stat().st_mtime < 60
        except OSError:
            young = False
        return {"pid": "?", "host": "?", "started": "just now"} if young else None


def locked_output(run):
    """Decorate a command's ``run(args)`` to hold the lock of ``args.out`` for the whole run."""
    import functools

    @functools.wraps(run)
    def wrapper(args):
        with output_lock(args.out):
            return run(args)
    return wrapper


# ---------------------------------------------------------------- the atomic folder

def _remove_stale_temporaries(out: Path) -> None:
    """Remove ``.<name>.tmp-<pid>-*`` folders whose process is gone (a run killed with SIGKILL)."""
    prefix = f".{out.name}.tmp-"
    for p in out.parent.glob(prefix + "*"):
        pid = p.name[len(prefix):].split("-", 1)[0]
        if p.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)


@contextlib.contextmanager
def atomic_output_dir(out: str | os.PathLike, owned: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yield a temporary folder; on success move its files into ``out``, all at once.

    ``owned`` names (or ``fnmatch`` patterns of) every file the command may write.  A file in ``out`` matching
    one of them that asnsim did not write refuses the run at once; one asnsim wrote earlier but not this time
    (a ``ratings.csv`` after a run with ``--format parquet``) is removed, so ``out`` never mixes two runs.
    Other files are left alone.  The folder is locked meanwhile (:func:`output_lock`).
    """
    with output_lock(out) as path:
        refuse_users_files(path, owned)
        _remove_stale_temporaries(path)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-{os.getpid()}-", dir=_make_parent(path)))
        try:
            yield tmp
            _commit(tmp, path, owned)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _make_parent(path: Path) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AsnsimError(f"--out {path}: cannot create {path.parent} ({exc.strerror or exc})") from None
    return path.parent


__all__ = ["MARKER", "atomic_output_dir", "check_output_dir", "check_output_file", "lock_path", "locked_output",
           "output_lock",
           "refuse_users_files", "users_files", "written_by_asnsim"]
