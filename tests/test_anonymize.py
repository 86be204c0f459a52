"""Anonymization: the NIP pattern, keyed pseudonyms, nothing personal in any output, k-anonymity."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asnsim.cli import main
from asnsim.errors import InputError
from asnsim.io.anonymize import (NIP_REGEX, anonymize_table, k_anonymity, k_anonymity_summary, nip_cells,
                                 nip_in_text, nip_parts, personal_data, pseudonyms, read_key, refuse_personal_data)

KEY = b"k" * 32
OTHER = b"o" * 32
AS_OF = date(2024, 6, 30)


@pytest.mark.parametrize("value, ok", [
    ("198503122010011002", True),
    ("19850312 201001 1 002", True),       # the printed form, with spaces
    ("199001012015032001", True),
    ("198513122010011002", False),         # month 13
    ("198502302010011002", False),         # 30 February
    ("198503122010013002", False),         # sex digit 3
    ("198503121999011002", False),         # hired at 13
    ("198503122010131002", False),         # start month 13
    ("19850312201001100", False),          # 17 digits
    ("1198503122010011002", False),        # 19 digits
    ("abc", False),
])
def test_nip_pattern(value, ok):
    assert bool(nip_cells(pd.Series([value]))[0]) is ok


def test_nip_parts_hand_worked():
    parts = nip_parts(pd.Series(["198503122010011002", "199001012015032001", "x"]))
    assert parts["birth_date"][0] == pd.Timestamp("1985-03-12")
    assert parts["start_date"][1] == pd.Timestamp("2015-03-01")
    assert parts["sex"].tolist()[:2] == ["M", "F"] and pd.isna(parts["sex"][2])


def test_nip_in_free_text():
    s = pd.Series(["lihat NIP 19850312 201001 1 002 ya", "nomor 123456789012345678", "no digits"])
    assert nip_in_text(s).tolist() == [True, False, False]


def test_pseudonyms_stable_under_one_key_different_under_another():
    s = pd.Series(["198503122010011002", "19850312 201001 1 002", "199001012015032001", None, "0"])
    a, b, c = pseudonyms(s, KEY), pseudonyms(s.copy(), KEY), pseudonyms(s, OTHER)
    assert a.equals(b)
    assert a[0] == a[1] != a[2]                       # spaced and unspaced NIP: one person
    assert (a[:3] != c[:3]).all()                     # another key, other pseudonyms
    assert pd.isna(a[3]) and a[4] == "0"              # empty stays empty; 0 = top of the tree
    assert re.fullmatch(r"P[0-9a-f]{16}", a[0])
    import hashlib
    import hmac
    assert a[0] == "P" + hmac.new(KEY, b"id\x00198503122010011002", hashlib.sha256).hexdigest()[:16]


def employees():
    return pd.DataFrame({
        "NIP": ["198503122010011002", "199001012015032001", "196512311990121001"],
        "Nama Pegawai": ["Budi Santoso", "Siti Aminah", "Made Wirawan"],
        "supervisor_id": ["196512311990121001", "196512311990121001", "0"],
        "No HP": ["081234567890", "+62 812-3456-7891", "0812 3456 7892"],
        "Email": ["budi@kota.go.id", "siti@kota.go.id", "made@kota.go.id"],
        "Tanggal Lahir": ["12/03/1985", "01/01/1990", "31/12/1965"],
        "unit": ["U1", "U1", "U1"],
        "catatan": ["Budi Santoso rajin", "hubungi 081234567890 atau siti@kota.go.id", "NIP 198503122010011002"],
    })


def test_anonymize_table_hand_worked():
    out, report = anonymize_table(employees(), KEY, as_of=AS_OF, derive_from_nip=True)
    assert out["NIP"][2] == out["supervisor_id"][0] == out["supervisor_id"][1]  # links survive
    assert out["supervisor_id"][2] == "0"
    assert "No HP" not in out.columns and "Email" not in out.columns and "Tanggal Lahir" not in out.columns
    assert out["sex"].tolist() == ["M", "F", "M"]
    assert out["age_band"].tolist() == ["31-40", "31-40", "51-60"]     # 39, 34, 58 at 2024-06-30
    assert out["tenure_band"].tolist() == ["5-14", "5-14", ">=25"]    # 14, 9, 33 years
    assert out["Tanggal Lahir_age_band"].tolist() == ["31-40", "31-40", "51-60"]
    assert out["catatan"].tolist() == ["[NAMA] rajin", "hubungi [TELP] atau [EMAIL]", "NIP [NIP]"]
    kinds = {f.column: f.kind for f in report.findings}
    assert kinds == {"NIP": "nip", "Nama Pegawai": "name", "supervisor_id": "nip", "No HP": "phone",
                     "Email": "email", "Tanggal Lahir": "birth_date"}
    assert personal_data(out) == []


def assert_nothing_personal(text: str, names: list[str], nips: list[str]):
    for m in re.finditer(NIP_REGEX, text):
        assert not nip_cells(pd.Series([m.group(0)]))[0], f"NIP pattern left: {m.group(0)}"
    for n in names:
        assert n.casefold() not in text.casefold()
    for nip in nips:
        assert nip not in text.replace(" ", "")


@st.composite
def nips(draw):
    y = draw(st.integers(1955, 2000))
    birth = date(y, draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    sy = draw(st.integers(y + 18, 2024))
    return (f"{birth:%Y%m%d}{sy}{draw(st.integers(1, 12)):02d}{draw(st.sampled_from('12'))}"
            f"{draw(st.integers(1, 999)):03d}")


names_st = st.lists(st.sampled_from(["Budi", "Siti", "Wayan", "Dewi", "Agus", "Rina", "Joko", "Putri"]),
                    min_size=2, max_size=3).map(" ".join)


@settings(max_examples=10, deadline=None)
@given(people=st.lists(st.tuples(nips(), names_st), min_size=1, max_size=6), spaced=st.booleans())
def test_property_no_nip_and_no_name_survive(people, spaced):
    nip_list = [p[0] for p in people]
    shown = [f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}" if spaced else n for n in nip_list]
    df = pd.DataFrame({"nip": shown, "nama": [p[1] for p in people],
                       "atasan": shown[::-1],
                       "keterangan": [f"dinilai oleh {p[1]} (NIP {s})" for p, s in zip(people, shown)],
                       "nilai": np.arange(len(people)) % 3 + 1})
    out, _ = anonymize_table(df, KEY, as_of=AS_OF)
    assert_nothing_personal(out.to_csv(index=False), [p[1] for p in people], nip_list)
    again, _ = anonymize_table(df, KEY, as_of=AS_OF)
    other, _ = anonymize_table(df, OTHER, as_of=AS_OF)
    assert again.equals(out)
    assert (other["nip"] != out["nip"]).all()
    assert out["nip"].tolist() == out["atasan"].tolist()[::-1]


def test_k_anonymity_hand_worked():
    t = pd.DataFrame({"sex": ["F", "F", "F", "M", "M", "M", "M"],
                      "age_band": ["31-40", "31-40", "41-50", "31-40", "31-40", "31-40", "31-40"]})
    classes = k_anonymity(t, ["sex", "age_band"], k=3)
    assert classes[["sex", "age_band", "n"]].values.tolist() == [["F", "41-50", 1], ["F", "31-40", 2],
                                                               ["M", "31-40", 4]]
    s = k_anonymity_summary(classes, k=3)
    assert s == {"k_min": 1, "classes": 3, "records": 7, "records_below_k": 3, "share_below_k": 3 / 7,
                 "unique_records": 1}
    with pytest.raises(InputError, match="no column 'unit'"):
        k_anonymity(t, ["unit"])


def test_key_file_rules(tmp_path):
    with pytest.raises(InputError, match="no such key file"):
        read_key(tmp_path / "k")
    key = read_key(tmp_path / "k", create=True)
    assert len(key) == 64 and read_key(tmp_path / "k") == key
    (tmp_path / "short").write_text("abc")
    with pytest.raises(InputError, match="at least 16"):
        read_key(tmp_path / "short")


@pytest.mark.parametrize("ext", ["csv", "xlsx", "parquet"])
def test_cli_anonymize_writes_no_personal_data_and_no_key(tmp_path, capsys, ext):
    src = tmp_path / "pegawai.csv"
    employees().to_csv(src, index=False)
    out = tmp_path / f"anon.{ext}"
    rc = main(["anonymize", str(src), "--key-file", str(tmp_path / "secret.key"), "--create-key",
               "--derive-from-nip", "--as-of", "2024-06-30", "--out", str(out), "--quasi", "sex,age_band", "--k", "2"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "k-anonymity on (sex, age_band): k = 1" in printed
    key = (tmp_path / "secret.key").read_text().strip()
    back = pd.read_csv(out, dtype=str) if ext == "csv" else (
        pd.read_excel(out, dtype=str) if ext == "xlsx" else pd.read_parquet(out).astype("string"))
    assert_nothing_personal(back.to_csv(index=False), ["Budi Santoso", "Siti Aminah", "Made Wirawan"],
                            list(employees()["NIP"]))
    if ext == "csv":
        assert key not in out.read_text()
    assert key not in printed
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["pegawai.csv", "secret.key", out.name])


def test_cli_anonymize_failures_exit_2_and_write_nothing(tmp_path, capsys):
    src = tmp_path / "pegawai.csv"
    employees().to_csv(src, index=False)
    out = tmp_path / "anon.csv"
    assert main(["anonymize", str(src), "--key-file", str(tmp_path / "missing.key"), "--out", str(out)]) == 2
    assert main(["anonymize", str(src), "--key-file", str(tmp_path / "k"), "--create-key", "--out", str(src)]) == 2
    (tmp_path / "bad.csv").write_text("nip,nama\n198503122010011002,Budi,extra\n")
    assert main(["anonymize", str(tmp_path / "bad.csv"), "--key-file", str(tmp_path / "k"), "--create-key",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no such key file" in err and "must differ from the input" in err and "row 2" in err
    assert not out.exists()


def test_refuse_personal_data_explains_how_to_anonymize():
    df = pd.DataFrame({"ratee_id": ["198503122010011002"], "rater_id": ["x"], "score": [2]})
    with pytest.raises(InputError) as err:
        refuse_personal_data(df, "r.csv")
    msg = str(err.value)
    assert msg.startswith("r.csv: row 2: column 'ratee_id': holds a raw NIP")
    assert "asnsim anonymize r.csv" in msg and "--allow-personal-data" in msg
    assert refuse_personal_data(df, "r.csv", allow=True)[0].column == "ratee_id"
    named = pd.DataFrame({"nama_atasan": ["Budi"], "score": [1]})
    with pytest.raises(InputError, match="holds names"):
        refuse_personal_data(named, "r.csv")
