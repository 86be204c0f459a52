"""The ``asnsim`` command line.  Each sub-command lives in its own module of
this package, exposing ``HELP`` (its one-line help) and ``register(subparsers)``;
the module names are listed in :data:`COMMANDS`.  Input errors
(:class:`asnsim.errors.AsnsimError`) print one line on stderr and exit with
status 2.

Start-up is kept short (``asnsim --help`` and ``asnsim policies`` in well under
half a second, see benchmarks/bench_startup.py): the sub-command modules import
only the standard library at module level, and only the sub-command named on the
command line gets its full parser (``register``); the others are listed with
their ``HELP`` line.  Heavy modules (numpy, pandas, scipy, pydantic) are imported
inside the functions that use them.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__
from ..errors import AsnsimError

#: sub-command modules, in the order ``asnsim --help`` lists them
COMMANDS = ["policies", "simulate", "compare", "analyze", "validate", "demo", "anonymize", "calibrate"]


def _command_named(argv: list[str]) -> str | None:
    """The sub-command named in ``argv`` (the top-level parser has no option taking a value)."""
    for arg in argv:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The ``asnsim`` parser; with ``argv``, only the sub-command it names is registered in full."""
    parser = argparse.ArgumentParser(
        prog="asnsim", description="Simulate and analyse the performance appraisal of Indonesia's civil servants.")
    parser.add_argument("--version", action="version", version=f"asnsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = _command_named(argv) if argv is not None else None
    for name in COMMANDS:
        module = importlib.import_module(f"{__name__}.{name}")
        if argv is None or name == chosen:
            module.register(sub)
        else:
            sub.add_parser(name, help=module.HELP)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AsnsimError as exc:
        print(f"asnsim: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("asnsim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
