"""Write the quotes and headers corpus: delimited files whose quotes or first lines are odd.

``quotes/`` holds files whose quote characters are not RFC 4180's: apostrophes that a
sniffer could take for quotes (``'Tis Q4 Webinar`` ... ``Partners'``), inch marks at the
end of unquoted cells, a space before an opening or after a closing quote, a TSV with
literal quotes, a big cell beside a stray quote, and the RFC cases they must not break
(quoted line breaks, doubled quotes, real ``'`` quoting). ``headers/`` holds files whose
header is not the first line (Excel's ``sep=;``, ``#`` comments, a title row) or that end
with a DOS end-of-file byte (0x1A).

Beside each ``<name>.<ext>``, ``<name>.<ext>.truth.json`` gives the table a correct read
yields (``header``, ``records``: text cells, null for empty), ``note`` (what it shows),
and ``dialect``: the delimiter and quote character it was written with, and ``skip``, the
records above the header, for ``tests/test_csv_differential.py``, which compares the read
with Python's ``csv`` module. "Correct" is the csv module's reading (Excel's too): a quote
means something only at the start of a cell. Where an exact read is impossible by design,
``loud`` lists the codes of which one must be reported at warning or error level, and
``refuse`` says the file must be refused.

Run ``python tests/data/corpus/make_quotes.py`` to rewrite the committed files; the output
is deterministic (a test checks that it reproduces the committed bytes).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent

Cell = str | None


@dataclass(frozen=True)
class Case:
    """One corpus file: its bytes and the table a correct read yields."""

    area: str
    name: str
    data: bytes
    header: list[str]
    records: list[list[Cell]]
    note: str
    delimiter: str = ","
    quotechar: str = '"'
    skip: int = 0
    loud: list[str] = field(default_factory=list)
    refuse: bool = False
    read_options: dict[str, object] = field(default_factory=dict)


def _lines(*lines: str, end: str = "\n") -> bytes:
    return "".join(line + end for line in lines).encode("utf-8")


#: A cell past the csv module's default field limit (128 KiB), under the documented 1 MiB.
_BIG = "x" * 140_000


def quote_cases() -> list[Case]:
    """Return the ``quotes/`` cases."""
    header = ["EmailAddress", "ActivityType", "AssetName", "ActivityDate"]
    return [
        Case(
            "quotes",
            "apostrophe_asset.csv",
            _lines(
                "activityId,EmailAddress,ActivityType,AssetName,ActivityDate",
                "1001,ana@example.com,Registered,'Tis Q4 Webinar,2024-10-01 10:00:00",
                "1002,li@example.com,Attended,Summit for Partners',2024-10-02 11:00:00",
                "1003,jo@example.com,Registered,Q4 Product Tour,2024-10-03 12:00:00",
            ),
            ["activityId", *header],
            [
                ["1001", "ana@example.com", "Registered", "'Tis Q4 Webinar", "2024-10-01 10:00:00"],
                [
                    "1002",
                    "li@example.com",
                    "Attended",
                    "Summit for Partners'",
                    "2024-10-02 11:00:00",
                ],
                ["1003", "jo@example.com", "Registered", "Q4 Product Tour", "2024-10-03 12:00:00"],
            ],
            "an apostrophe starts one cell and ends a later one: not a quote character "
            "(read as one, two records merge and an activity vanishes)",
        ),
        Case(
            "quotes",
            "apostrophe_names.csv",
            _lines(
                "EmailAddress,FirstName,LastName,ActivityType",
                "gerard@example.com,Gerard,'t Hooft,Registered",
                "mary@example.com,Mary,O'Brien,Attended",
                "sam@example.com,Sam,Reynolds',Registered",
                "zoe@example.com,Zoë,D'Arcy,Attended",
            ),
            ["EmailAddress", "FirstName", "LastName", "ActivityType"],
            [
                ["gerard@example.com", "Gerard", "'t Hooft", "Registered"],
                ["mary@example.com", "Mary", "O'Brien", "Attended"],
                ["sam@example.com", "Sam", "Reynolds'", "Registered"],
                ["zoe@example.com", "Zoë", "D'Arcy", "Attended"],
            ],
            "Dutch and Irish names with apostrophes at a cell's start, middle and end",
        ),
        Case(
            "quotes",
            "single_quoted.csv",
            _lines(
                "EmailAddress,ActivityType,AssetName",
                "'ana@example.com','Registered','Spring Summit, Paris'",
                "'li@example.com','Attended','Q4 Product Tour'",
            ),
            ["EmailAddress", "ActivityType", "AssetName"],
            [
                ["ana@example.com", "Registered", "Spring Summit, Paris"],
                ["li@example.com", "Attended", "Q4 Product Tour"],
            ],
            "real ' quoting: a quoted cell holds the delimiter",
            quotechar="'",
        ),
        Case(
            "quotes",
            "inch_marks.csv",
            _lines(
                "EmailAddress,ActivityType,AssetName",
                'ana@example.com,Visited Booth,Monitor 27"',
                'li@example.com,Visited Booth,5" screen demo',
                'jo@example.com,Visited Booth,"Monitor 24"", curved"',
                "sam@example.com,Registered,Q4 Product Tour",
            ),
            ["EmailAddress", "ActivityType", "AssetName"],
            [
                ["ana@example.com", "Visited Booth", 'Monitor 27"'],
                ["li@example.com", "Visited Booth", '5" screen demo'],
                ["jo@example.com", "Visited Booth", 'Monitor 24", curved'],
                ["sam@example.com", "Registered", "Q4 Product Tour"],
            ],
            "inch marks at the end and in the middle of unquoted cells (literal-quote "
            "warnings), beside an RFC 4180 quoted cell with a doubled quote",
        ),
        Case(
            "quotes",
            "space_before_quote.csv",
            _lines(
                "EmailAddress,ActivityType,AssetName",
                'ana@example.com, "Registered",Q4 Product Tour',
                'li@example.com,Attended, "Q4 Product Tour"',
                "jo@example.com,Registered,Booth Scans",
            ),
            ["EmailAddress", "ActivityType", "AssetName"],
            [
                ["ana@example.com", ' "Registered"', "Q4 Product Tour"],
                ["li@example.com", "Attended", ' "Q4 Product Tour"'],
                ["jo@example.com", "Registered", "Booth Scans"],
            ],
            "a space before an opening quote: the quote is text, as Excel and the csv "
            "module read it (literal-quote warnings name the lines)",
        ),
        Case(
            "quotes",
            "space_before_quoted_delimiter.csv",
            _lines(
                "EmailAddress,ActivityType,AssetName",
                'ana@example.com,Registered, "Spring Summit, Paris"',
                "li@example.com,Attended,Q4 Product Tour",
            ),
            ["EmailAddress", "ActivityType", "AssetName"],
            [
                ["ana@example.com", "Registered", "Spring Summit, Paris"],
                ["li@example.com", "Attended", "Q4 Product Tour"],
            ],
            "a space before a quoted cell that holds the delimiter: really ambiguous (the "
            "csv module reads 4 cells), the row is rejected as ragged; the other is read",
            loud=["ragged-row"],
        ),
        Case(
            "quotes",
            "space_after_quote.csv",
            _lines(
                "EmailAddress,ActivityType,AssetName",
                'ana@example.com,"Registered" ,Q4 Product Tour',
                'li@example.com,"Attended","Spring Summit, Paris" ',
                "jo@example.com,Registered,Booth Scans",
            ),
            ["EmailAddress", "ActivityType", "AssetName"],
            [
                ["ana@example.com", "Registered ", "Q4 Product Tour"],
                ["li@example.com", "Attended", "Spring Summit, Paris "],
                ["jo@example.com", "Registered", "Booth Scans"],
            ],
            "a space after a closing quote: the cell goes on as text; no row is ragged",
        ),
        Case(
            "quotes",
            "tsv_literal_quotes.tsv",
            _lines(
                "EmailAddress\tActivityType\tAssetName",
                'ana@example.com\tVisited Booth\tMonitor 27"',
                'li@example.com\tRegistered\tThe "Growth" webinar',
                "jo@example.com\tAttended\tQ4, Paris",
            ),
            ["EmailAddress", "ActivityType", "AssetName"],
            [
                ["ana@example.com", "Visited Booth", 'Monitor 27"'],
                ["li@example.com", "Registered", 'The "Growth" webinar'],
                ["jo@example.com", "Attended", "Q4, Paris"],
            ],
            "a TSV that never quotes, with quotes inside cells",
            delimiter="\t",
        ),
        Case(
            "quotes",
            "tsv_quote_at_cell_start.tsv",
            _lines(
                "EmailAddress\tActivityType\tAssetName",
                'ana@example.com\tRegistered\t"Growth" webinar',
                "li@example.com\tAttended\tQ4 Product Tour",
            ),
            ["EmailAddress", "ActivityType", "AssetName"],
            [
                ["ana@example.com", "Registered", '"Growth" webinar'],
                ["li@example.com", "Attended", "Q4 Product Tour"],
            ],
            "a TSV that never quotes, with a quote at a cell's start: read as a quoted "
            "span (Growth webinar) with a literal-quote warning; --no-quote reads it "
            "exactly (tsv_quote_at_cell_start_no_quote.tsv)",
            delimiter="\t",
            loud=["literal-quote"],
        ),
        Case(
            "quotes",
            "tsv_quote_at_cell_start_no_quote.tsv",
            _lines(
                "EmailAddress\tActivityType\tAssetName",
                'ana@example.com\tRegistered\t"Growth" webinar',
                "li@example.com\tAttended\tQ4 Product Tour",
            ),
            ["EmailAddress", "ActivityType", "AssetName"],
            [
                ["ana@example.com", "Registered", '"Growth" webinar'],
                ["li@example.com", "Attended", "Q4 Product Tour"],
            ],
            "the same bytes read with --no-quote: exact",
            delimiter="\t",
            quotechar="",
            read_options={"no_quote": True},
        ),
        Case(
            "quotes",
            "quoted_line_breaks.csv",
            _lines(
                "EmailAddress,ActivityType,Notes",
                'ana@example.com,Registered,"first line',
                'second line, with a comma"',
                'li@example.com,Attended,"said ""hi""',
                "",
                'after a blank line"',
                "jo@example.com,Registered,plain",
                end="\r\n",
            ),
            ["EmailAddress", "ActivityType", "Notes"],
            [
                ["ana@example.com", "Registered", "first line\nsecond line, with a comma"],
                ["li@example.com", "Attended", 'said "hi"\n\nafter a blank line'],
                ["jo@example.com", "Registered", "plain"],
            ],
            "CRLF file with quoted line breaks (kept as LF), a quoted blank line and doubled "
            "quotes",
        ),
        Case(
            "quotes",
            "doubled_quotes.csv",
            _lines(
                "EmailAddress,ActivityType,AssetName",
                'ana@example.com,Registered,"The ""Growth"" webinar"',
                'li@example.com,Attended,""""',
                'jo@example.com,Registered,""',
                'sam@example.com,Attended,"a "","" b"',
            ),
            ["EmailAddress", "ActivityType", "AssetName"],
            [
                ["ana@example.com", "Registered", 'The "Growth" webinar'],
                ["li@example.com", "Attended", '"'],
                ["jo@example.com", "Registered", None],
                ["sam@example.com", "Attended", 'a "," b'],
            ],
            "RFC 4180 doubled quotes: inside text, a cell of one quote, an empty quoted cell",
        ),
        Case(
            "quotes",
            "big_cell_stray_quote.csv",
            _lines(
                "EmailAddress,ActivityType,Notes",
                f'ana@example.com,Registered,27" {_BIG}',
                "li@example.com,Attended,short",
            ),
            ["EmailAddress", "ActivityType", "Notes"],
            [
                ["ana@example.com", "Registered", f'27" {_BIG}'],
                ["li@example.com", "Attended", "short"],
            ],
            "a cell of 140,004 bytes (over the csv module's default 128 KiB, under the "
            "documented 1 MiB) beside a literal quote",
        ),
        Case(
            "quotes",
            "unclosed_quote.csv",
            _lines(
                "EmailAddress,ActivityType,AssetName",
                'ana@example.com,Registered,"Spring Summit',
                "li@example.com,Attended,Q4 Product Tour",
                "jo@example.com,Registered,Booth Scans",
            ),
            ["EmailAddress", "ActivityType", "AssetName"],
            [],
            "a quote at a cell's start that never closes would swallow every later line: "
            "refused, naming line 2",
            refuse=True,
        ),
    ]


