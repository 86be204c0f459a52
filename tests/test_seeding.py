"""One seeding rule: code in asnsim/ draws only from a Generator it was given (or derived with stage_rng),
never from a hidden constant seed, fresh OS entropy or numpy's global random state (AST scan)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "asnsim"
#: numpy's legacy global-state functions (np.random.normal(...) etc.).
GLOBAL_STATE = {"seed", "rand", "randn", "randint", "random", "random_sample", "normal", "uniform", "choice",
                "shuffle", "permutation", "standard_normal", "binomial", "poisson", "multinomial", "RandomState"}


def _is_literal(node: ast.AST) -> bool:
    """A constant, or a list/tuple of constants (``default_rng([1, 2])``)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.UnaryOp):
        return _is_literal(node.operand)
    return False


def _offences(source: str) -> list[tuple[int, str]]:
    """(line, what) of every call that seeds from a constant or from nothing, or uses the global state."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        if name in ("default_rng", "SeedSequence", "PCG64"):
            args = [*node.args, *(k.value for k in node.keywords)]
            if not args or all(_is_literal(a) for a in args):
                out.append((node.lineno, f"{name}({', '.join(ast.unparse(a) for a in args)})"))
        elif (isinstance(f, ast.Attribute) and name in GLOBAL_STATE and isinstance(f.value, ast.Attribute)
              and f.value.attr == "random" and isinstance(f.value.value, ast.Name) and f.value.value.id == "np"):
            out.append((node.lineno, f"np.random.{name}"))
    return out


def test_the_scan_finds_hidden_seeds():
    assert [w for _, w in _offences("rng = rng or np.random.default_rng(0)")] == ["default_rng(0)"]
    assert [w for _, w in _offences("g = default_rng()\nh = np.random.default_rng(seed=[1, 2])")] == [
        "default_rng()", "default_rng([1, 2])"]
    assert [w for _, w in _offences("np.random.seed(3); x = np.random.normal(size=2)")] == [
        "np.random.seed", "np.random.normal"]
    assert _offences("g = np.random.default_rng(args.seed)\nh = stage_rng(seed, 'ratings')\n"
                     "'''>>> np.random.default_rng(1)'''") == []


def test_no_function_in_asnsim_seeds_from_a_constant_or_the_global_state():
    found = [f"{path.relative_to(PACKAGE.parent)}:{line}: {what}"
             for path in sorted(PACKAGE.rglob("*.py")) for line, what in _offences(path.read_text(encoding="utf-8"))]
    assert not found, "draw from a Generator passed in (asnsim.rng.stage_rng in CLIs):\n" + "\n".join(found)


def test_bootstraps_without_a_generator_are_refused():
    from asnsim.calibrate import calibrate
    from asnsim.metrics._table import as_generator

    with pytest.raises(TypeError, match="explicit numpy Generator"):
        calibrate(None, bootstrap=10)  # refused before the ratings are read
    with pytest.raises(TypeError, match="explicit numpy Generator"):
        as_generator(None)
    g = np.random.default_rng(5)
    assert as_generator(g) is g
