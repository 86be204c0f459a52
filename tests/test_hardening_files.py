"""Hostile policy and scenario files: every one ends in a clear PolicyError naming the file (and the dotted key
for a bad value), never a traceback, a hang or an absurd result (issue 15, class 1)."""

from __future__ import annotations

import math
import os
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asnsim.bounds import LATENT_LIMIT
from asnsim.cli import main
from asnsim.errors import PolicyError
from asnsim.policy import MAX_EXTENDS, MAX_FILE_BYTES, load_policy
from asnsim.scenario import load_scenario

#: hypothesis examples per property; ASNSIM_FUZZ_EXAMPLES=1000 runs a long fuzz pass
EXAMPLES = int(os.environ.get("ASNSIM_FUZZ_EXAMPLES", "0")) or 60


def _write(path, text: str | bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    return path


# ---------------------------------------------------------------- extends chains

def test_extends_chain_with_a_growing_path_is_circular(tmp_path):
    d = _write(tmp_path / "in" / "d.toml", 'extends = "../in/d.toml"\nname = "x"\n')
    with pytest.raises(PolicyError, match=r"circular extends chain: .*d\.toml -> .*in/\.\./in/d\.toml"):
        load_policy(str(d))


def test_extends_loop_through_a_symlink_and_an_absolute_path(tmp_path):
    a = _write(tmp_path / "a.toml", 'extends = "link.toml"\n')
    (tmp_path / "link.toml").symlink_to(tmp_path / "b.toml")
    _write(tmp_path / "b.toml", f'extends = "{tmp_path}/./a.toml"\n')
    with pytest.raises(PolicyError, match="circular extends chain"):
        load_policy(str(a))


def test_extends_chain_depth_is_bounded(tmp_path):
    _write(tmp_path / "c0.toml", 'extends = "permenpan-6-2022"\nname = "c"\n')
    for i in range(1, MAX_EXTENDS + 5):
        _write(tmp_path / f"c{i}.toml", f'extends = "c{i - 1}.toml"\n')
    with pytest.raises(PolicyError, match=f"longer than {MAX_EXTENDS} files"):
        load_policy(str(tmp_path / f"c{MAX_EXTENDS + 4}.toml"))
    assert load_policy(str(tmp_path / "c5.toml")).name == "c"   # a short chain resolves


@pytest.mark.parametrize("extends,fragment", [
    ("5", "must be a policy name or a path"),
    ('""', "must be a policy name or a path"),
    ('"sub.toml"', "not a regular file"),
    ('"/dev/zero"', "not a regular file"),
])
def test_extends_targets_that_are_not_policies(tmp_path, extends, fragment):
    (tmp_path / "sub.toml").mkdir()
    p = _write(tmp_path / "p.toml", f"extends = {extends}\n")
    with pytest.raises(PolicyError, match=fragment):
        load_policy(str(p))


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "p.toml"
    os.mkfifo(fifo)
    result = {}
    worker = threading.Thread(target=lambda: result.update(err=_error_of(str(fifo))), daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "reading a FIFO blocked"
    assert "not a regular file" in result["err"]


def _error_of(ref: str) -> str:
    try:
        load_policy(ref)
    except PolicyError as exc:
        return str(exc)
    return ""


# ---------------------------------------------------------------- bytes and nesting

def test_non_utf8_byte_names_byte_and_line(tmp_path):
    p = _write(tmp_path / "p.toml", b'extends = "permenpan-6-2022"\nname = "x\xff"\n')
    with pytest.raises(PolicyError, match=r"p\.toml: not UTF-8 text: byte 0xff on line 2"):
        load_policy(str(p))


def test_non_utf8_scenario_through_the_cli(tmp_path, capsys):
    s = _write(tmp_path / "s.toml", b'extends = "neutral"\ntitle = "\xe9t\xe9"\n')
    assert main(["simulate", "--policy", "permenpan-6-2022", "--n", "30", "--scenario", str(s),
                 "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not UTF-8 text" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("body", [
    "a = " + "[" * 5000 + "]" * 5000,
    "a = " + "{b = " * 3000 + "1" + "}" * 3000,
    'extends = "permenpan-6-2022"\n[' + ".".join(["k"] * 3000) + "]\nx = 1",
    'extends = "permenpan-6-2022"\n[rating]\nx = ' + "[" * 40 + "]" * 40,
])
def test_deep_nesting_is_refused(tmp_path, body):
    p = _write(tmp_path / "p.toml", body + "\n")
    with pytest.raises(PolicyError, match="nested"):
        load_policy(str(p))


def test_oversized_file_is_refused(tmp_path):
    p = _write(tmp_path / "p.toml", 'description = "' + "x" * MAX_FILE_BYTES + '"\n')
    with pytest.raises(PolicyError, match="larger than"):
        load_policy(str(p))


# ---------------------------------------------------------------- numbers

POLICY_VALUES = [
    ("[components.hasil_kerja.scale]\ncutpoints = [nan, 0.84]", "components.hasil_kerja.scale.cutpoints.0",
     "finite number (got nan)"),
    ("[components.hasil_kerja.scale]\ncutpoints = [-1.28, inf]", "components.hasil_kerja.scale.cutpoints.1",
     "finite number (got inf)"),
    ("[components.hasil_kerja.scale]\ncutpoints = [-1e308, 1e308]", "components.hasil_kerja.scale.cutpoints.0",
     "greater than or equal to -10"),
    ("[components.hasil_kerja.raters]\natasan = nan", "components.hasil_kerja.raters.atasan", "finite"),
    ("[rating]\nbehaviour_above = inf", "rating.behaviour_above", "finite"),
    ("[rating]\ncapaian_above = 1e308", "rating.capaian_above", "less than or equal to 1000000"),
    ("[quota]\nunit_noise_sd = inf", "quota.unit_noise_sd", "finite"),
    ("[quota]\nunit_cutpoints = [nan, -1.2, -0.5, 0.8]", "quota.unit_cutpoints.0", "finite"),
    ("[burden]\nminutes_per_rating = 1e308", "burden.minutes_per_rating", "less than or equal to 10000"),
    ("[components.hasil_kerja.scale]\nstep = 1e-300", "components.hasil_kerja.scale", "at most 101 levels"),
    ("[components.hasil_kerja.scale]\nmax = inf", "components.hasil_kerja.scale.max", "finite"),
]


@pytest.mark.parametrize("body,key,fragment", POLICY_VALUES)
def test_bad_policy_numbers_name_the_key(tmp_path, body, key, fragment):
    p = _write(tmp_path / "p.toml", f'extends = "permenpan-6-2022"\nname = "x"\n{body}\n')
    with pytest.raises(PolicyError) as info:
        load_policy(str(p))
    assert info.value.key == key
    assert fragment in str(info.value)


SCENARIO_VALUES = [
    ("[rater]\nleniency_sd = inf", "rater.leniency_sd", "finite"),
    ("[rater]\nleniency_sd = 1e308", "rater.leniency_sd", f"less than or equal to {LATENT_LIMIT:g}"),
    ("[rater]\nleniency_mean = nan", "rater.leniency_mean", "finite"),
    ("[rater]\ndrift_mean = -inf", "rater.drift_mean", "finite"),
    ("[rater]\nfatigue_threshold = inf", "rater.fatigue_threshold", "finite"),
    ("[population]\ncomponent_corr = nan", "population.component_corr", "finite"),
    ("[population]\nitem_sd = 1e308", "population.item_sd", "less than or equal"),
    ("[indicators]\ncount_per_year = 1e308", "indicators.count_per_year", "less than or equal"),
    ("[indicators]\nbudget_per_year = inf", "indicators.budget_per_year", "finite"),
    ("[indicators]\nslack_mean = nan", "indicators.slack_mean", "finite"),
]


@pytest.mark.parametrize("body,key,fragment", SCENARIO_VALUES)
def test_bad_scenario_numbers_name_the_key(tmp_path, body, key, fragment):
    p = _write(tmp_path / "s.toml", f'extends = "neutral"\nname = "x"\n{body}\n')
    with pytest.raises(PolicyError) as info:
        load_scenario(str(p))
    assert info.value.key == key
    assert fragment in str(info.value)


@pytest.mark.parametrize("name", ["=HYPERLINK(\"x\")", "+1", "-x", "@SUM(1)", "a\nb", "../../etc/x", "", " x",
                                  "x" * 81])
def test_unsafe_names_are_refused(tmp_path, name):
    import json
    p = _write(tmp_path / "p.toml", f'extends = "permenpan-6-2022"\nname = {json.dumps(name)}\n')
    with pytest.raises(PolicyError, match="name: a name holds letters"):
        load_policy(str(p))
    s = _write(tmp_path / "s.toml", f'extends = "neutral"\nname = {json.dumps(name)}\n')
    with pytest.raises(PolicyError, match="name: a name holds letters"):
        load_scenario(str(s))


def test_plain_names_are_accepted(tmp_path):
    p = _write(tmp_path / "p.toml", 'extends = "permenpan-6-2022"\nname = "Kota Salatiga 2024_v1.2-b"\n')
    assert load_policy(str(p)).name == "Kota Salatiga 2024_v1.2-b"


# ---------------------------------------------------------------- property: any number, anywhere

def _numeric_leaves(data, prefix=()):
    """(dotted path, index or None, value) of every number in a dumped model."""
    out = []
    for k, v in data.items():
        path = prefix + (str(k),)
        if isinstance(v, dict):
            out += _numeric_leaves(v, path)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append((path, None))
        elif isinstance(v, (list, tuple)) and v and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                       for x in v):
            out += [(path, i) for i in range(len(v))]
    return out


def _toml(v: float) -> str:
    return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(float(v))


def _all_floats(data) -> list[float]:
    if isinstance(data, dict):
        return [x for v in data.values() for x in _all_floats(v)]
    if isinstance(data, (list, tuple)):
        return [x for v in data for x in _all_floats(v)]
    return [data] if isinstance(data, float) else []


_POLICY = load_policy("permenpan-6-2022").model_dump(mode="python", exclude={"sources", "assumptions"})
_SCENARIO = load_scenario("default").model_dump(mode="python", exclude={"sources", "assumptions"})
LEAVES = ([("policy", p, i) for p, i in _numeric_leaves(_POLICY)]
          + [("scenario", p, i) for p, i in _numeric_leaves(_SCENARIO)])
HOSTILE_FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                           st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 5e-324]))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(leaf=st.sampled_from(LEAVES), value=HOSTILE_FLOATS)
def test_any_number_anywhere_loads_finite_or_names_its_key(tmp_path_factory, leaf, value):
    """Set one number of a built-in policy or scenario to anything: the file either loads with every number
    finite, or the error names the key (or the table holding it)."""
    kind, path, index = leaf
    base = _POLICY if kind == "policy" else _SCENARIO
    node = base
    for part in path:
        node = node[part]
    rhs = (_toml(value) if index is None else
           "[" + ", ".join(_toml(value) if i == index else _toml(x) for i, x in enumerate(node)) + "]")
    quoted = ".".join(f'"{p}"' for p in path)
    d = tmp_path_factory.mktemp("p")
    f = d / "x.toml"
    f.write_text(f'extends = "{"permenpan-6-2022" if kind == "policy" else "default"}"\n{quoted} = {rhs}\n')
    load = load_policy if kind == "policy" else load_scenario
    try:
        model = load(str(f))
    except PolicyError as exc:
        dotted = ".".join(path) + ("" if index is None else f".{index}")
        assert exc.key and dotted.startswith(exc.key), (exc.key, dotted, str(exc))
        return
    assert math.isfinite(value)
    assert all(math.isfinite(x) for x in _all_floats(model.model_dump(mode="python")))
