"""Write the mojibake corpus: UTF-8 exports whose cells hold text garbled by a misreading.

Mojibake is UTF-8 text that some tool decoded as cp1252 or Latin-1 and saved again as
UTF-8. Each ``mojibake/<name>.csv`` below holds one class of it in its ``AssetName``
cells (the other columns are clean), written as UTF-8; ``<name>.csv.truth.json`` beside
it gives the table the reader yields (``records``: the garbled cells as they are in the
file) and what cleaning must make of them:

- ``meant``: ``{"AssetName": [...]}``, the cleaned values, one per record.
- ``loud``: where an exact repair is impossible (bytes were lost), the codes that must be
  reported at warning level or above; ``meant`` then holds the values unchanged, since a
  partial repair is a silent corruption.

The misreadings are those real tools make: Windows' cp1252 decoder maps the five bytes
cp1252 leaves undefined (81 8D 8F 90 9D) to the C1 controls of the same number (Excel,
.NET, ``MultiByteToWideChar``); Python's ``errors="replace"`` makes them U+FFFD and
``errors="ignore"`` drops them; Latin-1 maps every byte to the code point of its number.
``negatives.csv`` holds correct text that looks a little like mojibake: cleaning must
leave it alone and report nothing.

Run ``python tests/data/corpus/make_mojibake.py`` to rewrite the committed files; the
output is deterministic (a test checks that it reproduces the committed bytes).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).parent / "mojibake"

HEADER = ["activityId", "EmailAddress", "FirstName", "LastName", "AssetName", "ActivityType"]

#: Bytes cp1252 leaves undefined.
_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def windows_1252(data: bytes) -> str:
    """Decode as Windows does: an undefined byte becomes the C1 control of its number."""
    return "".join(chr(b) if b in _UNDEFINED else bytes([b]).decode("cp1252") for b in data)


def cp1252_replace(data: bytes) -> str:
    """Decode as Python's ``errors="replace"``: an undefined byte becomes U+FFFD."""
    return data.decode("cp1252", errors="replace")


def cp1252_ignore(data: bytes) -> str:
    """Decode as Python's ``errors="ignore"``: an undefined byte is dropped."""
    return data.decode("cp1252", errors="ignore")


def latin1(data: bytes) -> str:
    """Decode as Latin-1: every byte is the code point of its number."""
    return data.decode("latin-1")


def garble(text: str, decode: Callable[[bytes], str], times: int = 1) -> str:
    """Return ``text`` encoded as UTF-8 and misread with ``decode``, ``times`` times."""
    for _ in range(times):
        text = decode(text.encode("utf-8"))
    return text


#: What each text meant. Languages and symbols whose UTF-8 bytes cover every lead byte
#: class (2, 3 and 4 bytes) and every cp1252 oddity (undefined bytes, C1 look-alikes).
MEANT: list[str] = [
    "Straße der Einheit",
    "Grüße aus München",
    "Café de la Gare",
    "Ångström Lab – Q4",
    "naïve résumé review",
    "São Paulo Summit",
    "Zürich Forum",
    "Kraków Meetup",
    "Dvořák Hall",
    "Şükrü Öztürk Day",
    "İstanbul Expo",
    "Győri Keksz",
    "Þórshöfn Fair",
    "Œuvre complète",
    "Ñandú Partners",
    "“Quoted” title",
    "don’t miss it…",
    "Price: €100 – £80",
    "Brand™ launch ©2024",
    "Temp 21 °C ± ½",
    "Москва: вебинар",
    "Ελλάδα 2024",
    "東京セミナー",
    "서울 컨퍼런스",
    "Party 😀🎉",
    "Math 𝔘𝔫𝔦 ∑ x²",
    "ไทย Webinar",
    "हिन्दी सत्र",
    "à la carte",
]

#: Names whose only garbled letter is the first: ftfy alone finds ``Ã…berg`` plausible.
INITIALS: list[str] = ["Åberg", "Åsa Lind", "Œuvre", "Škoda Days", "Şahin", "Ōsaka", "Ìrma"]

#: Texts whose UTF-8 holds a byte cp1252 leaves undefined (81 8D 8F 90 9D): the three
#: decoders above differ on exactly these.
UNDEFINED_BYTES: list[str] = [
    "Łódź Forum",  # Ł = C5 81
    "Tōkyō Office",  # ō = C5 8D
    "שלום עולם",  # ם = D7 9D
    "русский язык",  # с = D1 81
    "Ő and ő: Győr",  # Ő = C5 90
    "“Quoted” right",  # ” = E2 80 9D
    "Ŝanĝo",  # Ŝ = C5 9C, ŝ = C5 9D
    "Café Ł",
]

#: Values where part of the text is mojibake and part is correct: a cell edited in two
#: systems, or two fields joined after one of them was misread.
MIXED: list[tuple[str, str]] = [
    ("Café über alles", "Café " + garble("über alles", windows_1252)),
    ("Zoë and Zoë", garble("Zoë", windows_1252) + " and Zoë"),
    ("Résumé – Grüße", "Résumé – " + garble("Grüße", windows_1252)),
    ("naïve Straße", "naïve " + garble("Straße", latin1)),
]

