"""Write the lint golden files of this folder (run: python tests/data/lint/generate.py).

The committed files are the contract; this script documents how their bytes were made,
and ``tests/test_lint.py`` checks that it still makes exactly those bytes. ``PLANTED``
lists, per record, the mistake planted in it; the tests hold the expected findings.

``webinar-messy-cp1252.csv`` is a realistic webinar export: Excel-style headers, CRLF,
one quoted multi-line cell (record 2 spans lines 3-4, so record ``n >= 3`` starts on line
``n + 2``), accented names that make it invalid UTF-8, and one planted mistake per
record. ``webinar-messy-utf16.csv`` is the same text as UTF-16 LE with a BOM (Excel's
"Unicode" CSV). ``webinar-rules.toml`` is the project configuration they are linted with.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

HERE = Path(__file__).parent

HEADER = (
    "Activity ID",
    "E-mail Address",
    "First Name",
    "Last Name",
    "Activity Type",
    "Asset Type",
    "Asset Name",
    "Campaign ID",
    "Activity Date",
    "Webinar Titel",  # a typo: unknown column, "did you mean 'AssetName'?"
)

#: 101 characters: over the 100-character text limit.
LONG_ASSET = (
    "Quarterly Product Roadmap Deep Dive for Enterprise Customers in the Europe, "
    "Middle East and Africa Region"
)
#: 107 characters: over the 100-character email limit.
LONG_EMAIL = "a" * 95 + "@example.com"
WHEN = "2024-10-13 14:05:00"


def _row(n: int, email: str, first: str, last: str, **kw: str) -> list[str]:
    return [
        kw.get("id", str(1000 + n)),
        email,
        first,
        last,
        kw.get("type", "Registered"),
        kw.get("asset_type", "Webinar"),
        kw.get("asset", "Q4 Launch"),
        kw.get("campaign", "5001"),
        kw.get("date", WHEN),
        kw.get("notes", ""),
    ]


#: record number -> (what is planted, the record's cells).
PLANTED: dict[int, tuple[str, list[str]]] = {
    1: ("clean", _row(1, "ann.lee@example.com", "Ann", "Lee")),
    2: (
        "clean: accents, a quoted two-line asset name",
        _row(2, "jose.muller@example.com", "José", "Müller", type="Attended",
             asset="Q4 Launch\nPart 2", date="2024-10-14 09:00:00", notes="VIP"),
    ),
    3: ("email in FirstName, email empty", _row(3, "", "carol@example.com", "Reyes")),
    4: ("email in FirstName, email filled", _row(4, "dan@example.com", "dan.work@example.com", "Brown")),
    5: ("name in email, email in FirstName", _row(5, "Erin", "erin@example.com", "Cole")),
    6: ("mojibake", _row(6, "frank@example.com", "Frank", "CafÃ©")),
    7: ("the string null", _row(7, "gwen@example.com", "Gwen", "null")),
    8: ("NBSP inside the email", _row(8, "hal\u00a0ford@example.com", "Hal", "Ford")),
    9: ("mailto: wrapper", _row(9, "mailto:ida@example.com", "Ida", "Moss")),
    10: ("Name <addr> wrapper", _row(10, "Jack Hill <jack.hill@example.com>", "Jack", "Hill")),
    11: ("uppercase domain", _row(11, "kim@EXAMPLE.ORG", "Kim", "Park")),
    12: ("1,000 campaign id", _row(12, "liam@example.com", "Liam", "Ng", campaign="1,000")),
    13: ("1013.0 activity id", _row(13, "mia@example.com", "Mia", "Roth", id="1013.0")),
    14: ("12abc campaign id", _row(14, "noah@example.com", "Noah", "Fox", campaign="12abc")),
    15: ("email without @", _row(15, "olivia.example.com", "Olivia", "Gray")),
    16: ("email without a dot in the domain", _row(16, "paul@example", "Paul", "Hart")),
    17: ("email with consecutive dots", _row(17, "quinn..lee@example.com", "Quinn", "Lee")),
    18: ("email with two @", _row(18, "rosa@@example.com", "Rosa", "Diaz")),
    19: ("email over 100 characters", _row(19, LONG_EMAIL, "Sam", "Wu")),
    20: ("invalid date", _row(20, "tina@example.com", "Tina", "Kerr", date="2024-13-45")),
    21: ("asset name over 100 characters", _row(21, "uma@example.com", "Uma", "Bell", asset=LONG_ASSET)),
    22: ("type not allowed", _row(22, "vic@example.com", "Vic", "Lane", type="Signed Up", asset_type="")),
    23: ("type not configured for Webinar", _row(23, "wes@example.com", "Wes", "Page", type="Visited")),
    24: ("asset type not configured", _row(24, "xena@example.com", "Xena", "Ross", asset_type="Podcast")),
    25: ("copy of record 1", _row(1, "ann.lee@example.com", "Ann", "Lee")),
    26: ("activity type empty", _row(26, "yara@example.com", "Yara", "Stein", type="")),
    27: (
        "Excel serial date",
        _row(27, "zane@example.com", "Zane", "Ortiz", type="Visited", asset_type="Trade Show",
             asset="Expo Booth", campaign="5002", date="45579.5"),
    ),
    28: ("month-first date with PM", _row(28, "abby@example.com", "Abby", "Nolan", date="10/13/2024 2:05 PM")),
    29: ("ISO date with Z", _row(29, "ben@example.com", "Ben", "Ortega", date="2024-10-13T18:05:00Z")),
    30: (
        "ambiguous date in a month-first column",
        _row(30, "cleo@example.com", "Cléo", "Dupré", type="Attended", date="03/04/2024"),
    ),
    31: (
        "clean",
        _row(31, "dora@example.com", "Dora", "Åberg", type="Visited", asset_type="Trade Show",
             asset="Expo Booth", campaign="5002", date="2024-10-15 10:30:00", notes="met at booth"),
    ),
}

RULES = """\
# Project rules the messy webinar export is linted with.
[fields.type]
allowed = ["Registered", "Attended", "Visited"]

[activity_types]
Webinar = ["Registered", "Attended"]
"Trade Show" = ["Visited"]
"""


def messy_text() -> str:
    """Return the messy export as text (CRLF, minimal quoting)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(cells for _, cells in PLANTED.values())
    return buffer.getvalue()


def golden() -> dict[str, bytes]:
    """Return ``{file name: bytes}`` of every golden file."""
    text = messy_text()
    return {
        "webinar-messy-cp1252.csv": text.encode("cp1252"),
        "webinar-messy-utf16.csv": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        "webinar-rules.toml": RULES.encode("utf-8"),
    }


if __name__ == "__main__":
    for name, data in golden().items():
        (HERE / name).write_bytes(data)
