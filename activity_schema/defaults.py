"""Every default and limit of the tool, as named constants in one place.

Eloqua's documented limits are gathered, with Oracle's sources, in ``docs/eloqua.md``; the
section is noted.
"""

from __future__ import annotations

from typing import Final

# --- Decoding ---------------------------------------------------------------------------
#: How much of the non-ASCII part of a legacy-encoded file chardet sees.
CHARDET_SAMPLE_BYTES: Final = 256_000
#: chardet's candidates within this ratio of its best confidence are close calls: their
#: readings of the non-ASCII values are compared (its legacy confidences are often
#: 0.02-0.2, and equivalent code pages tie).
TIE_BREAK_RATIO: Final = 0.75
#: A chardet confidence below which its best guess is weak: cp1252, the usual Windows
#: export encoding, is compared with it too.
WEAK_CONFIDENCE: Final = 0.2
#: Encodings read as a superset that reads every character of theirs alike (and decodes
#: bytes they leave undefined or map to C1 controls); ASCII is UTF-8. The ISO-8859 sets
#: other than Latin-1 are *not* subsets of the Windows code pages: ISO-8859-2's ``ś``
#: is cp1250's ``¶``, ISO-8859-15's ``€`` is cp1252's ``¤``.
SUPERSET_ENCODINGS: Final[dict[str, str]] = {
    "ascii": "utf-8",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "shift_jis": "cp932",
    "euc_jp": "euc_jis_2004",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
}
#: How many undecodable byte sequences (or NUL bytes) are itemised; the rest are counted.
MAX_REPORTED_BAD_BYTES: Final = 1000

# --- Sniffing ---------------------------------------------------------------------------
#: Delimiters the CSV sniffer considers, in order of preference on a tie.
CANDIDATE_DELIMITERS: Final = (",", ";", "\t", "|")
#: How many leading lines the dialect sniffer reads.
SNIFF_LINES: Final = 200
#: Magic numbers of binary files that are not activity data.
BINARY_SIGNATURES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Excel (.xls) or other OLE2 file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "a Windows executable"),
)
#: Share of control bytes above which an input without a known signature is binary.
BINARY_CONTROL_RATIO: Final = 0.10

# --- Excel ------------------------------------------------------------------------------
#: Largest uncompressed size of an .xlsx we open (zip-bomb guard).
XLSX_MAX_UNCOMPRESSED_BYTES: Final = 2_000_000_000
#: Largest compression ratio of any .xlsx member (zip-bomb guard).
XLSX_MAX_COMPRESSION_RATIO: Final = 200

# --- Header mapping ---------------------------------------------------------------------
#: Smallest similarity (0-1) for an unknown column's "did you mean" suggestion.
SUGGESTION_CUTOFF: Final = 0.6

# --- Values (docs/eloqua.md section 2) --------------------------------------------------
#: Safe default length of a text field (contact text fields hold 100 characters).
DEFAULT_MAX_LENGTH: Final = 100
#: Longest email address Eloqua's contact email field holds.
EMAIL_MAX_LENGTH: Final = 100
#: Most digits of an Eloqua number.
MAX_INTEGER_DIGITS: Final = 19
#: Eloqua runs on US Eastern time; dates with an offset are converted to this zone.
DEFAULT_TIMEZONE: Final = "America/New_York"
#: The date format Eloqua reads most safely.
DEFAULT_DATE_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
#: How all-ambiguous slash dates are read (Eloqua reads 01/02/03 month-first).
DEFAULT_DATE_ORDER: Final = "mdy"
#: Texts that stand for "no value"; Eloqua would store them literally.
NULL_STRINGS: Final = ("null", "NULL", "Null", "None", "none", "NONE", "N/A", "n/a", "#N/A")

# --- Reports ----------------------------------------------------------------------------
#: Examples shown per issue code in text reports.
DEFAULT_MAX_EXAMPLES: Final = 5
#: GitHub shows at most 10 annotations of each severity per step.
GITHUB_ANNOTATIONS_PER_SEVERITY: Final = 10
#: Annotations of each severity one file gets at most, so that the run's ten are shared
#: out across the files (one file's thousand errors must not hide the next file's).
GITHUB_ANNOTATIONS_PER_FILE: Final = 5

# --- Output and upload (docs/eloqua.md section 3) ---------------------------------------
# eloqua/constants.py owns the API's limits. output/ may not import eloqua/ (siblings in
# the layers) and eloqua/ imports only errors, so the writer's copies live here, pinned
# to the API's by tests/eloqua/test_eloqua_client.py.
#: Largest body per POST; satisfies both readings of Eloqua's "32 MB".
DEFAULT_MAX_BYTES: Final = 32_000_000
#: Most POSTs staged for one sync.
MAX_POSTS_PER_SYNC: Final = 500

