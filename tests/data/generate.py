"""Write the golden input files of this folder (run: python tests/data/generate.py).

The committed files are the contract; this script only documents how their bytes were
made, and ``tests/test_readers.py`` checks that it still makes exactly those bytes.
Each file is small on purpose. See README.md for what each one must read as.
"""

from __future__ import annotations

import codecs
from pathlib import Path

HERE = Path(__file__).parent


def _lines(*rows: str, newline: str = "\n") -> str:
    return "".join(row + newline for row in rows)


GOLDEN: dict[str, bytes] = {
    # --- encodings ----------------------------------------------------------------------
    "utf8.csv": _lines(
        "email,FirstName,LastName,type,activityId,Zip,Score",
        "rene.muller@example.com,René,Müller,Registered,1001,00123,1e5",
        "zoe.angstrom@example.com,Zoë,Ångström,Attended,1002,02134,2.50",
        "li.wei@example.com,伟,李,Registered 😀,1003,,-0",
    ).encode("utf-8"),
    "utf8_bom.csv": codecs.BOM_UTF8
    + _lines(
        "email,FirstName,type",
        "anais@example.fr,Anaïs,Registered",
        "jurgen@example.de,Jürgen,Attended",
    ).encode("utf-8"),
    # Excel's "Unicode Text": UTF-16 LE with a BOM, tab-delimited, CRLF.
    "utf16le_bom.tsv": codecs.BOM_UTF16_LE
    + _lines(
        "email\tFirst Name\tActivity Type",
        "chloe@example.fr\tChloé\tRegistered",
        "bjorn@example.se\tBjörn\tAttended",
        newline="\r\n",
    ).encode("utf-16-le"),
    "utf16be_bom.csv": codecs.BOM_UTF16_BE
    + _lines(
        "email,FirstName,type",
        "asa@example.se,Åsa,Registered",
        "oyvind@example.no,Øyvind,Attended",
    ).encode("utf-16-be"),
    "utf16le_nobom.csv": _lines(
        "email,FirstName,type",
        "manana@example.es,Mañana,Registered",
        "senor@example.es,Señor,Attended",
    ).encode("utf-16-le"),
    "utf32_bom.csv": codecs.BOM_UTF32_LE
    + _lines(
        "email,FirstName,type",
        "lukasz@example.pl,Łukasz,Registered",
        "ines@example.pt,Inês,Attended",
    ).encode("utf-32-le"),
    "cp1252.csv": _lines(
        "email,FirstName,LastName,Company,Note",
        "francois@example.fr,François,Lefèvre,Café Crème,“Très bien” – 10 €",
        "zoe@example.com,Zoë,Müller,Señor Niño S.A.,it’s 5 € off",
        "anais@example.fr,Anaïs,Dupré,Société Générale,naïve ‘quote’",
    ).encode("cp1252"),
    "cp1250.csv": _lines(
        "email;FirstName;LastName;City",
        "lukasz@example.pl;Łukasz;Wałęsa;Łódź",
        "zofie@example.cz;Žofie;Šťastná;Plzeň",
        "malgorzata@example.pl;Małgorzata;Kowalczyk;Gdańsk",
    ).encode("cp1250"),
    "cp1251.csv": _lines(
        "email;FirstName;LastName;City",
        "ivan@example.ru;Иван;Петров;Москва",
        "olga@example.ru;Ольга;Смирнова;Санкт-Петербург",
        "dmitry@example.ru;Дмитрий;Соколов;Новосибирск",
    ).encode("cp1251"),
    "shift_jis.csv": _lines(
        "email,FirstName,LastName,Company",
        "taro@example.jp,太郎,山田,株式会社サンプル",
        "hanako@example.jp,花子,鈴木,東京商事",
        "jiro@example.jp,次郎,佐藤,大阪物産",
    ).encode("shift_jis"),
    # UTF-8 with two stray Latin-1 bytes (0xEB on line 3, 0xF6 on line 5).
    "utf8_invalid_bytes.csv": _lines(
        "email,FirstName,LastName,type",
        "rene@example.com,René,Müller,Registered",
        "zoe@example.com,Zo\udceb,Ångström,Attended",
        "chloe@example.com,Chloé,Dupré,Registered",
        "bjorn@example.se,Bj\udcf6rn,Öberg,Attended",
    ).encode("utf-8", errors="surrogateescape"),
    # --- dialects -----------------------------------------------------------------------
    "semicolon.csv": _lines(
        "email;type;Amount",
        "a@example.com;Registered;1,50",
        "b@example.com;Attended;2,75",
    ).encode("utf-8"),
    "tab.tsv": _lines(
        "email\ttype\tNote",
        "a@example.com\tRegistered\tcomma, inside",
        "b@example.com\tAttended\tsemi; colon",
    ).encode("utf-8"),
    "pipe.csv": _lines(
        "email|type|Note",
        "a@example.com|Registered|x, y; z",
        "b@example.com|Attended|plain",
    ).encode("utf-8"),
    "single_quote.csv": _lines(
        "email,type,Note",
        "'a@example.com','Registered','Hello, world'",
        "'b@example.com','Attended','plain'",
    ).encode("utf-8"),
    "quoted_newlines.csv": _lines(
        "email,type,Note",
        'a@example.com,Registered,"first line',
        'second line"',
        "b@example.com,Attended,plain",
        'c@example.com,Registered,"x',
        "y",
        'z"',
        'd@example.com,Attended,"he said ""hi"""',
    ).encode("utf-8"),
    "crlf.csv": _lines(
        "email,type,Note",
        'a@example.com,Registered,"one\r\ntwo"',
        "b@example.com,Attended,three",
        newline="\r\n",
    ).encode("utf-8"),
    "cr_only.csv": _lines(
        "email,type",
        "a@example.com,Registered",
        "b@example.com,Attended",
        newline="\r",
    ).encode("utf-8"),
    # --- JSON -----------------------------------------------------------------------------
    # The request body of the Eloqua reference page, as printed there (heterogeneous keys).
    "eloqua_example.json": _lines(
        "[",
        "{",
        '"activityId": "1000",',
        '"email": "sean.butler@example.com",',
        '"type": "Registered"',
        "},",
        "{",
        '"activityId": "1000",',
        '"FirstName": "nikita.robertson@example.com",',
        '"type": "Registered"',
        "}",
        "]",
    ).encode("utf-8"),
    "literals.json": _lines(
        "[",
        '  {"email": "a@example.com", "Score": 1e5, "Zip": "00123",'
        ' "Big": 12345678901234567890, "Ratio": 2.50, "Flag": false, "Empty": "",'
        ' "Missing": null}',
        "]",
    ).encode("utf-8"),
    "records.ndjson": _lines(
        '{"activityId": 1001, "email": "a@example.com", "type": "Registered", "Score": 1e5}',
        '{"activityId": "00123", "email": "b@example.com", "type": "Attended", "FirstName": "Zoë"}',
        "",
        '{"activityId": 1003, "email": "c@example.com", "type": "Registered", "Opted": true}',
    ).encode("utf-8"),
}


def main() -> None:
    """Write every golden file next to this script."""
    for name, data in GOLDEN.items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
