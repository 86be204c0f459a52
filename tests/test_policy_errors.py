"""One malformed fixture per failure mode: exit status 2, one line naming the file and the dotted key."""

from __future__ import annotations

from pathlib import Path

import pytest

from asnsim.cli import main
from asnsim.errors import PolicyError
from asnsim.policy import load_policy

FIX = Path(__file__).parent / "fixtures" / "policies"

CASES = [
    ("unknown_key.toml", "components.hasil_kerja.wieght", "unknown key; allowed: label, kind, weight"),
    ("wrong_type.toml", "components.perilaku_kerja.weight", "valid number"),
    ("weights_not_one.toml", "components",
     "component weights must sum to 1, got hasil_kerja.weight 0.7 + perilaku_kerja.weight 0.5 = 1.2"),
]


@pytest.mark.parametrize("fname,key,fragment", CASES)
def test_cli_names_file_and_key(fname, key, fragment, capsys, tmp_path):
    path = FIX / fname
    status = main(["simulate", "--policy", str(path), "--n", "20", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert len(err.splitlines()) == 1
    assert err.startswith(f"asnsim: error: {path}: {key}: ")
    assert fragment in err
    assert not (tmp_path / "o").exists()


def test_policies_show_bad_file_exits_2(capsys):
    assert main(["policies", "show", str(FIX / "unknown_key.toml")]) == 2


@pytest.mark.parametrize("ref,fragment", [
    ("no-such-policy", "no built-in policy of that name"),
    ("missing.toml", "no such file"),
])
def test_missing_policy(ref, fragment):
    with pytest.raises(PolicyError, match=fragment):
        load_policy(ref)


def test_circular_extends(tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text('name = "a"\ntitle = "a"\nextends = "b.toml"\n')
    b.write_text('name = "b"\ntitle = "b"\nextends = "a.toml"\n')
    with pytest.raises(PolicyError, match="circular extends"):
        load_policy(str(a))


def test_bad_toml_syntax(tmp_path):
    p = tmp_path / "x.toml"
    p.write_text("name = \n")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(str(p))
