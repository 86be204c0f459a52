"""The architecture rules of ../shared/DESIGN.md, enforced on the source (an AST scan of asnsim/), so they cannot erode.

Each rule is a plain statement about which module may import which; a violation names the importing file and
line.  Imports under ``if TYPE_CHECKING:`` do not count (they never run).  The seeding rule (no constant seeds, no
global random state) has its own scan, tests/test_seeding.py.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "asnsim"

#: the simulation: what generates a synthetic round (DESIGN.md's population, indicators, raters stages)
SIMULATION = ("asnsim.population", "asnsim.indicators", "asnsim.raters", "asnsim.effects", "asnsim.pipeline",
              "asnsim.scenario", "asnsim.calibrate")
#: presentation: figures, widgets, reports, the command line
PRESENTATION = ("asnsim.plots", "asnsim.widgets", "asnsim.workshop", "asnsim.rubric", "asnsim.biaslab", "asnsim.experiment.report",
                "asnsim.experiment.figures", "asnsim.experiment.workbook", "asnsim.explore.figures",
                "asnsim.explore.report", "asnsim.why.figures", "asnsim.validation.figure", "asnsim.cli")
#: the stages of DESIGN.md's pipeline, which compute tables and never present them
STAGES = ("asnsim.policy", "asnsim.policyfiles", "asnsim.population", "asnsim.indicators", "asnsim.raters",
          "asnsim.effects",
          "asnsim.scoring", "asnsim.quota", "asnsim.correction", "asnsim.metrics", "asnsim.pipeline",
          "asnsim.experiment.runner", "asnsim.experiment.design", "asnsim.experiment.store",
          "asnsim.experiment.summary", "asnsim.overrides")
#: the tables of names every layer reads (methods and engines, outcomes, columns, labels): they import no stage
FOUNDATION = ("asnsim.methods", "asnsim.outcomes", "asnsim.columns", "asnsim.errors", "asnsim.labels", "asnsim.bounds", "asnsim.rng")
#: third-party packages that make ``asnsim --help`` slow (DESIGN.md: nothing heavy at start-up)
HEAVY = ("numpy", "pandas", "scipy", "matplotlib", "pydantic", "statsmodels", "pyarrow", "openpyxl", "ipywidgets",
         "dask", "distributed", "optuna", "SALib", "pandera", "tqdm", "krippendorff")
#: the one import of a stage a table of names may make: the controls' labels of the rater effects live with the
#: effects (each effect module carries its own labels; :func:`asnsim.labels.param_labels` reads them lazily)
FOUNDATION_EXCEPTIONS = {("asnsim.labels", "asnsim.effects"), ("asnsim.labels", "asnsim.effects.param_labels")}


@dataclass(frozen=True)
class Import:
    source: str          # importing module
    target: str          # imported module (absolute)
    line: int
    top_level: bool      # at module level (runs on import)

    def where(self) -> str:
        return f"{self.source.replace('.', '/')}.py:{self.line} imports {self.target}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _imports_of(path: Path) -> list[Import]:
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[Import] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking(child):
                for sub in child.orelse:
                    visit(sub, top)
                continue
            if isinstance(child, ast.Import):
                out.extend(Import(name, a.name, child.lineno, top) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[:len(base) - child.level + 1]
                    mod = ".".join(base + ([child.module] if child.module else []))
                else:
                    mod = child.module or ""
                out.append(Import(name, mod, child.lineno, top))
                # ``from . import labels``: the names may be modules
                out.extend(Import(name, f"{mod}.{a.name}", child.lineno, top) for a in child.names)
            else:
                inner = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), True)
    return out


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()
IMPORTS = [i for p in MODULES.values() for i in _imports_of(p)]


def _in(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _violations(sources: tuple[str, ...], targets: tuple[str, ...]) -> list[str]:
    return [i.where() for i in IMPORTS if _in(i.source, sources) and _in(i.target, targets)
            and not _in(i.source, targets)]


def test_the_scan_sees_the_package():
    assert len(MODULES) > 100 and "asnsim.correction.crossed" in MODULES
    found = {(i.source, i.target) for i in IMPORTS}
    assert ("asnsim.correction", "asnsim.methods") in found          # a relative import, resolved
    assert ("asnsim.pipeline", "asnsim.raters") in found or any(s == "asnsim.pipeline" and t.startswith("asnsim.")
                                                                for s, t in found)


@pytest.mark.parametrize("layer", ["asnsim.correction", "asnsim.metrics", "asnsim.scoring"])
def test_correction_metrics_and_scoring_are_independent_of_the_simulation(layer):
    """They work on real data as on simulated: tables in, tables out, never the generator of a round."""
    bad = [v for v in _violations((layer,), SIMULATION)
           if not v.startswith("asnsim/metrics/replicate.py")]   # the one adapter from a simulated round
    assert not bad, "\n".join(bad)


def test_stages_do_not_import_the_presentation():
    """The experiment runner does not import the report; no stage imports figures, widgets or the CLI."""
    bad = _violations(STAGES, PRESENTATION)
    assert not bad, "\n".join(bad)


def test_only_the_command_line_imports_the_command_line():
    bad = [i.where() for i in IMPORTS if _in(i.target, ("asnsim.cli",))
           and not _in(i.source, ("asnsim.cli", "asnsim.__main__"))]
    assert not bad, "\n".join(bad)


def test_the_foundation_imports_no_stage():
    """The tables of names (methods and engines, columns, errors, labels) sit under every stage."""
    bad = [i.where() for i in IMPORTS if _in(i.source, FOUNDATION) and i.target.startswith("asnsim.")
           and not _in(i.target, FOUNDATION) and i.target != "asnsim"
           and (i.source, i.target) not in FOUNDATION_EXCEPTIONS]
    assert not bad, "\n".join(bad)


def test_nothing_heavy_is_imported_by_asnsim_help():
    """``asnsim --help``: the modules it loads import no heavy package at module level."""
    seen, todo = set(), ["asnsim", "asnsim.__main__", "asnsim.cli"] + [m for m in MODULES if
                                                                      m.startswith("asnsim.cli.")]
    heavy = []
    while todo:
        mod = todo.pop()
        if mod in seen or mod not in MODULES:
            continue
        seen.add(mod)
        for i in IMPORTS:
            if i.source != mod or not i.top_level:
                continue
            if i.target.split(".")[0] in HEAVY:
                heavy.append(i.where())
            elif i.target.startswith("asnsim"):
                todo.append(i.target)
    assert "asnsim.cli.analyze" in seen and "asnsim.errors" in seen
    assert not heavy, "\n".join(heavy)
