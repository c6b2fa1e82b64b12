"""Find, and on request defuse, values a spreadsheet would run as formulas.

CSV parts and ``rejects.csv`` end up opened in Excel or LibreOffice, which read a cell
that starts with ``=``, ``+``, ``-`` or ``@`` (and, per OWASP's CSV-injection guidance,
a tab or a carriage return) as a formula. A formula can call ``HYPERLINK`` or
``WEBSERVICE`` to send the sheet's data away, or start a program through DDE
(``=cmd|' /C calc'!A0``). Such values are reported as ``formula-injection`` warnings;
:func:`escape_formulas` prefixes them with a single quote, which spreadsheets read as
"this cell is text" (OWASP's recommended fix).

Decision: a value made only of a sign and the characters of numbers and phone numbers
(digits, spaces, ``( ) . , / - + %`` and a trailing exponent such as ``e5``) is **not**
reported: ``-5``, ``+1.5e3``, ``-12%`` and ``+1 (555) 010-0100`` hold no letter, so they
cannot name a function, a DDE program or a cell reference; at worst a spreadsheet shows
the sum they spell. Reporting them would bury the real cases under every negative amount
and international phone number of a marketing export. ``=`` and ``@`` always count, as do
a leading tab or carriage return.

Escaping changes the value that Eloqua stores (it keeps the quote), so it is opt-in
(``--escape-formulas``), and idempotent: an escaped value starts with a quote and is
never reported or escaped again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import polars as pl

from ..issues.codes import CODE_INFO, IssueCode, Severity
from ..issues.records import conform_issues, empty_issues
from ..readers.table import LINE, ROW

__all__ = ["FORMULA_PREFIXES", "escape_formulas", "formula_issues", "is_formula"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")
#: The prefix that makes a spreadsheet read a cell as text.
ESCAPE: Final = "'"

_STARTS = r"^[=+\-@\t\r]"
# A sign, then only what numbers and phone numbers are made of: nothing a formula could
# call. (Character classes, not \d: Rust's \d matches every script's digits.)
_INERT = r"^[+\-][0-9(][0-9 ().,/%+\-]*(?:[eE][+\-]?[0-9]+)?%?$"
_NAMES: Final = {"\t": "a tab", "\r": "a carriage return"}
#: Characters of a value shown in its issue.
_SHOWN: Final = 200


def is_formula(expr: pl.Expr) -> pl.Expr:
    """Return whether each text value would be read as a formula (null stays null).

    Example:
        >>> values = pl.Series(["=1+1", "-5", "+1 555 0100", "@SUM(A1)", "-x", "ok", None])
        >>> pl.select(is_formula(pl.lit(values))).to_series().to_list()
        [True, False, False, True, True, False, None]
    """
    return expr.str.contains(_STARTS) & ~expr.str.contains(_INERT)


def escape_formulas(expr: pl.Expr) -> pl.Expr:
    """Prefix each value that would be read as a formula with a single quote.

    Other values, nulls included, are unchanged; escaping twice changes nothing.

    Example:
        >>> values = pl.Series(["=HYPERLINK(\\"http://x\\")", "-5", "'=1", None])
        >>> pl.select(escape_formulas(pl.lit(values))).to_series().to_list()
        ['\\'=HYPERLINK("http://x")', '-5', "'=1", None]
    """
    return pl.when(is_formula(expr)).then(pl.concat_str(pl.lit(ESCAPE), expr)).otherwise(expr)


def formula_issues(
    frame: pl.DataFrame,
    fields: Sequence[str],
    *,
    file_column: str,
    row_column: str = ROW,
    line_column: str = LINE,
    sources: Mapping[str, str] | None = None,
    escaped: bool = False,
) -> pl.DataFrame:
    """Return a ``formula-injection`` issue for every value a spreadsheet would run.

    Args:
        frame: The rows, e.g. ``Prepared.clean`` or ``ConvertPlan.frame``: a file column,
            ``_row``, ``_line`` and the fields, as text.
        fields: The fields to look at (those written to the CSV); missing ones are skipped.
        file_column: The column holding each row's input name (``_file``).
        row_column: The column holding each row's record index.
        line_column: The column holding each row's physical line.
        sources: The source column of each field, as the input spells it, when known.
        escaped: Whether :func:`escape_formulas` was applied: the issues are then
            ``fixed`` ("prefixed with a quote") instead of ``warning``.

    Returns:
        An issue frame (:data:`~activity_schema.issues.records.ISSUE_SCHEMA`), in row order and
        field order within a row; empty when no value looks like a formula.

    Example:
        >>> rows = pl.DataFrame({"_file": ["f.csv"] * 2, "_row": [1, 2], "_line": [2, 3],
        ...                      "AssetName": ["=cmd|' /C calc'!A0", "-5"]})
        >>> issues = formula_issues(rows, ["AssetName"], file_column="_file")
        >>> issues.select("row", "field", "severity").rows()
        [(1, 'AssetName', 'warning')]
    """
    present = [f for f in fields if f in frame.columns]
    if not present or not frame.height:
        return empty_issues()
    long = (
        frame.select(
            pl.col(file_column).cast(pl.String).alias("file"),
            pl.col(row_column).cast(pl.Int64).alias("row"),
            pl.col(line_column).cast(pl.Int64).alias("line"),
            *(pl.col(f).cast(pl.String) for f in present),
        )
        .with_row_index("__order")
        .unpivot(index=["__order", "file", "row", "line"], variable_name="field")
        .filter(is_formula(pl.col("value")))
    )
    if not long.height:
        return empty_issues()
    rank = {f: i for i, f in enumerate(present)}
    first = pl.col("value").str.slice(0, 1)
    shown = pl.format("'{}'", first)
    for char, name in _NAMES.items():
        shown = pl.when(first == char).then(pl.lit(name)).otherwise(shown)
    info = CODE_INFO[IssueCode.FORMULA_INJECTION]
    return (
        long.with_columns(pl.col("field").replace_strict(rank, return_dtype=pl.Int64).alias("__f"))
        .sort("__order", "__f")
        .select(
            pl.lit(str(IssueCode.FORMULA_INJECTION), dtype=pl.String).alias("code"),
            pl.lit(str(Severity.FIXED if escaped else Severity.WARNING)).alias("severity"),
            "file",
            "row",
            "line",
            "field",
            pl.col("field").replace_strict(dict(sources or {}), default=None).alias("column"),
            pl.col("value").str.slice(0, _SHOWN).alias("value"),
            pl.format(
                "value starts with {} and a spreadsheet opening this CSV would run it as a formula",
                shown,
            ).alias("message"),
            pl.lit("prefixed with a single quote" if escaped else info.fix).alias("fix"),
        )
        .pipe(conform_issues)
    )