def header_cases() -> list[Case]:
    """Return the ``headers/`` cases."""
    header = ["EmailAddress", "ActivityType", "AssetName"]
    rows: list[list[Cell]] = [
        ["ana@example.com", "Registered", "Q4 Product Tour"],
        ["li@example.com", "Attended", "Spring Summit, Paris"],
    ]
    body = (
        "EmailAddress,ActivityType,AssetName",
        "ana@example.com,Registered,Q4 Product Tour",
        'li@example.com,Attended,"Spring Summit, Paris"',
    )
    semicolon = tuple(line.replace(",", ";", 2) for line in body)
    return [
        Case(
            "headers",
            "excel_sep_line.csv",
            _lines(
                "sep=;",
                "EmailAddress;ActivityType;AssetName",
                "ana@example.com;Registered;Q4 Product Tour",
                "li@example.com;Attended;Spring Summit, Paris",
                end="\r\n",
            ),
            header,
            rows,
            "Excel's sep=; first line names the delimiter; the header is line 2",
            delimiter=";",
            skip=1,
        ),
        Case(
            "headers",
            "excel_sep_line_comma.csv",
            _lines("sep=,", *body),
            header,
            rows,
            "sep=, above a comma file",
            skip=1,
        ),
        Case(
            "headers",
            "comment_lines.csv",
            _lines("# Exported by Webinar Tool 4.2", "# 2024-10-03 12:00 UTC", *body),
            header,
            rows,
            "# comment lines above the header (preamble-skipped warning names line 3)",
            skip=2,
        ),
        Case(
            "headers",
            "title_row.csv",
            _lines("Q4 Webinar Report,,", *body),
            header,
            rows,
            "a title row exported with the table's width above the header",
            skip=1,
        ),
        Case(
            "headers",
            "title_and_blank_line.tsv",
            _lines(
                "Booth scans: Spring Summit",
                "",
                *(line.replace(",", "\t", 2).replace('"', "") for line in body),
            ),
            header,
            rows,
            "a one-cell title and a blank line above a TSV header",
            delimiter="\t",
            skip=1,
        ),
        Case(
            "headers",
            "sep_line_and_title.csv",
            _lines("sep=;", "Attendees;;", *semicolon),
            header,
            rows,
            "sep=; then a title row",
            delimiter=";",
            skip=2,
        ),
        Case(
            "headers",
            "dos_eof.csv",
            _lines(*body, end="\r\n") + b"\x1a",
            header,
            rows,
            "a DOS end-of-file byte (0x1A) after the last line: dropped, with a note",
        ),
        Case(
            "headers",
            "dos_eof_no_newline.csv",
            _lines(*body)[:-1] + b"\x1a",
            header,
            rows,
            "0x1A right after the last cell, without a line break",
        ),
    ]


def cases() -> list[Case]:
    """Return every case of both areas."""
    return quote_cases() + header_cases()


def truth(case: Case) -> dict[str, object]:
    """Return the case's truth document."""
    doc: dict[str, object] = {
        "header": case.header,
        "records": case.records,
        "note": case.note,
        "dialect": {"delimiter": case.delimiter, "quotechar": case.quotechar, "skip": case.skip},
    }
    if case.loud:
        doc["loud"] = case.loud
    if case.refuse:
        doc["refuse"] = True
    if case.read_options:
        doc["read_options"] = case.read_options
    return doc


def _json(doc: dict[str, object]) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def files() -> dict[str, bytes]:
    """Return ``{area/file name: bytes}`` for every committed corpus file."""
    out: dict[str, bytes] = {}
    for case in cases():
        out[f"{case.area}/{case.name}"] = case.data
        out[f"{case.area}/{case.name}.truth.json"] = _json(truth(case))
    return out


def main() -> int:
    for name, data in files().items():
        path = HERE / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
