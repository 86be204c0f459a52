"""Levers, uncertainties, objectives and requirements: parsing, and every bad input named before any work."""

from __future__ import annotations

import numpy as np
import pytest

from asnsim.errors import AsnsimError, DesignError
from asnsim.explore.levers import Lever, LeverSpace
from asnsim.explore.objectives import Objective, oriented, parse_objectives
from asnsim.explore.robustness import Requirement


@pytest.mark.parametrize("text, kind, low, high, step, choices", [
    ("components.hasil_kerja.weight=0.3:0.9", "float", 0.3, 0.9, None, ()),
    ("components.perilaku_kerja.raters.rekan=0:0.5", "float", 0.0, 0.5, None, ()),
    ("rater.peers=0:4", "int", 0, 4, None, ()),
    ("w=0:1:0.25", "float", 0.0, 1.0, 0.25, ()),
    ("n=2:10:2", "int", 2, 10, 2, ()),
    ("correction.method=none,standardize,crossed", "choice", None, None, None, ("none", "standardize", "crossed")),
    ("flag=true,false", "choice", None, None, None, (True, False)),
    ("x=1,2.5", "choice", None, None, None, (1, 2.5)),
])
def test_parse(text, kind, low, high, step, choices):
    lv = Lever.parse(text)
    assert (lv.kind, lv.low, lv.high, lv.step, lv.choices) == (kind, low, high, step, choices)
    assert Lever.parse(lv.describe()) == lv  # the description parses back to the same lever


@pytest.mark.parametrize("text, words", [
    ("w=0.5:0.5", ["--lever w", "empty range"]),
    ("w=0.9:0.1", ["--lever w", "empty range"]),
    ("w=0:1:0", ["--lever w", "STEP must be positive"]),
    ("w=0:1:2", ["--lever w", "larger than the range"]),
    ("w=a:b", ["--lever w", "not a finite number"]),
    ("w=0:nan", ["--lever w", "not a finite number"]),
    ("m=none", ["--lever m", "at least two values"]),
    ("m=a,b,a", ["--lever m", "listed twice"]),
    ("m=a,,b", ["--lever m", "empty choice"]),
    ("w", ["expected KEY=LO:HI"]),
    ("=0:1", ["expected KEY=LO:HI"]),
    ("w=", ["expected KEY=LO:HI"]),
])
def test_bad_levers_name_the_key(text, words):
    with pytest.raises(DesignError) as err:
        Lever.parse(text)
    assert all(w in str(err.value) for w in words)
    assert err.value.exit_status == 2


def test_space_checks_all_keys_first():
    with pytest.raises(DesignError, match="--lever w: the key is given more than once"):
        LeverSpace.parse(["w=0:1", "w=0.2:0.4"])
    with pytest.raises(DesignError, match="at least one"):
        LeverSpace.parse([])

    def known(key):  # the phase-2 hook: the override path says whether a key exists and its type
        if key not in {"weight", "peers"}:
            raise DesignError(f"--lever {key}: unknown key")
        return {"weight": "float", "peers": "int"}[key]

    space = LeverSpace.parse(["weight=0:1", "peers=0:3"], check_key=known)
    assert [lv.kind for lv in space.levers] == ["float", "int"]  # 0:1 read as 0.0 to 1.0 for a float key
    with pytest.raises(DesignError, match="--lever bogus: unknown key"):
        LeverSpace.parse(["weight=0:1", "bogus=0:1"], check_key=known)
    with pytest.raises(DesignError, match="whole numbers"):
        LeverSpace.parse(["peers=0.5:2.5"], check_key=known)


def test_grid_and_unit_mapping():
    space = LeverSpace.parse(["p=0:2", "m=a,b", "w=0:1:0.5"])
    assert space.size() == 18 and len(space.grid()) == 18
    assert space.grid()[0] == {"p": 0, "m": "a", "w": 0.0} and space.grid()[-1] == {"p": 2, "m": "b", "w": 1.0}
    u = np.array([[0.0, 0.0, 0.0], [0.999, 0.999, 0.999], [0.5, 0.49, 0.5]])
    assert space.from_unit(u) == [{"p": 0, "m": "a", "w": 0.0}, {"p": 2, "m": "b", "w": 1.0},
                                  {"p": 1, "m": "a", "w": 0.5}]
    assert isinstance(space.from_unit(u)[0]["p"], int)
    cont = Lever.parse("x=2.0:4.0")
    assert cont.from_unit(np.array([0.0, 0.25])).tolist() == [2.0, 2.5]
    with pytest.raises(DesignError, match="no grid"):
        cont.grid()


def test_optuna_distributions():
    d = LeverSpace.parse(["p=0:4", "w=0:1:0.05", "x=0.0:2.0", "m=a,b"]).distributions()
    assert (d["p"].low, d["p"].high, d["p"].step) == (0, 4, 1)
    assert d["w"].step == 0.05 and d["x"].step is None and d["m"].choices == ("a", "b")


def test_objectives_and_losses():
    objs = parse_objectives("a, b ,c", {"a": 1, "b": -1, "c": 0})
    assert [(o.name, o.direction) for o in objs] == [("a", 1), ("b", -1), ("c", 0)]
    with pytest.raises(DesignError, match="--objectives zz: not a known outcome"):
        parse_objectives("a,zz", {"a": 1})
    with pytest.raises(DesignError, match="at least two"):
        parse_objectives("a", {"a": 1})
    with pytest.raises(DesignError, match="listed more than once"):
        parse_objectives("a,a", {"a": 1})
    with pytest.raises(DesignError, match="direction"):
        Objective("a", 2)
    values = np.array([[0.5, 2.0, -0.3], [0.7, 4.0, -0.1]])
    assert [o.loss(values[:, j]) for j, o in enumerate(objs)] == pytest.approx([-0.6, 3.0, 0.2])
    # oriented per-replicate values average to the loss, also for closer-to-zero (sign of the mean)
    assert oriented(values, np.array([1, -1, 0])).mean(axis=0) == pytest.approx([-0.6, 3.0, 0.2])


@pytest.mark.parametrize("text, ok", [
    ("spearman>=0.6", (">=", 0.6)), ("rater_hours <= 3", ("<=", 3.0)), ("gap<0.05", ("<", 0.05)),
])
def test_requirements(text, ok):
    assert (Requirement.parse(text).op, Requirement.parse(text).value) == ok


@pytest.mark.parametrize("text", ["spearman", "spearman=0.6", "spearman>=high", ">=0.5", "x>=inf"])
def test_bad_requirements(text):
    with pytest.raises(AsnsimError, match="--require"):
        Requirement.parse(text)
