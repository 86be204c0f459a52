"""Exception types.  Every error a user can cause is an :class:`AsnsimError`;
the CLI prints its message on one line and exits with status 2.
"""

from __future__ import annotations


class AsnsimError(Exception):
    """Base class for errors caused by input: files, policies, options."""

    exit_status = 2


class PolicyError(AsnsimError):
    """A policy or scenario file is malformed or describes an impossible rule.

    The message names the file and the dotted key and says what is allowed.
    """

    def __init__(self, source: str, key: str, message: str):
        self.source = source
        self.key = key
        super().__init__(f"{source}: {key}: {message}" if key else f"{source}: {message}")


class InputError(AsnsimError):
    """A data file is malformed: the message names the file, row and column."""

    def __init__(self, source: str, message: str, row: int | None = None, column: str | None = None):
        self.source = source
        self.row = row
        self.column = column
        where = source
        if row is not None:
            where += f": row {row}"
        if column is not None:
            where += f": column '{column}'"
        super().__init__(f"{where}: {message}")


class DesignError(AsnsimError):
    """A rating design cannot support the requested analysis (for example a
    disconnected rater network, or a single rater)."""


class QuotaInfeasible(AsnsimError):
    """The kurva distribusi quotas cannot be met for a unit (for example a
    one-person unit whose predikat requires two different employee predikat)."""


class AsnsimWarning(UserWarning):
    """Something the user should know about a result that was nevertheless computed (an iteration cap,
    a design that limits what the estimates mean)."""


class DesignWarning(AsnsimWarning):
    """A rating design that the method fits, but that limits what its estimates mean (disconnected
    subsets, nested raters); the message says how."""
