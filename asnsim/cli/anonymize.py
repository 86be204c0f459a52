"""``asnsim anonymize``: replace NIPs, names and contact details with keyed pseudonyms."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from ..errors import AsnsimError, InputError


#: one-line help in ``asnsim --help``
HELP = "replace NIPs, names, phones and e-mails with keyed pseudonyms"


def register(sub) -> None:
    from .argtypes import count

    p = sub.add_parser("anonymize", help=HELP,
                       description="Detect direct identifiers (NIP, NIK, names, phone numbers, e-mail addresses), "
                                   "replace IDs and names with HMAC-SHA256 pseudonyms under a secret key (same key, "
                                   "same pseudonym, so files stay linkable), drop contact details, coarsen birth "
                                   "dates to age bands, and print a k-anonymity report.")
    p.add_argument("input", help="CSV, Excel (.xlsx) or Parquet file")
    p.add_argument("--key-file", required=True, help="file holding the secret key (never written to any output)")
    p.add_argument("--create-key", action="store_true", help="create a new random key file if it does not exist")
    p.add_argument("--out", required=True, help="anonymized file (.csv, .xlsx or .parquet)")
    p.add_argument("--derive-from-nip", action="store_true",
                   help="add sex, age_band and tenure_band from the NIP before replacing it")
    p.add_argument("--as-of", default=None, help="reference date YYYY-MM-DD for age and tenure bands (default today)")
    p.add_argument("--id-columns", default="", help="more columns to pseudonymize, comma-separated")
    p.add_argument("--drop", default="", help="columns to drop, comma-separated")
    p.add_argument("--quasi", default=None,
                   help="quasi-identifiers for the k-anonymity report, comma-separated (default: the columns "
                        "for sex, age, tenure, unit, unit type, position, status, rank, education, religion, under "
                        "asnsim's or Indonesian headers such as Unit Kerja, Jabatan, Jenis Kelamin, Golongan)")
    p.add_argument("--k", type=count(1, 1_000_000), default=5, help="target k for the report (default 5)")
    p.add_argument("--sheet", default=None, help="Excel sheet name (default: the first)")
    p.add_argument("--skip-invalid", action="store_true",
                   help="leave out rows the parser cannot split (their row numbers are printed)")
    p.set_defaults(func=run)


def _split(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(",") if c.strip())


def run(args) -> int:
    from ..io.anonymize import (anonymize_table, check_key_use, default_quasi_identifiers, k_anonymity,
                                k_anonymity_summary, read_key)
    from ..io.readers import file_format, read_raw

    from ..outdir import check_output_file

    check_output_file(args.out)
    out = Path(args.out)
    file_format(out)  # refuse an unknown output type before any work
    if out.resolve() == Path(args.input).resolve():
        raise AsnsimError(f"{out}: --out must differ from the input (the original is kept untouched)")
    if out.resolve() == Path(args.key_file).resolve():
        raise AsnsimError(f"{out}: --out must not be the key file")
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else date.today()
    except ValueError:
        raise AsnsimError(f"--as-of: expected a date YYYY-MM-DD, got {args.as_of!r}") from None
    raw = read_raw(args.input, args.sheet)
    if len(raw.malformed):
        rows = raw.malformed["row"].tolist()
        if not args.skip_invalid:
            raise InputError(raw.source, f"{raw.malformed['reason'].iloc[0]} ({len(rows)} malformed rows in all; "
                                         "fix them, or rerun with --skip-invalid to leave them out)", row=rows[0])
        print(f"left out {len(rows)} malformed rows: {', '.join(map(str, rows[:20]))}"
              + (" ..." if len(rows) > 20 else ""))
    key = read_key(args.key_file, create=args.create_key)
    warning = check_key_use(key, args.key_file, args.input)
    if warning:
        print(warning, file=sys.stderr)
    table, report = anonymize_table(raw.data, key, as_of=as_of, derive_from_nip=args.derive_from_nip,
                                    id_columns=_split(args.id_columns), drop=_split(args.drop))
    del key
    from ..output import write_any
    write_any(table, out)
    print(f"{raw.source}: {len(table)} rows -> {out}")
    for line in report.lines():
        print(f"  {line}")
    quasi = list(_split(args.quasi)) if args.quasi else default_quasi_identifiers(table)
    if quasi:
        classes = k_anonymity(table, quasi, args.k)
        s = k_anonymity_summary(classes, args.k)
        print(f"k-anonymity on ({', '.join(quasi)}): k = {s['k_min']}; {s['classes']} classes; "
              f"{s['records_below_k']} of {s['records']} records ({s['share_below_k']:.1%}) in classes smaller "
              f"than k = {args.k}; {s['unique_records']} records unique")
        if s["records_below_k"]:
            print("  smallest classes:")
            print("  " + classes.head(5).to_string(index=False).replace("\n", "\n  "))
    else:
        print("k-anonymity: no quasi-identifier column found (name them with --quasi)")
    return 0
