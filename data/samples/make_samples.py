"""Make the sample data set in data/samples/ (SYNTHETIC: no real person, no real NIP).

Run from the repository root:  .venv/bin/python data/samples/make_samples.py

Everything comes from one asnsim simulation (seed 8, 240 employees of a small
synthetic pemda) and fixed random draws, so the files are the same on every run:

* ``pegawai_contoh_mentah.csv``: an *un-anonymized* export as an appraisal
  system might give it (Indonesian headers, made-up NIPs consistent with each
  person's age and tenure band, made-up names, phone numbers, e-mail addresses,
  birth dates): the input of the ``asnsim anonymize`` example.
* ``employees.csv``: the same people, anonymized with the demo key
  (``demo.key``; a published key protects nothing, never use it for real data),
  in asnsim's employees format.
* ``ratings.csv``: supervisor ratings (PermenPAN-RB 6/2022 items, 1-3) in the
  ratings format, linked to employees.csv by the pseudonyms.
* ``penilaian_ekinerja.xlsx`` + ``penilaian_column_map.toml``: the same ratings
  with an export's own column names, read through a column map.
* ``ratings_with_errors.csv``: a few rows with typical faults, for the docs.
* ``indicators.parquet``: indicator realisations (PP 46/2011 activities) in the
  indicators format.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from asnsim import columns as C
from asnsim.io.anonymize import anonymize_table, pseudonyms
from asnsim.pipeline import simulate

HERE = Path(__file__).resolve().parent
SEED, N = 8, 240
AS_OF = date(2024, 12, 31)
DEMO_KEY = b"asnsim-demo-key-DO-NOT-USE-FOR-REAL-DATA-0123456789"
FIRST = ["Agus", "Budi", "Dewi", "Eka", "Fitri", "Gede", "Hadi", "Indah", "Joko", "Kartika", "Lestari", "Made",
         "Nur", "Putri", "Rahmat", "Sari", "Teguh", "Wahyu", "Yuni", "Zainal"]
LAST = ["Santoso", "Wijaya", "Saputra", "Lestari", "Hidayat", "Kusuma", "Nugroho", "Pratama", "Siregar",
        "Wibowo", "Rahayu", "Setiawan", "Harahap", "Sitompul", "Purnomo"]
AGE = {"<=30": (22, 30), "31-40": (31, 40), "41-50": (41, 50), "51-60": (51, 58)}
TENURE = {"<5": (1, 4), "5-14": (5, 14), "15-24": (15, 24), ">=25": (25, 33)}


def fake_nips(emp: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    """NIPs whose birth date, CPNS start and sex digit agree with the employee's bands (vectorized)."""
    lo = emp[C.AGE_BAND].map(lambda b: AGE[b][0]).to_numpy()
    hi = emp[C.AGE_BAND].map(lambda b: AGE[b][1]).to_numpy()
    age = rng.integers(lo, hi + 1)
    birth = pd.to_datetime(pd.DataFrame({"year": AS_OF.year - age, "month": rng.integers(1, 13, len(emp)),
                                         "day": rng.integers(1, 29, len(emp))}))
    tlo = emp[C.TENURE_BAND].map(lambda b: TENURE[b][0]).to_numpy()
    thi = emp[C.TENURE_BAND].map(lambda b: TENURE[b][1]).to_numpy()
    start_year = np.maximum(AS_OF.year - rng.integers(tlo, thi + 1), birth.dt.year.to_numpy() + 19)
    start_year = np.minimum(start_year, AS_OF.year - 1)
    start_month = rng.integers(1, 13, len(emp))
    sex = np.where(emp[C.SEX].astype(str) == "F", "2", "1")
    seq = (np.arange(len(emp)) % 999 + 1).astype(str)
    return (birth.dt.strftime("%Y%m%d") + pd.Series(start_year.astype(str)) + pd.Series(start_month).map("{:02d}".format)
            + pd.Series(sex) + pd.Series(np.char.zfill(seq, 3)))


