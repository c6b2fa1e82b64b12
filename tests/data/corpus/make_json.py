"""Write the JSON corpus: JSON and NDJSON activity exports in the shapes tools produce.

Each ``json/<name>`` is one input; ``<name>.truth.json`` beside it gives the table a
correct read yields (``header``: the keys in order of first appearance; ``records``: text
cells, null for a missing or empty value), and ``loud`` where a correct read must also
report something (a duplicate key, a lone surrogate escape), or ``refuse`` where the
file holds no records and must be refused with a message saying what it holds.

The truths are written by hand from the JSON text, not by running the reader.

Run ``python tests/data/corpus/make_json.py`` to rewrite the committed files; the output
is deterministic (a test checks that it reproduces the committed bytes).
"""

from __future__ import annotations

import codecs
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

OUT = Path(__file__).parent / "json"

HEADER = ["activityId", "email", "type", "AssetName"]


@dataclass(frozen=True)
class Case:
    """One corpus file and its truth."""

    name: str
    data: bytes
    note: str
    header: list[str] = field(default_factory=list)
    records: list[list[str | None]] = field(default_factory=list)
    loud: list[str] = field(default_factory=list)
    refuse: bool = False


def _row(n: int, asset: str | None = "Webinar") -> list[str | None]:
    return [str(n), f"p{n}@example.com", "Registered", asset]


def _obj(n: int, asset: str = "Webinar") -> str:
    return (
        f'{{"activityId": {n}, "email": "p{n}@example.com", "type": "Registered", '
        f'"AssetName": "{asset}"}}'
    )


def cases() -> list[Case]:
    """Return every corpus file's case, in a fixed order."""
    array = "[\n " + ",\n ".join(_obj(n) for n in (1, 2, 3)) + "\n]\n"
    return [
        Case(
            "array.json",
            array.encode(),
            "a plain array of objects; numbers keep their literal text",
            HEADER,
            [_row(1), _row(2), _row(3)],
        ),
        Case(
            "eloqua_items.json",
            (
                '{\n "items": [\n  '
                + ",\n  ".join(_obj(n) for n in (1, 2))
                + '\n ],\n "page": 1,\n "pageSize": 1000,\n "total": 2,\n "hasMore": false\n}\n'
            ).encode(),
            "Eloqua's own list shape {items: [...], page, total...}: the records are items",
            HEADER,
            [_row(1), _row(2)],
        ),
        Case(
            "duplicate_key.json",
            (
                '[\n {"activityId": 1, "email": "p1@example.com", "type": "Registered", '
                '"AssetName": "Webinar", "type": "Attended"},\n ' + _obj(2) + "\n]\n"
            ).encode(),
            "record 1 holds 'type' twice: the last value is read and the duplicate reported",
            HEADER,
            [["1", "p1@example.com", "Attended", "Webinar"], _row(2)],
            loud=["duplicate-key"],
        ),
        Case(
            "duplicate_key.ndjson",
            (
                '{"activityId": 1, "email": "p1@example.com", "type": "Registered", '
                '"AssetName": "Webinar", "AssetName": "Demo"}\n' + _obj(2) + "\n"
            ).encode(),
            "NDJSON line 1 holds 'AssetName' twice: the last value is read and reported",
            HEADER,
            [["1", "p1@example.com", "Registered", "Demo"], _row(2)],
            loud=["duplicate-key"],
        ),
        Case(
            "lone_surrogate.json",
            ("[\n " + _obj(1, "Demo \\ud800 day") + ",\n " + _obj(2) + "\n]\n").encode(),
            "a \\ud800 escape without its pair is no character: the row is rejected, "
            "the cell shows U+FFFD",
            HEADER,
            [_row(1, "Demo \ufffd day"), _row(2)],
            loud=["undecodable-bytes"],
        ),
        Case(
            "lone_surrogate.ndjson",
            (_obj(1) + "\n" + _obj(2, "\\udc00") + "\n").encode(),
            "a lone low surrogate escape on NDJSON line 2: that row is rejected",
            HEADER,
            [_row(1), _row(2, "\ufffd")],
            loud=["undecodable-bytes"],
        ),
        Case(
            "escapes.json",
            (
                "[\n "
                + _obj(1, 'Caf\\u00e9 \\ud83d\\ude00 \\"quoted\\" a\\/b')
                + ",\n "
                + _obj(2, "tab\\tnew\\nline")
                + "\n]\n"
            ).encode(),
            "escapes: \\u00e9, a surrogate pair, quotes, solidus, tab and newline",
            HEADER,
            [_row(1, 'Café 😀 "quoted" a/b'), _row(2, "tab\tnew\nline")],
        ),
        Case(
            "mixed_keys.json",
            (
                b'[\n {"email": "p1@example.com", "activityId": 1e3, "type": "Registered"},\n'
                b' {"type": "Attended", "email": "p2@example.com", "activityId": 2.50, '
                b'"AssetName": "", "Opted": true}\n]\n'
            ),
            "keys in different orders and sets; 1e3 and 2.50 stay as written; true is text",
            ["email", "activityId", "type", "AssetName", "Opted"],
            [
                ["p1@example.com", "1e3", "Registered", None, None],
                ["p2@example.com", "2.50", "Attended", None, "true"],
            ],
        ),
        Case(
            "crlf_bom.ndjson",
            codecs.BOM_UTF8 + (_obj(1) + "\r\n\r\n" + _obj(2) + "\r\n").encode(),
            "NDJSON with a UTF-8 BOM, CRLF line ends and a blank line",
            HEADER,
            [_row(1), _row(2)],
        ),
        Case(
            "utf16_bom.json",
            codecs.BOM_UTF16_LE + ("[" + _obj(1, "Zürich") + "]\n").encode("utf-16-le"),
            "a JSON array in UTF-16 LE with a BOM",
            HEADER,
            [_row(1, "Zürich")],
        ),
        Case(
            "empty_array.json",
            b"[]\n",
            "an empty array: refused as 'the JSON file is an empty array: no records'",
            refuse=True,
        ),
        Case(
            "empty_items.json",
            b'{"items": [], "total": 0}\n',
            "an Eloqua envelope with no items: refused, saying the items array is empty",
            refuse=True,
        ),
        Case("number.json", b"42\n", "a lone number: refused, saying so", refuse=True),
        Case("string.json", b'"x"\n', "a lone string: refused, saying so", refuse=True),
        Case("null.json", b"null\n", "a lone null: refused, saying so", refuse=True),
        Case(
            "object_without_items.json",
            b'{"email": "p1@example.com", "type": "Registered"}\n',
            "one object that is not an envelope: refused, saying it is an object",
            refuse=True,
        ),
        Case(
            "not_an_object.ndjson",
            (_obj(1) + "\n42\n").encode(),
            "NDJSON whose line 2 is a number: refused, naming the line",
            refuse=True,
        ),
    ]


def truth(case: Case) -> dict[str, object]:
    """Return the case's truth document."""
    doc: dict[str, object] = {"header": case.header, "records": case.records, "note": case.note}
    if case.loud:
        doc["loud"] = case.loud
    if case.refuse:
        doc["refuse"] = True
    return doc


def _json(doc: dict[str, object]) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def files() -> dict[str, bytes]:
    """Return ``{file name: bytes}`` for every committed corpus file."""
    out: dict[str, bytes] = {}
    for case in cases():
        out[case.name] = case.data
        out[f"{case.name}.truth.json"] = _json(truth(case))
    return out


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for name, data in files().items():
        (OUT / name).write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