#: Correct text that a loose pattern would call mojibake: it must stay as it is.
NEGATIVES: list[str] = [
    "façade",
    "naïve",
    "Ångström",
    "£5 voucher",
    "21°C",
    "São Paulo",
    "SÃO PAULO",
    "CHLOË’S PARTY",
    "„GROß“",
    "“CAFÉ”",
    "CAFÉ’s menu",
    "«ÉTÉ»",
    "Øre",
    "Ñandú",
    "Ça va?",
    "ÀÁÂÃ",
    "×2 speed",
    "½ price",
    "Tom’s",
    "Zoë",
    "Mañana",
    "東京",
    "😀",
    "√2 ≈ 1.414",
    "∑ x²",
    "İstanbul",
    "Şükrü",
    "Łódź",
    "Dvořák",
    "Москва",
    "Ελλάδα",
    "€100",
    "“quoted”",
    "pâté",
    "ÂME",
    "Café…",
    "Ü–Ö",
    "NOËL®",
    "Ãé",
    "NÃO…",
    "“MAÇÔ",
    "SKÅ’s",
    "Ä–Öl",
]


@dataclass(frozen=True)
class Case:
    """One corpus file: garbled cells, what they meant, and whether repair is possible."""

    name: str
    note: str
    cells: list[str]
    meant: list[str]
    loud: bool = False


def cases() -> list[Case]:
    """Return every corpus file's case, in a fixed order."""
    defined = [t for t in MEANT if garble(t, cp1252_replace) == garble(t, windows_1252)]
    return [
        Case(
            "cp1252_double",
            "UTF-8 read as cp1252 and saved as UTF-8: every cell repairs exactly",
            [garble(t, windows_1252) for t in MEANT],
            MEANT,
        ),
        Case(
            "initials",
            "names whose first letter alone is garbled (UTF-8 read as cp1252): exact repair",
            [garble(t, windows_1252) for t in INITIALS],
            INITIALS,
        ),
        Case(
            "cp1252_undefined_bytes",
            "UTF-8 read as cp1252 the Windows way (undefined bytes become C1 controls): "
            "exact repair",
            [garble(t, windows_1252) for t in UNDEFINED_BYTES],
            UNDEFINED_BYTES,
        ),
        Case(
            "latin1_double",
            "UTF-8 read as Latin-1 (C1 controls in the cells): every cell repairs exactly",
            [garble(t, latin1) for t in MEANT + UNDEFINED_BYTES],
            MEANT + UNDEFINED_BYTES,
        ),
        Case(
            "triple",
            "UTF-8 misread twice (cp1252 then cp1252, or Latin-1 then cp1252): exact repair",
            [garble(t, windows_1252, times=2) for t in defined[:12]]
            + [garble(garble(t, latin1), windows_1252) for t in defined[12:24]],
            defined[:24],
        ),
        Case(
            "mixed",
            "part of each cell is mojibake, part is correct text: exact repair of the part",
            [garbled for _, garbled in MIXED],
            [meant for meant, _ in MIXED],
        ),
        Case(
            "replacement_char",
            "UTF-8 read as cp1252 with errors='replace': the undefined bytes are lost to "
            "U+FFFD, so no repair is exact; each cell is kept and reported",
            [garble(t, cp1252_replace) for t in UNDEFINED_BYTES],
            [garble(t, cp1252_replace) for t in UNDEFINED_BYTES],
            loud=True,
        ),
        Case(
            "dropped_bytes",
            "UTF-8 read as cp1252 with errors='ignore': the undefined bytes are gone, so no "
            "repair is exact; each cell is kept and reported",
            [garble(t, cp1252_ignore) for t in UNDEFINED_BYTES],
            [garble(t, cp1252_ignore) for t in UNDEFINED_BYTES],
            loud=True,
        ),
        Case(
            "negatives",
            "correct text with accents, symbols and capitals that resembles mojibake: kept "
            "as it is, nothing reported",
            NEGATIVES,
            NEGATIVES,
        ),
    ]


def _names(i: int) -> tuple[str, str, str]:
    first = ["Anna", "Bruno", "Clara", "Dario", "Emma", "Felix", "Greta", "Hugo"][i % 8]
    return f"{first.lower()}.{i + 1}@example.com", first, "Smith"


def records(case: Case) -> list[list[str]]:
    """Return the case's records as the reader must yield them."""
    return [[str(1000 + i), *_names(i), cell, "Registered"] for i, cell in enumerate(case.cells)]


def table_bytes(case: Case) -> bytes:
    """Return the case's CSV file: UTF-8, LF line ends, every cell quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(HEADER)
    writer.writerows(records(case))
    return buffer.getvalue().encode("utf-8")


def truth(case: Case) -> dict[str, object]:
    """Return the case's truth document."""
    doc: dict[str, object] = {
        "header": HEADER,
        "records": records(case),
        "meant": {"AssetName": case.meant},
        "note": case.note,
    }
    if case.loud:
        doc["loud"] = ["mojibake"]
    return doc


def _json(doc: dict[str, object]) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def files() -> dict[str, bytes]:
    """Return ``{file name: bytes}`` for every committed corpus file."""
    out: dict[str, bytes] = {}
    for case in cases():
        out[f"{case.name}.csv"] = table_bytes(case)
        out[f"{case.name}.csv.truth.json"] = _json(truth(case))
    return out


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for name, data in files().items():
        (OUT / name).write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
