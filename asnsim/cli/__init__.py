"""The ``asnsim`` command line.  Each sub-command lives in its own module of
this package, exposing ``register(subparsers)``; the module names are listed in
:data:`COMMANDS`.  Input errors (:class:`asnsim.errors.AsnsimError`) print one
line on stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__
from ..errors import AsnsimError

#: sub-command modules, in the order ``asnsim --help`` lists them
COMMANDS = ["policies", "simulate", "compare", "analyze", "demo", "anonymize", "calibrate"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asnsim", description="Simulate and analyse the performance appraisal of Indonesia's civil servants.")
    parser.add_argument("--version", action="version", version=f"asnsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
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
