"""Column-name constants for the tidy tables asnsim reads and writes.

Every stage uses these names, so a rename happens in one place.  The tables
are described in ``docs/`` and in ``shared/DESIGN.md``:

employees
    ``employee_id, unit, unit_type, position, position_class, sex, age_band,
    tenure_band, supervisor_id, unit_context, true_performance`` plus the true
    components (``true_results, true_behaviour, ...``); a simulation adds
    ``true_performance_start`` (``true_performance`` is then the truth at the
    time of the annual rating, after the year's growth).
ratings
    ``ratee_id, rater_id, rater_role, item, period, score`` plus, for simulated
    data only, truth columns (``true_score`` and one ``fx_<effect>`` column per
    planted effect).
indicators
    ``employee_id, indicator, period, target, realisasi, capaian``.
scores
    ``employee_id, final_score, rating_results, rating_behaviour, predikat``.
"""

from __future__ import annotations

# employees
EMPLOYEE_ID = "employee_id"
UNIT = "unit"
UNIT_TYPE = "unit_type"
POSITION = "position"
POSITION_CLASS = "position_class"
SEX = "sex"
AGE_BAND = "age_band"
TENURE_BAND = "tenure_band"
SUPERVISOR_ID = "supervisor_id"
UNIT_CONTEXT = "unit_context"
TRUE_PERFORMANCE = "true_performance"
#: simulated: true performance at the start of the appraisal year (``true_performance`` is the truth at the
#: time of the annual rating, after the year's growth from feedback and training)
TRUE_PERFORMANCE_START = "true_performance_start"
TRUE_RESULTS = "true_results"
TRUE_BEHAVIOUR = "true_behaviour"
TRUE_TECHNICAL = "true_technical"
TRUE_NONTECHNICAL = "true_nontechnical"
CLOSENESS = "closeness"
PEMDA = "pemda"
PARENT_UNIT = "parent_unit"
STATUS = "status"
UNIT_DIFFICULTY = "unit_difficulty"
UNIT_RESOURCES = "unit_resources"

EMPLOYEE_COLUMNS = [
    EMPLOYEE_ID, UNIT, UNIT_TYPE, POSITION, POSITION_CLASS, SEX, AGE_BAND,
    TENURE_BAND, SUPERVISOR_ID, UNIT_CONTEXT, TRUE_PERFORMANCE,
]

# ratings
RATEE_ID = "ratee_id"
RATER_ID = "rater_id"
RATER_ROLE = "rater_role"
ITEM = "item"
PERIOD = "period"
SCORE = "score"
COMPONENT = "component"
TRUE_SCORE = "true_score"

RATING_COLUMNS = [RATEE_ID, RATER_ID, RATER_ROLE, ITEM, PERIOD, SCORE]

# indicators
INDICATOR = "indicator"
TARGET = "target"
REALISASI = "realisasi"
CAPAIAN = "capaian"

INDICATOR_COLUMNS = [EMPLOYEE_ID, INDICATOR, PERIOD, TARGET, REALISASI, CAPAIAN]

# scores
FINAL_SCORE = "final_score"
RATING_RESULTS = "rating_results"
RATING_BEHAVIOUR = "rating_behaviour"
PREDIKAT = "predikat"
PREDIKAT_RAW = "predikat_raw"

SCORE_COLUMNS = [EMPLOYEE_ID, FINAL_SCORE, RATING_RESULTS, RATING_BEHAVIOUR, PREDIKAT]

# units
UNIT_PREDIKAT = "unit_predikat"
N = "n"
N_QUOTA = "n_quota"
QUOTA_STATUS = "quota_status"
QUOTA_BOUND = "quota_bound"
N_MOVED = "n_moved"
PREDIKAT_LABEL = "predikat_label"
INNOVATION = "innovation"

# unit (organisation) predikat, worst to best (PermenPAN-RB 6/2022; SE MenPAN-RB 03/2023)
UNIT_ISTIMEWA = "Istimewa"
UNIT_PREDIKAT_ORDER = ("Sangat Kurang", "Kurang", "Butuh Perbaikan", "Baik", UNIT_ISTIMEWA)

# indicators (long: one row per employee, indicator, aspect, period)
ASPECT = "aspect"
SELF_REPORTED = "self_reported"
VERIFIED = "verified"
TARGET_FAIR = "target_fair"
TRUE_REALISASI = "true_realisasi"
TRUE_CAPAIAN = "true_capaian"
ASPECTS = ("kuantitas", "kualitas", "waktu", "biaya")

# rater roles
ATASAN = "atasan"
REKAN = "rekan"
BAWAHAN = "bawahan"
SELF = "self"
STAKEHOLDER = "stakeholder"
ROLES = (ATASAN, REKAN, BAWAHAN, SELF, STAKEHOLDER)

# predikat (PermenPAN-RB 6/2022 names, in order from worst to best)
SANGAT_KURANG = "Sangat Kurang"
KURANG = "Kurang/Misconduct"
BUTUH_PERBAIKAN = "Butuh Perbaikan"
BAIK = "Baik"
SANGAT_BAIK = "Sangat Baik"
PREDIKAT_ORDER = (SANGAT_KURANG, KURANG, BUTUH_PERBAIKAN, BAIK, SANGAT_BAIK)

# three-level ratings (hasil kerja, perilaku kerja)
DI_BAWAH = "Di Bawah Ekspektasi"
SESUAI = "Sesuai Ekspektasi"
DI_ATAS = "Di Atas Ekspektasi"
RATING_LEVELS = (DI_BAWAH, SESUAI, DI_ATAS)

#: Headers of Indonesian exports (e-Kinerja, SIASN, spreadsheets) for asnsim's employee attributes, compared
#: case-insensitively with spaces, ``_``, ``-`` and ``.`` ignored.  Used to find the quasi-identifiers of a raw
#: export (``asnsim anonymize``'s k-anonymity report), where no column map is given.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    UNIT: ("unit kerja", "satuan kerja", "satker", "opd", "unit organisasi", "perangkat daerah", "instansi"),
    UNIT_TYPE: ("jenis unit", "tipe unit"),
    POSITION: ("jabatan", "nama jabatan", "jabatan terakhir"),
    POSITION_CLASS: ("jenis jabatan",),
    SEX: ("jenis kelamin", "jk", "kelamin", "gender"),
    STATUS: ("status kepegawaian", "status pegawai", "jenis pegawai", "status asn"),
    AGE_BAND: ("kelompok umur", "kelompok usia", "usia", "umur"),
    TENURE_BAND: ("masa kerja", "kelompok masa kerja"),
    "rank": ("golongan", "pangkat", "gol", "pangkat golongan", "golongan ruang", "eselon"),
    "education": ("pendidikan", "pendidikan terakhir", "tingkat pendidikan"),
    "religion": ("agama",),
}
#: attributes that, combined, can single a person out (quasi-identifiers, Sweeney 2002)
QUASI_IDENTIFIERS = (SEX, AGE_BAND, TENURE_BAND, UNIT, UNIT_TYPE, POSITION, POSITION_CLASS, STATUS, "rank",
                     "education", "religion")


def header_key(name: str) -> str:
    """A header compared loosely: lower case, without spaces, ``_``, ``-``, ``.`` and ``/``."""
    return "".join(ch for ch in str(name).casefold() if ch not in " _-./")


def canonical_attribute(header: str) -> str | None:
    """asnsim's attribute for an export header (``Unit Kerja`` -> ``unit``), or None."""
    key = header_key(header)
    for canon, aliases in HEADER_ALIASES.items():
        if key == header_key(canon) or key in {header_key(a) for a in aliases}:
            return canon
    return None
