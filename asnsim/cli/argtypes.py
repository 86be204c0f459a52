"""One validator per kind of command-line option, shared by every command.

Each is an ``argparse`` ``type=``: a bad value stops the command while its
options are parsed, before any file is read or any work starts, with one line
naming the option (:class:`ArgumentParser` turns argparse's own errors into
an :class:`~asnsim.errors.AsnsimError`, exit status 2).  Stdlib only, so
``asnsim --help`` stays fast.
"""

from __future__ import annotations

import argparse
import os
import re

from ..errors import AsnsimError

#: seeds are non-negative integers below 2**128 (numpy's SeedSequence keeps 128 bits of entropy)
MAX_SEED = 2**128 - 1
#: bootstrap replicates for analyze's intervals (percentile intervals need about 1,000-2,000)
MAX_N_BOOT = 100_000
#: rater-bootstrap replicates of calibrate (each refits the whole model)
MAX_BOOTSTRAP = 10_000
#: replicates per scenario of compare and demo (Monte Carlo SEs shrink as 1/sqrt(reps): 1e6 is far beyond need)
MAX_REPS = 1_000_000


class UsageError(AsnsimError):
    """A command line argparse cannot parse (unknown option, bad value): exit status 2, one line."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse with its errors raised as :class:`UsageError` (one line, no usage block)."""

    def error(self, message: str):  # noqa: D102 - argparse's hook
        command = self.prog.split(" ", 1)[1] + ": " if " " in self.prog else ""
        raise UsageError(f"{command}{message} (see {self.prog} --help)")


def _int(text: str, option: str) -> int:
    try:
        return int(str(text).strip().replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def seed(text: str) -> int:
    """``--seed``: an integer from 0 to 2**128 - 1."""
    value = _int(text, "--seed")
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to 2**128 - 1, got {text}")
    return value


def count(low: int, high: int, what: str = ""):
    """A ``type=`` for a count between ``low`` and ``high`` (inclusive)."""
    def parse(text: str) -> int:
        value = _int(text, "")
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:,} to {high:,}{what}, got {text}")
        return value
    parse.__name__ = "count"   # argparse names the type in some messages
    return parse


def workers(text: str) -> int:
    """``--workers``: 1 to four per core (at least 8); more processes than that only slow a run down."""
    high = max(8, 4 * (os.cpu_count() or 1))
    return count(1, high, f" (four per core on this {os.cpu_count()}-core machine)")(text)


_HOST = r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?)*)"
SCHEDULER_ADDRESS = re.compile(rf"(?:(?:tcp|tls|ws|wss|ucx)://)?(?P<host>{_HOST})(?::(?P<port>\d{{1,5}}))?/?")


def scheduler(text: str) -> str:
    """``--scheduler``: a Dask scheduler address, ``[tcp|tls|ws|wss|ucx://]host[:port]``."""
    value = str(text).strip()
    m = SCHEDULER_ADDRESS.fullmatch(value)
    if not m or (m.group("port") and not 0 < int(m.group("port")) < 65536):
        raise argparse.ArgumentTypeError(f"expected a Dask scheduler address such as tcp://host:8786, got {text!r}")
    return value


def name(text: str) -> str:
    """``--name`` of a written scenario: the safe-name rule of :func:`asnsim.bounds.check_name`."""
    from ..bounds import check_name

    try:
        return check_name(str(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def size(text: str) -> str:
    """``--n``: a whole number of employees (at least 2) or a size preset name (checked by the population)."""
    value = str(text).strip()
    if re.fullmatch(r"[+-]?\d[\d_]*", value):
        n = _int(value, "--n")
        if n < 2:
            raise argparse.ArgumentTypeError(f"must be at least 2 employees, got {text}")
        return str(n)
    if not re.fullmatch(r"[a-z][a-z0-9_\-]*", value):
        raise argparse.ArgumentTypeError(f"expected a number of employees or a size preset name, got {text!r}")
    return value


__all__ = ["MAX_BOOTSTRAP", "MAX_N_BOOT", "MAX_REPS", "MAX_SEED", "ArgumentParser", "UsageError", "count", "name", "scheduler", "seed",
           "size", "workers"]
