"""Stable issue codes: what each means, why Eloqua cares, and how to fix it.

Codes are kebab-case slugs and part of the public contract: reports, CI annotations and
``activity-schema explain`` all use them. Never rename one; add new ones instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CODE_INFO", "DOCS_URL", "CodeInfo", "IssueCode", "Severity", "code_url"]

#: Where the documentation site is published (built from ``docs/`` by mkdocs).
DOCS_URL = "https://activity-schema.github.io/activity-schema/"


class Severity(StrEnum):
    """How bad an issue is.

    ``error`` rejects the row (or the file, for file-level issues), ``warning`` keeps it,
    ``fixed`` keeps it with a changed value, ``info`` only informs.
    """

    ERROR = "error"
    WARNING = "warning"
    FIXED = "fixed"
    INFO = "info"


class IssueCode(StrEnum):
    """Every issue code the tool reports."""

    # Reading
    UNDECODABLE_BYTES = "undecodable-bytes"
    NUL_BYTES = "nul-bytes"
    RAGGED_ROW = "ragged-row"
    BLANK_ROWS = "blank-rows"
    NESTED_VALUE = "nested-value"
    DUPLICATE_KEY = "duplicate-key"
    JSON_ENVELOPE = "json-envelope"
    ENCODING_GUESSED = "encoding-guessed"
    ENCODING_AMBIGUOUS = "encoding-ambiguous"
    LITERAL_QUOTE = "literal-quote"
    PREAMBLE_SKIPPED = "preamble-skipped"
    HEADER_GUESSED = "header-guessed"
    SHEET_CHOSEN = "sheet-chosen"
    FORMULA_WITHOUT_VALUE = "formula-without-value"
    # Header mapping
    MISSING_COLUMN = "missing-column"
    UNKNOWN_COLUMN = "unknown-column"
    DUPLICATE_COLUMN = "duplicate-column"
    BLANK_HEADER = "blank-header"
    RENAMED_COLUMN = "renamed-column"
    # Values
    MISSING_VALUE = "missing-value"
    INVALID_EMAIL = "invalid-email"
    INVALID_DATE = "invalid-date"
    AMBIGUOUS_DATE = "ambiguous-date"
    DAY_FIRST_DATES = "day-first-dates"
    INVALID_INTEGER = "invalid-integer"
    TOO_LONG = "too-long"
    NOT_ALLOWED = "not-allowed"
    NULL_STRING = "null-string"
    DUPLICATE_ROW = "duplicate-row"
    # Fixes and content coercion
    NORMALIZED = "normalized"
    MISPLACED_EMAIL = "misplaced-email"
    SWAPPED_VALUES = "swapped-values"
    SWAPPED_COLUMNS = "swapped-columns"
    COLUMN_DECISION = "column-decision"
    MOJIBAKE = "mojibake"
    # Output
    RECORD_TOO_LARGE = "record-too-large"
    FORMULA_INJECTION = "formula-injection"
    # Custom rules declared by a user's pandera model
    SCHEMA_CHECK = "schema-check"


@dataclass(frozen=True)
class CodeInfo:
    """Documentation of one issue code, shown by ``activity-schema explain``."""

    summary: str
    why: str
    fix: str


CODE_INFO: dict[IssueCode, CodeInfo] = {
    IssueCode.UNDECODABLE_BYTES: CodeInfo(
        "Bytes that are not valid in the file's encoding.",
        "Eloqua expects UTF-8; a stray byte would be stored as a replacement character.",
        "Re-save the file as UTF-8, fix the byte at the reported offset, "
        "or pass --encoding if the whole file is in another encoding.",
    ),
    IssueCode.NUL_BYTES: CodeInfo(
        "NUL (0x00) bytes inside a text file; they were removed.",
        "NUL bytes truncate values in many systems and are never meaningful in a CSV.",
        "Check the exporting tool; the file may be UTF-16 without a BOM (pass --encoding).",
    ),
    IssueCode.RAGGED_ROW: CodeInfo(
        "A record has more or fewer cells than the header.",
        "Cells after a missing or extra delimiter land in the wrong field.",
        "Quote cells that contain the delimiter, or fix the row's cell count.",
    ),
    IssueCode.BLANK_ROWS: CodeInfo(
        "Blank lines between records were skipped (counted as dropped).",
        "Blank lines carry no data; Eloqua would report them as empty records (ELQ-00059).",
        "Nothing to do; remove the blank lines to silence this.",
    ),
    IssueCode.NESTED_VALUE: CodeInfo(
        "A JSON value is an object or array where a scalar is expected.",
        "Eloqua fields hold text; a nested value cannot be imported.",
        "Flatten the value into its own column before upload.",
    ),
    IssueCode.DUPLICATE_KEY: CodeInfo(
        "A JSON record holds the same key twice; the last value was read.",
        "Parsers disagree on which of the two values counts; the other one is lost.",
        "Keep one of the two keys in the source record.",
    ),
    IssueCode.JSON_ENVELOPE: CodeInfo(
        'The JSON file is an object whose "items" array holds the records (the shape '
        "of Eloqua's own exports); the records were read from it.",
        "The envelope's other keys (totalResults, hasMore...) are not records.",
        "Nothing to do.",
    ),
    IssueCode.ENCODING_GUESSED: CodeInfo(
        "The encoding was guessed by the detector with low confidence.",
        "A wrong legacy-encoding guess turns accented letters into other letters.",
        "Check a few accented values, or pass --encoding to be sure.",
    ),
    IssueCode.ENCODING_AMBIGUOUS: CodeInfo(
        "The encoding was guessed, and another encoding reads some values as other, "
        "equally plausible letters (the message names both readings).",
        "A wrong legacy-encoding guess uploads misspelt names (Győri as Gyõri) that "
        "nothing downstream can detect.",
        "Check the values quoted in the message and pass --encoding with the encoding "
        "whose reading is right.",
    ),
    IssueCode.LITERAL_QUOTE: CodeInfo(
        "A quote character in the middle of a cell was read as text, as Excel and "
        "Python's csv module read it (an inch mark, a space before or after a quoted cell).",
        "Such a quote breaks strict CSV readers, and when it was meant to quote the cell "
        "the row's cells may not be what the exporter wrote.",
        'Check the row\'s cells. Quote the cell and double its quotes ("Monitor 27"""), '
        "or pass --no-quote if the file has no quoting at all.",
    ),
    IssueCode.PREAMBLE_SKIPPED: CodeInfo(
        "Lines above the header were skipped: Excel's sep= line, # comments or a title row.",
        "Taking a title or comment line as the header would map no column at all, or the "
        "wrong ones.",
        "Check that the reported line is the header; remove the lines above it to silence this.",
    ),
    IssueCode.HEADER_GUESSED: CodeInfo(
        "The row taken as the header does not look like column names.",
        "A title, a summary or a data row read as the header maps no column, or the wrong "
        "ones; the real data may be on another sheet.",
        "Check the reported header; pass --sheet NAME to read another sheet, or delete "
        "the rows above the header.",
    ),
    IssueCode.SHEET_CHOSEN: CodeInfo(
        "A workbook has several sheets and one was read (the first, or the one named).",
        "Only one sheet is read; activities on the others are not uploaded.",
        "Pass --sheet NAME to read another sheet, or run once per sheet.",
    ),
    IssueCode.FORMULA_WITHOUT_VALUE: CodeInfo(
        "A formula cell has no saved result, so it reads as empty.",
        "Workbooks written by scripts (or saved without recalculation) keep the formula "
        "but no value; uploading would lose the value.",
        "Open the workbook in Excel or LibreOffice and save it again (this calculates "
        "the formulas), or export the sheet as CSV.",
    ),
    IssueCode.MISSING_COLUMN: CodeInfo(
        "A required field has no column in the input.",
        "Eloqua rejects rows without the fields an activity needs (ELQ-00061).",
        "Add the column, rename a column to the field name, or declare an alias.",
    ),
    IssueCode.UNKNOWN_COLUMN: CodeInfo(
        "A source column maps to no field of the schema; it is not uploaded.",
        "Keys that are not in the import definition are rejected by Eloqua.",
        "Rename it to a field name, declare an alias in the config, or ignore it.",
    ),
    IssueCode.DUPLICATE_COLUMN: CodeInfo(
        "Two source columns map to the same field.",
        "Only one value per field can be uploaded; picking one silently would lose data.",
        "Rename or drop one of the columns, or map it explicitly with an alias.",
    ),
    IssueCode.BLANK_HEADER: CodeInfo(
        "A column has no header.",
        "A column without a name cannot be mapped to a field.",
        "Give the column a header, or delete it if it is empty.",
    ),
    IssueCode.RENAMED_COLUMN: CodeInfo(
        "A source column was mapped to a field whose name is spelled differently.",
        "Eloqua matches keys exactly as the definition spells them.",
        "Nothing to do; the output uses the field's exact name.",
    ),
    IssueCode.MISSING_VALUE: CodeInfo(
        "A required field is empty.",
        "Eloqua rejects activity rows without their key fields (ELQ-00061, ELQ-00059).",
        "Fill the value or drop the row.",
    ),
    IssueCode.INVALID_EMAIL: CodeInfo(
        "The value is not a valid email address.",
        "Eloqua rejects rows with invalid addresses (ELQ-00002).",
        "Correct the address (no spaces, one @, a dotted domain, at most 100 characters).",
    ),
    IssueCode.INVALID_DATE: CodeInfo(
        "The value is not a date in any accepted format.",
        "Eloqua reads dates as YYYY-MM-DD HH:MM:SS or MM/DD/YYYY; others are rejected.",
        "Use YYYY-MM-DD HH:MM:SS (or ISO 8601 with an offset).",
    ),
    IssueCode.AMBIGUOUS_DATE: CodeInfo(
        "A date could be read month-first or day-first, and nothing in its column says which.",
        "Eloqua reads 01/02/2024 as January 2; a day-first export would be off by months.",
        "Use YYYY-MM-DD, or set date_order in the config to say which order the file uses.",
    ),
    IssueCode.DAY_FIRST_DATES: CodeInfo(
        "A date column was read day-first because some values can only be day-first.",
        "Eloqua does not accept day-first dates; they are rewritten as YYYY-MM-DD HH:MM:SS.",
        "Check a few values; set date_order if the guess is wrong.",
    ),
    IssueCode.INVALID_INTEGER: CodeInfo(
        "The value is not a whole number.",
        "Eloqua ids are integers of at most 19 digits; anything else is rejected.",
        "Remove letters, currency symbols and decimals from the id.",
    ),
    IssueCode.TOO_LONG: CodeInfo(
        "The value is longer than the field allows.",
        "Eloqua truncates or rejects values over the field's length (100 for text fields).",
        "Shorten the value, or raise max_length in the config if the field allows more.",
    ),
    IssueCode.NOT_ALLOWED: CodeInfo(
        "The value is not one of the field's allowed values.",
        "Activity and asset types must exist in the instance (ELQ-00070, ELQ-00072).",
        "Use one of the allowed values (matching is exact), or add it to the config.",
    ),
    IssueCode.NULL_STRING: CodeInfo(
        'The literal text "null" (or NULL, None, N/A) stands for an empty value.',
        'Eloqua stores the string "null" as a value, not as empty.',
        "Leave the cell empty instead; the tool empties it (fixed).",
    ),
    IssueCode.DUPLICATE_ROW: CodeInfo(
        "The same row appears more than once.",
        "Eloqua does not de-duplicate activities: each copy becomes an activity.",
        "Remove the copies, or run convert with --dedupe.",
    ),
    IssueCode.NORMALIZED: CodeInfo(
        "A value was normalized (whitespace, Unicode, case of an email domain, date format).",
        "Eloqua compares values exactly; invisible differences create duplicates or rejects.",
        "Nothing to do; pass --no-fix to see these as they are.",
    ),
    IssueCode.MISPLACED_EMAIL: CodeInfo(
        "An email address was found in a non-email field.",
        "A record without an email in the email field cannot be matched to a contact.",
        "Move the address to the email field (done automatically when that field is empty).",
    ),
    IssueCode.SWAPPED_VALUES: CodeInfo(
        "A name was in the email field and the email in a name field; they were swapped back.",
        "The contact key would be a name, and the name an address.",
        "Nothing to do; check the export's column order.",
    ),
    IssueCode.SWAPPED_COLUMNS: CodeInfo(
        "Most values of two columns look like they belong to the other column.",
        "Whole columns exported under each other's header corrupt every row.",
        "Fix the headers in the export; the tool swapped the columns.",
    ),
    IssueCode.COLUMN_DECISION: CodeInfo(
        "A column-level decision (date order, swapped columns) was taken on some rows of "
        "a streamed input and applied to the whole input.",
        "A streamed run reads a big file in batches; the day/month order of a date column "
        "and a whole-column swap are decided once, on a sample of rows spread over the "
        "whole input (or, if the sample cannot tell, on the first rows that can), so that "
        "every batch is read alike.",
        "Check the decision; set date_order in the config (or --date-order) to impose one.",
    ),
    IssueCode.MOJIBAKE: CodeInfo(
        "Text looks double-encoded (UTF-8 read as cp1252, e.g. CafÃ©).",
        "The garbled text would be stored in Eloqua as it is.",
        "Repaired when the round trip is exact; otherwise fix the text at its source.",
    ),
    IssueCode.RECORD_TOO_LARGE: CodeInfo(
        "One record is larger than the per-request byte limit.",
        "Eloqua refuses bodies over 32 MB (with a 404).",
        "Shorten the record's values.",
    ),
    IssueCode.FORMULA_INJECTION: CodeInfo(
        "A value starts with =, +, - or @ and would run as a formula in a spreadsheet.",
        "Rejects and CSV parts are opened in spreadsheets; a formula there can run code.",
        "Check the value; pass --escape-formulas to prefix such values with a quote.",
    ),
    IssueCode.SCHEMA_CHECK: CodeInfo(
        "A custom check declared in the user's schema model failed.",
        "Your own rule says this value would be wrong in Eloqua.",
        "See the check's name in the message, and fix the value.",
    ),
}


def code_url(code: str) -> str:
    """Return the address of the documentation page of the issue code ``code``.

    SARIF rules (``helpUri``) and the HTML report link here; the docs site has one page
    per code, generated from :data:`CODE_INFO`.

    >>> code_url("invalid-email")
    'https://activity-schema.github.io/activity-schema/codes/invalid-email/'
    """
    return f"{DOCS_URL}codes/{code}/"