def main() -> None:
    rng = np.random.default_rng(SEED)
    sim = simulate("permenpan-6-2022", n=N, seed=SEED, scenario="default")
    emp = sim.employees
    nip = fake_nips(emp, rng)
    by_id = pd.Series(nip.to_numpy(), index=emp[C.EMPLOYEE_ID].to_numpy())
    names = (pd.Series(np.asarray(FIRST)[rng.integers(0, len(FIRST), N)]) + " "
             + pd.Series(np.asarray(LAST)[rng.integers(0, len(LAST), N)]))
    birth = pd.to_datetime(nip.str[:8], format="%Y%m%d")
    raw = pd.DataFrame({
        "NIP": nip,
        "Nama": names,
        "NIP Atasan": emp[C.SUPERVISOR_ID].map(by_id).fillna("").to_numpy(),
        "Unit Kerja": emp[C.UNIT].astype(str).to_numpy(),
        "Jenis Unit": emp[C.UNIT_TYPE].astype(str).to_numpy(),
        "Jabatan": emp[C.POSITION].astype(str).to_numpy(),
        "Jenis Kelamin": np.where(emp[C.SEX].astype(str) == "F", "P", "L"),
        "Tanggal Lahir": birth.dt.strftime("%d/%m/%Y"),
        "No HP": "08" + pd.Series(rng.integers(1_000_000_000, 9_999_999_999, N)).astype(str),
        "Email": names.str.lower().str.replace(" ", ".") + "@contoh.go.id",
    })
    raw.to_csv(HERE / "pegawai_contoh_mentah.csv", index=False, lineterminator="\n")
    (HERE / "demo.key").write_text(DEMO_KEY.decode() + "\n")

    anon, _ = anonymize_table(raw, DEMO_KEY, as_of=AS_OF, derive_from_nip=True)
    employees = pd.DataFrame({
        C.EMPLOYEE_ID: anon["NIP"], C.UNIT: anon["Unit Kerja"], C.UNIT_TYPE: anon["Jenis Unit"],
        C.POSITION: anon["Jabatan"], C.SEX: anon[C.SEX], C.AGE_BAND: anon[C.AGE_BAND],
        C.TENURE_BAND: anon[C.TENURE_BAND], C.SUPERVISOR_ID: anon["NIP Atasan"].fillna("").replace("", "0"),
    })
    employees.to_csv(HERE / "employees.csv", index=False, lineterminator="\n")

    pseudo = pd.Series(pseudonyms(nip, DEMO_KEY).to_numpy(), index=emp[C.EMPLOYEE_ID].to_numpy())
    r = sim.ratings
    rater = r[C.RATER_ID].map(pseudo).fillna("kepala_daerah")
    ratings = pd.DataFrame({C.RATEE_ID: r[C.RATEE_ID].map(pseudo).to_numpy(), C.RATER_ID: rater.to_numpy(),
                            C.RATER_ROLE: r[C.RATER_ROLE].astype(str).to_numpy(),
                            C.ITEM: r[C.ITEM].astype(str).to_numpy(), C.PERIOD: "2024",
                            C.SCORE: r[C.SCORE].astype(int).to_numpy()})
    ratings.to_csv(HERE / "ratings.csv", index=False, lineterminator="\n")
    ekinerja = ratings.rename(columns={C.RATEE_ID: "ID Pegawai", C.RATER_ID: "ID Penilai", C.RATER_ROLE: "Peran",
                                       C.ITEM: "Butir Penilaian", C.PERIOD: "Tahun", C.SCORE: "Nilai"})
    ekinerja["Peran"] = "atasan"
    ekinerja.to_excel(HERE / "penilaian_ekinerja.xlsx", index=False, sheet_name="Penilaian", engine="openpyxl")
    (HERE / "penilaian_column_map.toml").write_text(
        "# asnsim column = the export's column (see docs/input-formats.md)\n"
        'ratee_id = "ID Pegawai"\nrater_id = "ID Penilai"\nrater_role = "Peran"\n'
        'item = "Butir Penilaian"\nperiod = "Tahun"\nscore = "Nilai"\n')

    bad = ratings.head(6).astype(str)
    bad.loc[1, C.SCORE] = "tiga"          # not a number
    bad.loc[2, C.SCORE] = "5"             # off the 1-3 scale
    bad.loc[3, C.RATER_ID] = ""           # missing rater
    bad = pd.concat([bad, bad.iloc[[0]]])  # a duplicate (ratee, rater, item, period)
    bad.to_csv(HERE / "ratings_with_errors.csv", index=False, lineterminator="\n")

    ind = simulate("pp-46-2011", n=N, seed=SEED, scenario="default").indicators
    indicators = pd.DataFrame({C.EMPLOYEE_ID: ind[C.EMPLOYEE_ID].map(pseudo).to_numpy(),
                               C.INDICATOR: ind[C.INDICATOR].astype(str).to_numpy(),
                               C.ASPECT: ind[C.ASPECT].astype(str).to_numpy(),
                               C.PERIOD: ind[C.PERIOD].astype(str).to_numpy(),
                               C.TARGET: ind[C.TARGET].to_numpy(float).round(2),
                               C.REALISASI: ind[C.REALISASI].to_numpy(float).round(2)})
    indicators.to_parquet(HERE / "indicators.parquet", index=False)
    print(f"wrote {len(raw)} employees, {len(ratings)} ratings, {len(indicators)} indicator rows to {HERE}")


if __name__ == "__main__":
    main()
