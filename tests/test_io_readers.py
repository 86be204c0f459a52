"""Readers, schemas and the row ledger: hand-made files with known faults, every format, fuzzing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asnsim import columns as C
from asnsim.errors import InputError
from asnsim.io import parse_column_map, read_raw, read_table, validate

HEADER = "ratee_id,rater_id,item,period,score\n"


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_column_map_semicolon_decimal_comma_cp1252(tmp_path):
    text = ("NIP Pegawai;Penilai;Butir;Nilai;Catatan\n"
            "001;900;akuntabel;2,5;caf\u00e9\n"
            "002;900;akuntabel;3;\n")
    p = write(tmp_path, "r.csv", text, "cp1252")
    raw = read_raw(p)
    assert (raw.delimiter, raw.encoding) == (";", "cp1252")
    v = read_table(p, "ratings", parse_column_map("ratee_id=NIP Pegawai,rater_id=penilai,item=Butir,score=Nilai"),
                   score_range=(1, 3))
    assert v.data[C.RATEE_ID].tolist() == ["001", "002"]          # leading zeros kept: IDs are text
    assert v.data[C.SCORE].tolist() == [2.5, 3.0]                 # decimal comma read
    assert v.data[C.RATER_ROLE].tolist() == ["atasan", "atasan"]  # documented defaults
    assert v.data["source_row"].tolist() == [2, 3]


def test_tab_delimiter_and_utf8_bom(tmp_path):
    p = write(tmp_path, "r.tsv", "\ufeffratee_id\trater_id\tscore\nA\tB\t2\n")
    v = read_table(p, "ratings")
    assert list(v.data[C.RATEE_ID]) == ["A"] and v.raw.delimiter == "\t"


def test_utf16_export(tmp_path):
    p = tmp_path / "r.csv"
    p.write_bytes((HEADER + "A,B,x,annual,2\n").encode("utf-16"))
    assert read_table(p, "ratings").data[C.SCORE].tolist() == [2.0]


def test_every_fault_is_named_with_its_row_and_column(tmp_path):
    text = (HEADER
            + "A,R1,x,annual,2\n"       # row 2 ok
            + "B,R1,x,annual,dua\n"     # row 3 not a number
            + "C,R1,x,annual,7\n"       # row 4 out of range
            + "D,R1,x,annual,\n"        # row 5 missing score
            + "A,R1,x,annual,3\n"       # row 6 duplicate of row 2
            + "E,R1,x,annual,1,9\n"     # row 7 malformed (6 fields)
            + ",,,,\n"                  # row 8 empty: skipped, not an error
            + "1.98503E+17,R1,x,annual,2\n")  # row 9 mangled ID
    p = write(tmp_path, "r.csv", text)
    v = validate(read_raw(p), "ratings", score_range=(1, 3))
    rej = v.rejected().set_index("row")
    assert sorted(rej.index) == [2, 3, 4, 5, 6, 7, 9]
    assert rej.loc[3, "reason"] == "not a number: 'dua'" and rej.loc[3, "column"] == "score"
    assert rej.loc[4, "reason"] == "score outside the scale 1 to 3: got '7'"
    assert rej.loc[5, "reason"] == "missing value"
    assert "same key is in row 6" in rej.loc[2, "reason"] and "same key is in row 2" in rej.loc[6, "reason"]
    assert rej.loc[7, "reason"] == "malformed row: 6 fields where the header has 5"
    assert "scientific notation" in rej.loc[9, "reason"]
    assert v.ledger.summary() == {"rows_read": 8, "used": 0, "rejected": 7, "empty": 1}
    with pytest.raises(InputError) as err:
        v.ledger.settle()
    msg = str(err.value)
    assert msg.startswith(f"{p}: row 2: column 'ratee_id,rater_id,item,period': duplicate")
    assert "row 3 column 'score': not a number: 'dua'" in msg and "7 invalid rows in all" in msg
    assert "\n" not in msg


def test_first_data_row_longer_than_the_header_is_named(tmp_path):
    # pandas would drop the extra field silently here; the ledger must name the row
    p = write(tmp_path, "r.csv", "ratee_id,rater_id,score\nA,B,2,extra\nC,B,3\n")
    v = validate(read_raw(p), "ratings")
    assert v.rejected()[["row", "reason"]].values.tolist() == [[2, "malformed row: 4 fields where the header has 3"]]
    assert v.data.loc[v.ledger.valid_mask(), C.RATEE_ID].tolist() == ["C"]


def test_skip_invalid_keeps_the_valid_rows(tmp_path):
    p = write(tmp_path, "r.csv", HEADER + "A,R1,x,annual,2\nB,R1,x,annual,9\nC,R1,x,annual,1\n")
    v = read_table(p, "ratings", score_range=(1, 3), skip_invalid=True)
    assert v.data[C.RATEE_ID].tolist() == ["A", "C"]
    rej = v.rejected()
    assert rej[["row", "column"]].values.tolist() == [[3, "score"]] and rej["ratee_id"].tolist() == ["B"]


@pytest.mark.parametrize("text, expected", [
    ("", "the file is empty"),
    ("   \n\n", "the file is empty"),
    (HEADER, "no data rows"),
    ("ratee_id,rater_id\nA,B\n", "missing required column 'score'"),
])
def test_empty_and_incomplete_files(tmp_path, text, expected):
    p = write(tmp_path, "r.csv", text)
    with pytest.raises(InputError, match=expected):
        read_table(p, "ratings")


def test_missing_column_message_lists_the_file_columns_and_the_fix(tmp_path):
    p = write(tmp_path, "r.csv", "pegawai,penilai,nilai\nA,B,2\n")
    with pytest.raises(InputError) as err:
        read_table(p, "ratings")
    assert err.value.row == 1 and err.value.column == "ratee_id"
    assert "pegawai, penilai, nilai" in str(err.value) and "--column-map ratee_id=" in str(err.value)


def test_column_map_naming_an_absent_column(tmp_path):
    p = write(tmp_path, "r.csv", HEADER + "A,B,x,annual,2\n")
    with pytest.raises(InputError, match="column map says score = 'Nilai'"):
        read_table(p, "ratings", {"score": "Nilai"})


def test_unknown_file_type_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="unknown file type"):
        read_raw(write(tmp_path, "r.json", "{}"))
    with pytest.raises(InputError, match="no such file"):
        read_raw(tmp_path / "nope.csv")


def test_csv_excel_parquet_read_alike(tmp_path):
    df = pd.DataFrame({"ratee_id": ["198503122010011002", "007"], "rater_id": ["R1", "R1"],
                       "item": ["a", "a"], "score": [2, 3]})
    df.to_csv(tmp_path / "r.csv", index=False)
    df.to_excel(tmp_path / "r.xlsx", index=False)
    df.to_parquet(tmp_path / "r.parquet", index=False)
    got = [read_table(tmp_path / f"r.{ext}", "ratings").data.drop(columns="source_row")
           for ext in ("csv", "xlsx", "parquet")]
    for g in got[1:]:
        pd.testing.assert_frame_equal(got[0], g, check_dtype=False)
    assert got[0][C.RATEE_ID].tolist() == ["198503122010011002", "007"]


def test_damaged_excel_and_parquet(tmp_path):
    for name in ("x.xlsx", "x.parquet"):
        with pytest.raises(InputError, match="not a readable"):
            read_raw(write(tmp_path, name, "this is not a workbook"))


def test_employees_supervisor_links(tmp_path):
    text = ("employee_id,unit,supervisor_id,sex\n"
            "1,U1,,L\n"        # top of the tree; L = laki-laki
            "2,U1,1,P\n"       # ok; P = perempuan
            "3,U1,99,M\n"      # unknown supervisor
            "4,U1,4,F\n"       # supervises themself
            "5,U1,6,F\n"       # 5 -> 6 -> 5: a loop
            "6,U1,5,X\n")      # loop, and an unknown sex code
    v = validate(read_raw(write(tmp_path, "e.csv", text)), "employees")
    rej = v.rejected().set_index("row")["reason"]
    assert rej[4] == "supervisor_id '99' is not the employee_id of any row"
    assert rej[5] == "an employee cannot supervise themself"
    assert "loops back" in rej[6] and "loops back" in rej[7] and "not one of the allowed values M, F" in rej[7]
    assert v.data.loc[v.ledger.valid_mask(), C.SEX].tolist() == ["M", "F"]


def test_indicators_capaian_and_target(tmp_path):
    text = "employee_id,indicator,period,target,realisasi\n1,surat,TW1,10,12\n1,surat,TW2,0,3\n"
    v = validate(read_raw(write(tmp_path, "i.csv", text)), "indicators")
    assert v.data.loc[0, C.CAPAIAN] == pytest.approx(120.0)
    assert v.rejected()["reason"].tolist() == ["target must be positive: got '0'"]


# ---------------------------------------------------------------- fuzzing

cell = st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6),
                 st.integers(-5, 10).map(str), st.sampled_from(["", "NA", "2,5", "1e400", "\"", "\n", ";", "\t"]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=7), min_size=0, max_size=8),
       sep=st.sampled_from([",", ";", "\t", "|"]), encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_fuzz_any_csv_gives_a_table_or_an_input_error(tmp_path, rows, sep, encoding):
    text = sep.join(["ratee_id", "rater_id", "item", "period", "score"]) + "\n"
    text += "".join(sep.join(r) + "\n" for r in rows)
    p = tmp_path / "fuzz.csv"
    try:
        p.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        return
    try:
        v = read_table(p, "ratings", score_range=(1, 3), skip_invalid=True)
    except InputError as exc:
        assert str(exc).startswith(str(p)) and "\n" not in str(exc).split(": ", 1)[0]
        return
    s = v.ledger.summary()
    assert s["used"] == len(v.data) and s["used"] + s["rejected"] + s["empty"] == s["rows_read"]
    assert v.data[C.SCORE].between(1, 3).all()
    assert not v.data.duplicated([C.RATEE_ID, C.RATER_ID, C.ITEM, C.PERIOD]).any()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_fuzz_random_bytes_never_give_a_traceback(tmp_path, data):
    p = tmp_path / "bytes.csv"
    p.write_bytes(data)
    try:
        read_table(p, "ratings")
    except InputError:
        pass


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(2, 30), bad=st.data())
def test_planted_faults_are_found_at_their_rows(tmp_path, n, bad):
    """Plant a bad score in chosen rows: exactly those rows (spreadsheet numbers) are rejected."""
    scores = np.full(n, "2", dtype=object)
    rows = bad.draw(st.sets(st.integers(0, n - 1), max_size=n - 1))
    kinds = bad.draw(st.lists(st.sampled_from(["x", "4", "0", "-1", "inf"]), min_size=len(rows),
                              max_size=len(rows)))
    for r, k in zip(sorted(rows), kinds):
        scores[r] = k
    df = pd.DataFrame({"ratee_id": [f"E{i}" for i in range(n)], "rater_id": "R", "score": scores})
    p = tmp_path / "planted.csv"
    df.to_csv(p, index=False)
    v = validate(read_raw(p), "ratings", score_range=(1, 3))
    rej = v.rejected()
    assert rej["row"].tolist() == [r + 2 for r in sorted(rows)]
    assert (rej["column"] == "score").all()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=6), min_size=0, max_size=6),
       sep=st.sampled_from([",", ";", "\t"]), skip=st.booleans())
def test_fuzz_cli_exits_2_and_writes_nothing(tmp_path_factory, rows, sep, skip):
    """Whatever the file holds, the command returns 0 or 2 (never a traceback), and on 2 writes nothing."""
    from asnsim.cli import main

    tmp = tmp_path_factory.mktemp("cli")
    text = sep.join(["ratee_id", "rater_id", "item", "score"]) + "\n" + "".join(sep.join(r) + "\n" for r in rows)
    (tmp / "r.csv").write_text(text, encoding="utf-8")
    out = tmp / "o" / "s.toml"
    rc = main(["calibrate", str(tmp / "r.csv"), "--bootstrap", "0", "--out", str(out)]
              + (["--skip-invalid"] if skip else []))
    assert rc in (0, 2)
    if rc == 2:
        assert not out.exists() and not (tmp / "o" / "rejected_rows.csv").exists()