# --- Size limits on what is read (bad data, not a crash) --------------------------------
#: Largest cell, in UTF-8 bytes. No Eloqua field holds more than 32,000 characters
#: (large text, docs/eloqua.md section 2), at most 128,000 bytes; a cell eight times that is a
#: file pasted into a cell or hostile input. Its row is rejected (``too-long``).
MAX_CELL_BYTES: Final = 1_048_576
#: Largest record (all its cells), in UTF-8 bytes. A definition holds at most 100 fields
#: of at most 32,000 characters (12.8 MB in UTF-8 at worst); a bigger record could never
#: be uploaded. Its row is rejected (``record-too-large``).
MAX_RECORD_BYTES: Final = 16_777_216
#: The most a deflated stream expands (zlib's 1032:1); bounds an .xlsx's worst case.
DEFLATE_MAX_RATIO: Final = 1032

# --- Streamed (batched) convert ---------------------------------------------------------
#: A delimited input larger than this is converted in record batches (``--stream``).
STREAM_THRESHOLD_BYTES: Final = 256_000_000
#: Decoded text per record batch; the column-level decisions are taken on the first one.
#: Checking a batch takes about 30 times its size in memory (polars keeps what it
#: allocated), so this bounds a streamed run's peak: nothing else it holds grows with the
#: input (``--dedupe`` aside, whose index takes 12 bytes per distinct valid row).
STREAM_BATCH_BYTES: Final = 16_000_000
#: Bytes read from the file at a time (at most a batch).
STREAM_BLOCK_BYTES: Final = 4_000_000
#: Bytes validated at a time when checking that a whole input is UTF-8 (bounds the text
#: object built for it). Small on purpose: the text of a larger piece (up to 4 bytes a
#: character) is mapped fresh from the kernel each time, a page fault per 4 KB; on a
#: 105 MB export 4 MiB pieces took 0.061 s and 256 KiB pieces 0.020 s.
UTF8_CHECK_BYTES: Final = 256 * 1024
#: Issues serialized at a time into a JSON report (about 25 MB of text).
REPORT_JSON_SLICE_ROWS: Final = 100_000
#: Issues a streamed run keeps for its report in full; beyond, the first
#: ``STREAM_REPORT_ISSUES_PER_CODE`` of each code are kept (the counts stay exact).
STREAM_REPORT_MAX_ISSUES: Final = 1_000_000
#: Issues kept per file and code once a streamed report is sampled.
STREAM_REPORT_ISSUES_PER_CODE: Final = 1_000

# --- Lines above the header -------------------------------------------------------------
#: Most records above the header (Excel's sep= line, # comments, title rows) that are
#: looked at and skipped; a file with more is read with its first record as the header.
MAX_PREAMBLE_RECORDS: Final = 10

# --- Workbook size ----------------------------------------------------------------------
#: Most cells of the rectangle an .xlsx sheet spans (first to last filled row and
#: column), e.g. 200,000 rows of 20 columns. calamine builds every cell of it in memory
#: and lint or convert then peaks at about 190 bytes per cell (5 million cells of
#: 17-digit numbers took 957 MB): 4 million stay under 1 GB. A bigger sheet is refused;
#: exported as CSV it is read in bounded batches.
XLSX_MAX_CELLS: Final = 4_000_000
#: Most text an .xlsx sheet may hold once read: its uncompressed XML plus every copy of
#: the shared strings its cells refer to (calamine copies a shared string into each
#: cell). A check peaks at about three times the text (200 MB took 606 MB).
XLSX_MAX_TEXT_BYTES: Final = 256_000_000

# --- Header mapping bounds --------------------------------------------------------------
#: Unknown (or blank-header) columns itemised with a suggestion each; the rest are
#: summed up in one ``unknown-column`` warning (a 100,000-column file stays cheap).
MAX_UNKNOWN_COLUMN_ISSUES: Final = 1000
#: Most columns an input may have (Excel's widest sheet); a wider header is refused
#: before its cells are parsed (each column costs polars kilobytes, whatever it holds).
MAX_COLUMNS: Final = 16_384

# --- HTML report ------------------------------------------------------------------------
#: Rows listed per table of the HTML report (issues, per-cell repairs); the rest are
#: counted in a "N more not shown" line. A browser stays responsive with a few thousand
#: rows, and the JSON report lists them all.
HTML_REPORT_MAX_ROWS: Final = 2_000
#: Characters of a cell value shown in the HTML report (a value can be megabytes).
HTML_REPORT_MAX_VALUE_CHARS: Final = 200
