"""``asnsim --help`` and ``asnsim policies`` start without the heavy libraries (issue 14).

Speed itself is measured in benchmarks/bench_startup.py; here we check the cause: which modules a
fresh interpreter has imported after the command ran.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "pandera", "pyarrow")
PROBE = r"""
import contextlib, io, json, sys
from asnsim.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def _run(*argv: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("argv", [["--help"], ["policies"], ["policies", "list"]])
def test_light_commands_import_no_heavy_library(argv):
    res = _run(*argv)
    assert res["code"] == 0
    loaded = {m.split(".")[0] for m in res["modules"]}
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_help_lists_every_command_and_policies_lists_builtins():
    from asnsim.cli import COMMANDS
    from asnsim.policy import builtin_names

    text = _run("--help")["out"]
    for name in COMMANDS:
        assert f"    {name}" in text
    listed = [line.split()[0] for line in _run("policies")["out"].splitlines()]
    assert listed == builtin_names()


def test_sub_command_gets_its_full_parser(capsys):
    from asnsim.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["analyze", "--help"])
    assert exc.value.code == 0
    assert "--method" in capsys.readouterr().out
