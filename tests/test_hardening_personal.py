"""Personal data (issue 15, class 4): NIPs in every spelling and numeric type, names by their values, one input
gate for every command that reads a file, k-anonymity on Indonesian headers, the published demo key, and the
permissions of anonymized files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asnsim.cli import main
from asnsim.errors import InputError
from asnsim.io.anonymize import anonymize_table, default_quasi_identifiers, pseudonyms
from asnsim.io.gate import refuse_personal_data
from asnsim.io.identifiers import mask_nips_in_text, names_by_value, nip_cells, nip_in_text, personal_data

EXAMPLES = int(os.environ.get("ASNSIM_FUZZ_EXAMPLES", "0")) or 40
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
KEY = b"0123456789abcdef0123456789abcdef"
NIP = "198503122010011002"   # born 1985-03-12, CPNS January 2010, male, sequence 002


def nip(i: int) -> str:
    return f"19850312201001{1 + i % 2}{i % 999 + 1:03d}"


SPELLINGS = {
    "plain": lambda n: n,
    "parts with spaces": lambda n: f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}",
    "groups of four": lambda n: " ".join(n[k:k + 4] for k in range(0, 18, 4)),
    "dots": lambda n: f"{n[:8]}.{n[8:14]}.{n[14]}.{n[15:]}",
    "dashes": lambda n: f"{n[:8]}-{n[8:14]}-{n[14]}-{n[15:]}",
    "groups of four with dots": lambda n: ".".join(n[k:k + 4] for k in range(0, 18, 4)),
    "no-break spaces": lambda n: f"{n[:8]}\u00a0{n[8:14]}\u00a0{n[14]}\u00a0{n[15:]}",
    "narrow no-break spaces": lambda n: f"{n[:8]}\u202f{n[8:14]}\u202f{n[14]}\u202f{n[15:]}",
    "full-width digits": lambda n: n.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "apostrophe prefix": lambda n: "'" + n,
    "Excel scientific, 6 digits": lambda n: f"{float(n):.5E}",
    "Excel scientific, 15 digits": lambda n: f"{float(n):.14e}",
}


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_every_spelling_is_a_nip(spelling):
    cells = pd.Series([SPELLINGS[spelling](nip(i)) for i in range(6)] + [None, ""])
    assert nip_cells(cells).tolist() == [True] * 6 + [False, False]
    found = personal_data(pd.DataFrame({"Pegawai ID": cells, "score": range(8)}))
    assert [(f.column, f.kind) for f in found] == [("Pegawai ID", "nip")]


@pytest.mark.parametrize("dtype", [np.int64, np.float64])
def test_numeric_nip_columns_parquet(tmp_path, dtype):
    df = pd.DataFrame({"employee_id": [f"E{i}" for i in range(10)], "unit": "U1",
                       "NIP": np.array([int(nip(i)) for i in range(10)]).astype(dtype)})
    df.to_parquet(tmp_path / "e.parquet")
    back = pd.read_parquet(tmp_path / "e.parquet")
    assert back["NIP"].dtype == dtype
    assert [f.kind for f in personal_data(back)] == ["nip"]
    out, _ = anonymize_table(back, KEY)
    assert out["NIP"].str.fullmatch(r"P[0-9a-f]{16}").all()
    assert not any("19850312" in str(v) for v in out.to_numpy().ravel())


def test_not_a_nip():
    cells = pd.Series(["198513122010011002",    # month 13
                       "198503121999011002",    # CPNS at 14
                       "198503122010013002",    # sex digit 3
                       "1985031220100110021",   # 19 digits
                       "12345678901234567890", "1.5E+3", "2,5", "081234567890"])
    assert not nip_cells(cells).any()
    assert nip_cells(pd.Series([1.5, 3.0, float("nan"), 1e17])).sum() == 0


@settings(max_examples=EXAMPLES, deadline=None)
@given(i=st.integers(0, 998), cuts=st.sets(st.integers(1, 17), max_size=17),
       seps=st.lists(st.sampled_from([" ", ".", "-", "\u00a0", "\u202f", "\u2009", "/", "_"]), min_size=17,
                     max_size=17),
       before=st.text(alphabet="abc XYZ:,(", max_size=8), after=st.text(alphabet="abc XYZ:,)", max_size=8))
def test_any_separators_anywhere(i, cuts, seps, before, after):
    """A NIP with separators between any of its digits is found as a whole cell and inside text, and masked."""
    n = nip(i)
    spelled = "".join(d + (seps[k] if k + 1 in cuts else "") for k, d in enumerate(n))
    assert nip_cells(pd.Series([spelled])).all()
    text = f"{before} {spelled} {after}"
    assert nip_in_text(pd.Series([text])).all()
    masked = mask_nips_in_text(spelled)
    assert masked == "[NIP]"


def test_every_spelling_of_one_nip_gets_one_pseudonym():
    cells = pd.Series([f(NIP) for name, f in SPELLINGS.items() if not name.startswith("Excel")])
    p = pseudonyms(cells, KEY)
    assert p.nunique() == 1 and p.iloc[0].startswith("P")


NAMES = ["Rahmat Harahap", "Budi Santoso", "Dewi Lestari", "Siti Rahayu", "Agus Wibowo", "Putri Kusuma",
         "Hadi Pratama", "Dr. Joko Nugroho, M.Si.", "Indah Setiawan, S.Pd.", "I Gede Made Wijaya"]


@pytest.mark.parametrize("values,is_names", [
    (NAMES, True),
    ([n.upper() for n in NAMES], True),
    (["JPT Pratama", "Administrator", "Pengawas", "JF Ahli Muda", "Ahli Pertama", "Pelaksana"] * 3, False),
    (["Dinas Pendidikan", "Dinas Kesehatan", "Kecamatan Sidorejo", "Bagian Umum", "Puskesmas Sidorejo Lor",
      "Sekretariat Daerah"], False),
    (["Jawa Tengah", "Jawa Timur", "Sumatera Barat", "Nusa Tenggara Timur", "Kalimantan Barat"], False),
    (["Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang"], False),
    (["Pf554bbf61ad319d6", "P272078158eae4820", "P0320acbc05503a07", "P2a89f42145efc2a8", "P918a8fe1b801db49"],
     False),
    (["Tepat Waktu", "Terlambat Hadir", "Tidak Hadir", "Cuti Sakit", "Dinas Luar"], False),
    (["rhk_utama_1", "berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis"], False),
])
def test_names_by_their_values(values, is_names):
    assert names_by_value(pd.Series(values)) is is_names


def test_samples_hold_no_personal_data_and_the_raw_export_does():
    for f in ("employees.csv", "ratings.csv"):
        assert personal_data(pd.read_csv(SAMPLES / f, dtype=str)) == []
    raw = pd.read_csv(SAMPLES / "pegawai_contoh_mentah.csv", dtype=str)
    kinds = {f.column: f.kind for f in personal_data(raw)}
    assert kinds == {"NIP": "nip", "Nama": "name", "NIP Atasan": "nip", "No HP": "phone", "Email": "email"}


def test_names_under_any_header_and_first_names_in_text_are_anonymized():
    first = [n.split()[0] for n in NAMES]
    df = pd.DataFrame({"Pegawai": NAMES, "catatan": [f"{f} sering terlambat" for f in first],
                       "Jabatan": ["JPT Pratama"] * 10})
    out, report = anonymize_table(df, KEY)
    assert out["Pegawai"].str.fullmatch(r"N[0-9a-f]{16}").all()
    text = out.to_csv()
    for name in NAMES[:7]:
        assert name.split()[0] not in text and name not in text
    assert (out["Jabatan"] == "JPT Pratama").all()          # a surname-like word of a position stays
    assert (out["catatan"].str.endswith("sering terlambat")).all()


# ---------------------------------------------------------------- the one gate

def _ratings_frame(ids) -> pd.DataFrame:
    rows = [(ids(i), f"R{j}", "item0", 1 + (i + j) % 3) for i in range(12) for j in {i % 4, (i + 1) % 4}]
    return pd.DataFrame(rows, columns=["ratee_id", "rater_id", "item", "score"])


def _employees_frame(extra: dict) -> pd.DataFrame:
    return pd.DataFrame({"employee_id": [f"E{i:03d}" for i in range(12)], "unit": "U1", "sex": ["M", "F"] * 6,
                         "predikat": "Baik", "supervisor_id": ["0"] + ["E000"] * 11, **extra})


GATES = ["analyze ratings", "analyze --employees", "calibrate ratings", "calibrate --employees",
         "simulate --population", "compare --population"]


@pytest.mark.parametrize("gate", GATES)
@pytest.mark.parametrize("what", ["nip", "name"])
def test_one_gate_for_every_command_that_reads_a_file(gate, what, tmp_path, capsys):
    spell = SPELLINGS["groups of four"]
    value = (lambda i: spell(nip(i))) if what == "nip" else (lambda i: NAMES[i % 10] + f" {chr(65 + i)}.")
    ok_ratings = tmp_path / "ok.csv"
    _ratings_frame(lambda i: f"E{i:03d}").to_csv(ok_ratings, index=False)
    if gate.endswith("ratings"):
        bad = _ratings_frame(lambda i: f"E{i:03d}").assign(Pegawai=lambda d: [value(int(x[1:])) for x in d.ratee_id])
        path = tmp_path / "r.csv"
        bad.to_csv(path, index=False)
        argv = (["analyze", str(path), "--item", "item", "--method", "standardize", "--out", str(tmp_path / "o")]
                if gate.startswith("analyze") else ["calibrate", str(path), "--out", str(tmp_path / "o" / "c.toml")])
    else:
        path = tmp_path / "e.csv"
        _employees_frame({"Pegawai": [value(i) for i in range(12)]}).to_csv(path, index=False)
        argv = {"analyze --employees": ["analyze", str(ok_ratings), "--item", "item", "--method", "standardize",
                                        "--employees", str(path), "--group", "sex", "--out", str(tmp_path / "o")],
                "calibrate --employees": ["calibrate", str(ok_ratings), "--employees", str(path),
                                          "--out", str(tmp_path / "o" / "c.toml")],
                "simulate --population": ["simulate", "--policy", "permenpan-6-2022", "--population", str(path),
                                          "--out", str(tmp_path / "o")],
                "compare --population": ["compare", "--policies", "permenpan-6-2022", "--population", str(path),
                                         "--reps", "2", "--quiet", "--out", str(tmp_path / "o")]}[gate]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"{path}: row 2: column 'Pegawai': holds {'a raw NIP' if what == 'nip' else 'names'}" in err
    assert "--allow-personal-data" in err
    assert not (tmp_path / "o").exists()


def test_the_gate_names_phone_and_email_columns_too():
    df = pd.DataFrame({"ratee_id": ["a", "b"], "kontak": ["0812-3456-7890", "+62 813 1111 2222"]})
    with pytest.raises(InputError, match="column 'kontak': holds phone numbers"):
        refuse_personal_data(df, "r.csv")


# ---------------------------------------------------------------- anonymize

def test_anonymize_removes_every_spelling(tmp_path, capsys):
    cols = {name: [f(nip(i)) for i in range(20)] for name, f in SPELLINGS.items()}
    df = pd.DataFrame({"employee_id": [f"E{i}" for i in range(20)], **cols,
                       "catatan": [f"lihat NIP {SPELLINGS['groups of four'](nip(i))} ya" for i in range(20)]})
    df.to_csv(tmp_path / "in.csv", index=False)
    assert main(["anonymize", str(tmp_path / "in.csv"), "--key-file", str(tmp_path / "k"), "--create-key",
                 "--out", str(tmp_path / "anon.csv")]) == 0
    text = (tmp_path / "anon.csv").read_text(encoding="utf-8")
    digits = "".join(ch for ch in text.replace("\n", "|") if ch.isdigit() or ch == "|")
    assert "19850312" not in digits and "1.98503" not in text and "１９８５" not in text
    assert personal_data(pd.read_csv(tmp_path / "anon.csv", dtype=str)) == []


def test_k_anonymity_uses_indonesian_headers(tmp_path, capsys):
    assert main(["anonymize", str(SAMPLES / "pegawai_contoh_mentah.csv"), "--key-file", str(tmp_path / "k"),
                 "--create-key", "--derive-from-nip", "--as-of", "2024-12-31",
                 "--out", str(tmp_path / "a.csv")]) == 0
    out = capsys.readouterr().out
    assert ("k-anonymity on (sex, age_band, tenure_band, Unit Kerja, Jenis Unit, Jabatan): k = 1; 198 classes; "
            "240 of 240 records (100.0%) in classes smaller than k = 5; 166 records unique") in out
    raw = pd.DataFrame(columns=["NIP", "Unit Kerja", "Jabatan", "Jenis Kelamin", "Golongan", "Agama", "Nilai"])
    assert default_quasi_identifiers(raw) == ["Jenis Kelamin", "Unit Kerja", "Jabatan", "Golongan", "Agama"]


def test_the_published_demo_key(tmp_path, capsys):
    real = tmp_path / "pegawai.csv"
    real.write_bytes((SAMPLES / "pegawai_contoh_mentah.csv").read_bytes())
    assert main(["anonymize", str(real), "--key-file", str(SAMPLES / "demo.key"),
                 "--out", str(tmp_path / "a.csv")]) == 2
    assert "is the published demo key" in capsys.readouterr().err and not (tmp_path / "a.csv").exists()
    copied = tmp_path / "k.key"                    # the same key under another name is the same key
    copied.write_bytes((SAMPLES / "demo.key").read_bytes())
    assert main(["anonymize", str(real), "--key-file", str(copied), "--out", str(tmp_path / "a.csv")]) == 2
    capsys.readouterr()
    assert main(["anonymize", str(SAMPLES / "pegawai_contoh_mentah.csv"), "--key-file", str(SAMPLES / "demo.key"),
                 "--out", str(tmp_path / "b.csv")]) == 0   # the samples beside it: allowed, with a warning
    assert "WARNING" in capsys.readouterr().err


@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".parquet"])
def test_anonymized_files_get_normal_permissions_and_the_key_stays_private(tmp_path, ext):
    old = os.umask(0o022)
    try:
        assert main(["anonymize", str(SAMPLES / "pegawai_contoh_mentah.csv"), "--key-file", str(tmp_path / "k"),
                     "--create-key", "--out", str(tmp_path / f"a{ext}")]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / f"a{ext}").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "k").stat().st_mode) == 0o600
