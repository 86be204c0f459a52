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

import contextlib
import importlib
import signal
import sys
import threading

from .. import __version__
from ..errors import AsnsimError
from .argtypes import ArgumentParser

#: sub-command modules, in the order ``asnsim --help`` lists them
COMMANDS = ["policies", "simulate", "compare", "analyze", "validate", "decompose", "sensitivity", "demo", "anonymize",
            "calibrate", "explore"]


def _command_named(argv: list[str]) -> str | None:
    """The sub-command named in ``argv`` (the top-level parser has no option taking a value)."""
    for arg in argv:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that ``finally`` blocks clean up (temporary folders, locks)."""


def _terminate(signum, frame):  # pragma: no cover - exercised through a subprocess in the tests
    raise Terminated()


def build_parser(argv: list[str] | None = None) -> ArgumentParser:
    """The ``asnsim`` parser; with ``argv``, only the sub-command it names is registered in full.

    Its errors (an unknown option, a bad value) are :class:`~asnsim.cli.argtypes.UsageError`: one line, exit 2.
    """
    parser = ArgumentParser(
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
    """Run one command; input errors print one line on stderr and return 2, never a traceback.

    ``--help`` and ``--version`` print and raise ``SystemExit(0)``, as argparse does.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main else None
    try:
        args = build_parser(argv).parse_args(argv)
        return int(args.func(args) or 0)
    except AsnsimError as exc:
        print(f"asnsim: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("asnsim: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("asnsim: terminated", file=sys.stderr)
        return 143
    except BrokenPipeError:   # output piped into a reader that stopped (asnsim ... | head)
        import os
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
